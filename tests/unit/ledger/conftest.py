"""Ledger fixtures: a migrated registry database, SQLite and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from llmgateway.ledger.store import LedgerStore
from llmgateway.registry import migrate
from llmgateway.registry.db import create_registry_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/registry.db"
    else:
        url = request.getfixturevalue("postgres").new_database()
    engine = create_registry_engine(url)
    migrate.upgrade(engine)
    yield LedgerStore(engine)
    engine.dispose()
