"""Sessions in Redis, shared by every replica: per session a hash (owner, model, times,
the sequence number of the oldest message kept), a list of encoded messages and a
lease key, all under one hash tag (`{id}`) so a cluster keeps them on one node. Every
operation is one Lua script (EVALSHA): atomic, and one round trip. Redis expires an
idle session itself (PEXPIRE refreshed by each commit) and a lease (PX) whose call
died with its replica."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from llmgateway.core.ports import OpenedSession, SessionLeased, SessionsUnavailable, StoredSession
from llmgateway.stores.redis import RedisStore, RedisUnavailable

# KEYS: meta, messages, lease. ARGV: owner, model, now ms, ttl ms, token, lease ms
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'model', ARGV[2], 'created', ARGV[3], 'updated', ARGV[3],
  'first', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6])
return 1
"""
# ARGV: owner, token, lease ms. nil: not found; 0: leased; else the session and its messages.
_OPEN = """
local m = redis.call('HMGET', KEYS[1], 'owner', 'model', 'created', 'updated', 'first')
if m[1] ~= ARGV[1] then return nil end
if not redis.call('SET', KEYS[3], ARGV[2], 'NX', 'PX', ARGV[3]) then return 0 end
return {m[2], m[3], m[4], m[5], redis.call('PTTL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1)}
"""
# ARGV: token, drop, ttl ms, now ms, messages...
_COMMIT = """
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[3])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 5, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
local drop = math.min(tonumber(ARGV[2]), redis.call('LLEN', KEYS[2]))
if drop > 0 then
  redis.call('LTRIM', KEYS[2], drop, -1)
  redis.call('HINCRBY', KEYS[1], 'first', drop)
end
redis.call('HSET', KEYS[1], 'updated', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
"""
_RELEASE = """
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
return 1
"""
# ARGV: owner, after seq, limit. nil: not found; else the session, its length, the
# list index of the first message read and up to `limit` messages after `after seq`.
_READ = """
local m = redis.call('HMGET', KEYS[1], 'owner', 'model', 'created', 'updated', 'first')
if m[1] ~= ARGV[1] then return nil end
local start = math.max(0, tonumber(ARGV[2]) + 1 - tonumber(m[5]))
local items = {}
local limit = tonumber(ARGV[3])
if limit > 0 then items = redis.call('LRANGE', KEYS[2], start, start + limit - 1) end
return {m[2], m[3], m[4], m[5], redis.call('PTTL', KEYS[1]), redis.call('LLEN', KEYS[2]), start, items}
"""
_DELETE = """
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1
"""


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisSessionStore:
    def __init__(self, store: RedisStore) -> None:
        self.store = store
        self._create = store.script(_CREATE)
        self._open = store.script(_OPEN)
        self._commit = store.script(_COMMIT)
        self._release = store.script(_RELEASE)
        self._read = store.script(_READ)
        self._delete = store.script(_DELETE)

    def _keys(self, session_id: str) -> list[str]:
        tag = "{" + session_id + "}"
        return [self.store.key("session", tag, part) for part in ("meta", "messages", "lease")]

    async def _run(self, script: Any, session_id: str, args: Sequence[Any]) -> Any:
        try:
            return await self.store.run(script, self._keys(session_id), args)
        except RedisUnavailable as exc:
            raise SessionsUnavailable(str(exc)) from exc

    async def create(
        self, session_id: str, owner: str, model: str, token: str, lease_s: float, ttl_s: float
    ) -> None:
        args = [owner, model, _ms(time.time()), _ms(ttl_s), token, _ms(lease_s)]
        if not await self._run(self._create, session_id, args):
            raise SessionsUnavailable(f"session id {session_id!r} is taken")

    async def open(self, session_id: str, owner: str, token: str, lease_s: float) -> OpenedSession | None:
        found = await self._run(self._open, session_id, [owner, token, _ms(lease_s)])
        if found is None:
            return None
        if found == 0:
            raise SessionLeased(session_id)
        *meta, messages = found
        return OpenedSession(_stored(session_id, owner, meta, len(messages)), list(messages))

    async def commit(
        self, session_id: str, token: str, append: Sequence[bytes], drop: int, ttl_s: float
    ) -> bool:
        args = [token, drop, _ms(ttl_s), _ms(time.time()), *append]
        return bool(await self._run(self._commit, session_id, args))

    async def release(self, session_id: str, token: str) -> None:
        await self._run(self._release, session_id, [token])

    async def get(self, session_id: str, owner: str) -> StoredSession | None:
        found = await self.messages(session_id, owner, -1, 0)
        return None if found is None else found[0]

    async def messages(
        self, session_id: str, owner: str, after_seq: int, limit: int
    ) -> tuple[StoredSession, list[tuple[int, bytes]]] | None:
        found = await self._run(self._read, session_id, [owner, after_seq, limit])
        if found is None:
            return None
        *meta, count, start, items = found
        session = _stored(session_id, owner, meta, int(count))
        offset = session.first_seq + int(start)
        return session, [(offset + i, bytes(b)) for i, b in enumerate(items)]

    async def delete(self, session_id: str, owner: str) -> bool:
        return bool(await self._run(self._delete, session_id, [owner]))

    async def start(self) -> None:
        """Nothing to start: the shared client is the server's."""

    async def aclose(self) -> None:
        """Nothing to close: the shared client is the server's."""


def _stored(session_id: str, owner: str, meta: Sequence[Any], count: int) -> StoredSession:
    model, created, updated, first, pttl = meta
    now = time.time()
    return StoredSession(
        id=session_id,
        owner=owner,
        model=model.decode() if isinstance(model, bytes) else str(model),
        create_time=int(created) / 1000,
        update_time=int(updated) / 1000,
        expire_time=now + max(0, int(pttl)) / 1000,
        first_seq=int(first),
        message_count=count,
    )
