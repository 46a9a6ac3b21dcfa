"""Governance checks that Module 09's pages rely on, each derived from the code, never pinned.

No public signature names an internal type, so nothing a caller receives from a public name
drags an internal module into the contract; and every exit code the command can end with is
explained in its ``--help``.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import typing
from collections.abc import Callable, Iterator

import service_monitoring
import service_monitoring.storage
import service_monitoring.testing
from service_monitoring.cli import app
from service_monitoring.delivery.outbox import OutboxDelivery

NAMESPACES = (service_monitoring, service_monitoring.storage, service_monitoring.testing)
PUBLIC_NAMES = {name: getattr(ns, name) for ns in NAMESPACES for name in ns.__all__}
PUBLIC_IDS = {id(obj) for obj in PUBLIC_NAMES.values()}


def classes_in(annotation: object) -> Iterator[type]:
    """Every class an annotation names, however deeply it is nested."""
    origin = typing.get_origin(annotation)
    if origin is not None:
        yield from classes_in(origin)
        for argument in typing.get_args(annotation):
            yield from classes_in(argument)
    elif isinstance(annotation, list):  # the parameters of a Callable
        for argument in annotation:
            yield from classes_in(argument)
    elif isinstance(annotation, type):
        yield annotation


def public_functions(obj: object) -> Iterator[tuple[str, Callable[..., object]]]:
    """A public function, or each public method and property the package defines on a class."""
    if not inspect.isclass(obj):
        if callable(obj):
            yield getattr(obj, "__name__", repr(obj)), obj
        return
    for klass in obj.__mro__:
        if klass is not obj and not klass.__module__.startswith("service_monitoring."):
            continue
        for name, member in vars(klass).items():
            if name.startswith("_") and name != "__init__":
                continue
            if isinstance(member, staticmethod | classmethod):
                member = member.__func__
            function = member.fget if isinstance(member, property) else member
            if callable(function) and not inspect.isclass(function):
                yield f"{obj.__name__}.{name}", function


def internal_types_named_by(obj: object) -> list[str]:
    found = set()
    for where, function in public_functions(obj):
        # localns resolves names that a module imports only for type checking
        hints = typing.get_type_hints(function, localns=PUBLIC_NAMES)
        for annotation in hints.values():
            for named in classes_in(annotation):
                own = named.__module__.startswith("service_monitoring.")
                if own and id(named) not in PUBLIC_IDS:
                    found.add(f"{where}: {named.__module__}.{named.__qualname__}")
    return sorted(found)


def test_no_public_signature_names_an_internal_type() -> None:
    leaks = [leak for obj in PUBLIC_NAMES.values() for leak in internal_types_named_by(obj)]
    assert leaks == []


def test_the_leak_check_finds_an_internal_type() -> None:
    class LeakyRuntime(service_monitoring.MonitoringRuntime):
        @property
        def outbox(self) -> OutboxDelivery:
            raise NotImplementedError

    assert internal_types_named_by(LeakyRuntime) == [
        "LeakyRuntime.outbox: service_monitoring.delivery.outbox.OutboxDelivery"
    ]


def test_every_exit_code_is_explained_in_the_help() -> None:
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown):
        assert app.main(["--help"]) == 0
    epilog = shown.getvalue().split("exit codes:", 1)[1]
    codes = {name: value for name, value in vars(app).items() if name.startswith("EXIT_")}
    assert len(codes) >= 5
    assert [name for name, value in codes.items() if f" {value}  " not in epilog] == []
