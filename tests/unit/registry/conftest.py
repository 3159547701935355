"""Registry fixtures: every test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from llmgateway.registry import migrate
from llmgateway.registry.db import create_registry_engine
from llmgateway.registry.repository import Repository


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/registry.db"
    url: str = request.getfixturevalue("postgres").new_database()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An empty (unmigrated) database."""
    engine = create_registry_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def repo(engine: Engine) -> Repository:
    """A repository over a database migrated to head."""
    migrate.upgrade(engine)
    return Repository(engine)
