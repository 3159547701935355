"""The response cache's backend port, over both backends (the in-process LRU and a real
redis-server on loopback): store, read back, TTL expiry, locks, and byte-bounded
eviction (by the LRU itself; by Redis's maxmemory, which needs every entry to have a TTL)."""

from __future__ import annotations

import asyncio

from llmgateway.cache.memory import ENTRY_OVERHEAD, MemoryResponseCache
from llmgateway.cache.redis import RedisResponseCache
from llmgateway.core.ports import ResponseCache
from llmgateway.stores.redis import RedisStore


async def test_values_are_stored_and_read_back(backend: ResponseCache) -> None:
    await backend.set_many([("a", b"one"), ("b", b"\x00two")], 60)
    assert await backend.get_many(["a", "b", "c"]) == [b"one", b"\x00two", None]
    await backend.set_many([("a", b"uno")], 60)
    assert await backend.get_many(["a"]) == [b"uno"]


async def test_entries_expire_after_their_ttl(backend: ResponseCache) -> None:
    await backend.set_many([("short", b"x")], 0.05)
    await backend.set_many([("long", b"y")], 60)
    await asyncio.sleep(0.2)
    assert await backend.get_many(["short", "long"]) == [None, b"y"]


async def test_a_lock_has_one_holder_until_released_or_expired(backend: ResponseCache) -> None:
    token = await backend.lock("k", 60)
    assert token
    assert await backend.lock("k", 60) is None
    await backend.unlock("k", "not-the-token")
    assert await backend.lock("k", 60) is None
    await backend.unlock("k", token)
    assert await backend.lock("k", 0.05)
    await asyncio.sleep(0.2)
    assert await backend.lock("k", 60)  # the earlier holder's lock expired


async def test_the_memory_backend_evicts_least_recently_used_entries_by_bytes() -> None:
    size = 1000 + len("k0") + ENTRY_OVERHEAD
    memory = MemoryResponseCache(max_bytes=3 * size)
    for i in range(3):
        await memory.set_many([(f"k{i}", bytes(1000))], 60)
    await memory.get_many(["k0"])  # k0 is now the most recently used
    await memory.set_many([("k3", bytes(1000))], 60)
    assert [v is not None for v in await memory.get_many(["k0", "k1", "k2", "k3"])] == [
        True,
        False,
        True,
        True,
    ]
    assert (memory.evictions, memory.entries, memory.size_bytes) == (1, 3, 3 * size)
    await memory.set_many([("huge", bytes(4 * size))], 60)  # larger than the whole cache: not stored
    assert await memory.get_many(["huge"]) == [None] and memory.entries == 3


async def test_redis_bounds_the_cache_in_bytes_because_every_entry_has_a_ttl(redis_url: str) -> None:
    """Redis evicts by its `maxmemory`; with `volatile-lru` it may evict only keys that
    have a TTL, so this fails if an entry were stored without one."""
    store = RedisStore(redis_url, 1.0, "test:")
    backend = RedisResponseCache(store)
    client = store.client
    try:
        used = int((await client.info("memory"))["used_memory"])
        await client.config_set("maxmemory-policy", "volatile-lru")
        await client.config_set("maxmemory", used + 512 * 1024)
        for i in range(64):  # 2 MiB into a 512 KiB budget
            await backend.set_many([(f"big{i}", bytes(32 * 1024))], 600)
        kept = [v is not None for v in await backend.get_many([f"big{i}" for i in range(64)])]
        assert kept[-1] and not all(kept)
        assert int((await client.info("stats"))["evicted_keys"]) > 0
    finally:
        await client.config_set("maxmemory", 0)
        await client.config_set("maxmemory-policy", "noeviction")
        await store.aclose()
