"""The ``install`` fixture: plugin distributions built in a folder put on ``sys.path``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plugin_distributions import Distribution, build

Install = Callable[..., Path]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """``install(*distributions, metadata=True)``: build them in a new folder on ``sys.path``.

    Undone after the test: the folder leaves ``sys.path`` and every module imported from
    it leaves ``sys.modules``, so the next test imports its own copy.
    """
    folders: list[Path] = []

    def install_(*distributions: Distribution, metadata: bool = True) -> Path:
        folder = tmp_path / f"site-{len(folders)}"
        for distribution in distributions:
            build(folder, distribution, metadata=metadata)
        monkeypatch.syspath_prepend(str(folder))
        folders.append(folder)
        return folder

    yield install_
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None) or ""
        if any(where.startswith(str(folder)) for folder in folders):
            del sys.modules[name]
