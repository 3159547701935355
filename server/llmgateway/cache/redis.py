"""The response cache in Redis, shared by every replica: one string per entry with its
TTL set by Redis (SET PX), MGET for a batch, and SET NX PX locks (released by a
compare-and-delete script, so a late leader never frees another's lock). Redis bounds
its own memory (`maxmemory` with an LRU `maxmemory-policy`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import ClassVar, cast

from llmgateway.core.ports import CacheUnavailable
from llmgateway.stores.redis import RedisStore, RedisUnavailable

_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisResponseCache:
    shared: ClassVar[bool] = True

    def __init__(self, store: RedisStore) -> None:
        self.store = store
        self._unlock = store.script(_UNLOCK)

    def _key(self, key: str) -> str:
        return self.store.key("cache", key)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        mget = self.store.client.mget
        names = [self._key(k) for k in keys]
        try:
            values = await self.store.call(lambda: mget(names))
        except RedisUnavailable as exc:
            raise CacheUnavailable(str(exc)) from exc
        return cast(list[bytes | None], values)  # the client does not decode responses

    async def set_many(self, items: Sequence[tuple[str, bytes]], ttl_s: float) -> None:
        if not items:
            return
        ms = _ms(ttl_s)

        async def write() -> object:
            async with self.store.client.pipeline(transaction=False) as pipe:
                for key, value in items:
                    pipe.set(self._key(key), value, px=ms)
                return await pipe.execute()

        try:
            await self.store.call(write)
        except RedisUnavailable as exc:
            raise CacheUnavailable(str(exc)) from exc

    async def lock(self, key: str, ttl_s: float) -> str | None:
        token = os.urandom(8).hex()
        name = self._key("lock:" + key)
        client = self.store.client
        try:
            taken = await self.store.call(lambda: client.set(name, token, nx=True, px=_ms(ttl_s)))
        except RedisUnavailable as exc:
            raise CacheUnavailable(str(exc)) from exc
        return token if taken else None

    async def unlock(self, key: str, token: str) -> None:
        try:
            await self.store.run(self._unlock, [self._key("lock:" + key)], [token])
        except RedisUnavailable as exc:
            raise CacheUnavailable(str(exc)) from exc
