"""The backends of the response cache, for the contract suites that run over both."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from llmgateway.cache.memory import MemoryResponseCache
from llmgateway.cache.redis import RedisResponseCache
from llmgateway.core.ports import ResponseCache
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
