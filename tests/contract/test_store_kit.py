"""The test kit's store contract, run against the two stores the package ships."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from service_monitoring.storage import InMemoryStore, SqliteStore, Store
from service_monitoring.testing import LeasingStoreContract


class TestInMemoryStore(LeasingStoreContract):
    def make_store(self) -> Store:
        return InMemoryStore()


class TestSqliteStore(LeasingStoreContract):
    """Each store the contract makes is a new file: the property test makes one per example."""

    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path: Path) -> None:
        self.folder = tmp_path
        self.files = itertools.count()

    def make_store(self) -> Store:
        return SqliteStore(self.folder / f"store-{next(self.files)}.db")
