"""The backends of the response cache and the session stores, for the contract suites
that run over all of them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from llmgateway.cache.memory import MemoryResponseCache
from llmgateway.cache.redis import RedisResponseCache
from llmgateway.core.ports import ResponseCache, SessionStore
from llmgateway.registry import migrate
from llmgateway.registry.db import create_registry_engine
from llmgateway.registry.sessions import SqlSessionStore
from llmgateway.sessions.redis import RedisSessionStore
from llmgateway.stores.redis import RedisStore


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[ResponseCache]:
    if request.param == "memory":
        yield MemoryResponseCache(max_bytes=1 << 20)
        return
    store = RedisStore(request.getfixturevalue("redis_url"), 1.0, "test:")
    try:
        yield RedisResponseCache(store)
    finally:
        await store.aclose()


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
async def session_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SessionStore]:
    """Each session store, empty: the registry database (SQLite, a real PostgreSQL)
    migrated to head, or a real redis-server."""
    if request.param == "redis":
        redis = RedisStore(request.getfixturevalue("redis_url"), 1.0, "test:")
        try:
            yield RedisSessionStore(redis)
        finally:
            await redis.aclose()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/registry.db"
    else:
        url = request.getfixturevalue("postgres").new_database()
    engine = create_registry_engine(url)
    migrate.upgrade(engine)
    store = SqlSessionStore(engine)
    try:
        yield store
    finally:
        await store.aclose()
        engine.dispose()
