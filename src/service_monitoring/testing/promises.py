"""What every contract shares: the violation it raises and how a test names its promise.

Internal module: import :class:`ContractViolation` from the public
:mod:`service_monitoring.testing` namespace.

Each test of a contract is one promise, written in words in :func:`promise`.
Its body checks with :func:`expect` (or raises :class:`Broken`) and says what
happened instead; the decorator turns that, or any exception the extension
raised where it should not have, into a :class:`ContractViolation` that names
the contract and the promise. The promise is also the test's docstring, so a
list of the promises that held is one loop away.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["Broken", "ContractViolation", "describe", "expect", "promise"]

_Test = Callable[..., None]


class ContractViolation(AssertionError):
    """An extension broke a promise of its contract; the message names the promise.

    An :class:`AssertionError`, so pytest reports it as a failed test. The
    attributes hold the three parts of the message.

    >>> error = ContractViolation("Store", "versions increase", "load gave version 1 twice")
    >>> print(error)
    Store contract, promise 'versions increase': load gave version 1 twice
    >>> error.promise
    'versions increase'
    """

    def __init__(self, contract: str, promise: str, happened: str) -> None:
        super().__init__(f"{contract} contract, promise '{promise}': {happened}")
        #: ``"Store"``, ``"Sink"`` or ``"Mode"``.
        self.contract = contract
        #: The promise, in words (also the docstring of the test that checks it).
        self.promise = promise
        #: What the extension did instead.
        self.happened = happened


class Broken(Exception):
    """Raised inside a contract test with what happened; the test's promise is added later."""


def expect(condition: bool, happened: str) -> None:
    """Raise :class:`Broken` with *happened* unless *condition* holds.

    >>> expect(1 + 1 == 2, "arithmetic is broken")
    >>> expect(False, "load gave version 3")
    Traceback (most recent call last):
    ...
    service_monitoring.testing.promises.Broken: load gave version 3
    """
    if not condition:
        raise Broken(happened)


def describe(error: BaseException) -> str:
    """``"KeyError: 'ghost'"``: an exception as one line a message can quote.

    >>> describe(KeyError("ghost"))
    "KeyError: 'ghost'"
    """
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def promise(contract: str, text: str) -> Callable[[_Test], _Test]:
    """Make a test method check the promise *text* of *contract*.

    :class:`Broken` becomes a :class:`ContractViolation` saying what happened;
    any other exception of the extension becomes one saying what it raised. The
    extension's own exception, if there is one, stays the ``__cause__``; notes
    Hypothesis adds, such as the falsifying example, are kept.
    """

    def decorate(test: _Test) -> _Test:
        @functools.wraps(test)
        def checked(self: Any, *args: Any, **kwargs: Any) -> None:
            try:
                test(self, *args, **kwargs)
            except (ContractViolation, NotImplementedError):
                raise  # already named, or a factory the subclass has yet to define
            except Broken as broken:
                violation = _annotated(ContractViolation(contract, text, str(broken)), broken)
                raise violation from broken.__cause__  # the extension's own exception, if any
            except Exception as error:
                happened = f"the {contract.lower()} raised {describe(error)}"
                raise _annotated(ContractViolation(contract, text, happened), error) from error

        checked.__doc__ = text
        return checked

    return decorate


def _annotated(violation: ContractViolation, source: BaseException) -> ContractViolation:
    for note in getattr(source, "__notes__", ()):
        violation.add_note(note)
    return violation
