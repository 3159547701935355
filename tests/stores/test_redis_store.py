"""The shared Redis client against a real redis-server: scripts, bounded failure when
Redis goes away (never a hang), one log line per outage, recovery."""

from __future__ import annotations

import logging
import time

import pytest

from llmgateway.stores.redis import RedisStore, RedisUnavailable
from tests.redisserver import RedisServer

INCR = "return redis.call('INCRBY', KEYS[1], ARGV[1])"


async def test_scripts_run_atomically_by_sha(redis_url: str) -> None:
    store = RedisStore(redis_url, 0.5, "t:")
    try:
        script = store.script(INCR)
        assert await store.run(script, [store.key("n")], [2]) == 2
        assert await store.run(script, [store.key("n")], [3]) == 5
        assert await store.call(lambda: store.client.get("t:n")) == b"5"
    finally:
        await store.aclose()


async def test_an_outage_is_bounded_logged_once_and_recovers(
    redis_server: RedisServer, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(redis_url, 0.3, "t:")
    changes: list[bool] = []

    async def notify(healthy: bool) -> None:
        changes.append(healthy)

    store.on_health.append(notify)
    script = store.script(INCR)
    try:
        await store.run(script, [store.key("n")], [1])
        redis_server.stop()
        with caplog.at_level(logging.ERROR, logger="llmgateway.stores.redis"):
            for _ in range(3):
                started = time.monotonic()
                with pytest.raises(RedisUnavailable):
                    await store.run(script, [store.key("n")], [1])
                assert time.monotonic() - started < 2  # bounded by the timeouts, never a hang
        assert [r.getMessage() for r in caplog.records].count(
            "redis is unreachable; policies apply their failure mode"
        ) == 1
        assert (store.healthy, store.outages, changes) == (False, 1, [False])
        redis_server.start()
        assert await store.run(script, [store.key("m")], [1]) == 1
        assert (store.healthy, changes) == (True, [False, True])
    finally:
        await store.aclose()
