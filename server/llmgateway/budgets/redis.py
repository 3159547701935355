"""The Redis budget store, shared by every replica: all the counters of a call are
checked and reserved atomically by one Lua script (one round trip), and settled by
another. A counter is a hash `{m: money in micro-units, t: tokens, v: writes}` that expires
(PEXPIREAT) a grace period after its window ends; `total` counters never expire."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.commands.core import AsyncScript

from llmgateway.core.budgets import BudgetsUnavailable, Charge, Refused, Reserved, Used
from llmgateway.stores.redis import RedisStore, RedisUnavailable

# KEYS: counters. ARGV: (money limit, token limit, money, tokens, expire_at ms) per key,
# limits -1 for none. Returns {1, money, tokens, version, ...} after the call, or
# {0, index of the refusing counter, its money, its tokens}.
_RESERVE = """
local used = {}
for i = 1, #KEYS do
  local b = (i - 1) * 5
  local ml, tl = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
  local m, t = tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4])
  local state = redis.call('HMGET', KEYS[i], 'm', 't')
  local um, ut = tonumber(state[1]) or 0, tonumber(state[2]) or 0
  if (ml >= 0 and um + m > ml) or (tl >= 0 and ut + t > tl) then
    return {0, i, um, ut}
  end
end
local out = {1}
for i = 1, #KEYS do
  local b = (i - 1) * 5
  out[#out + 1] = redis.call('HINCRBY', KEYS[i], 'm', ARGV[b + 3])
  out[#out + 1] = redis.call('HINCRBY', KEYS[i], 't', ARGV[b + 4])
  out[#out + 1] = redis.call('HINCRBY', KEYS[i], 'v', 1)
  local expire_at = tonumber(ARGV[b + 5])
  if expire_at > 0 then redis.call('PEXPIREAT', KEYS[i], expire_at) end
end
return out
"""

# KEYS: counters. ARGV: (money delta, token delta) per key. Counters that expired are
# left alone ({-1, -1, 0}); none goes below zero. Returns money, tokens and version per key.
_ADJUST = """
local out = {}
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local m = redis.call('HINCRBY', KEYS[i], 'm', ARGV[2 * i - 1])
    if m < 0 then redis.call('HSET', KEYS[i], 'm', 0); m = 0 end
    local t = redis.call('HINCRBY', KEYS[i], 't', ARGV[2 * i])
    if t < 0 then redis.call('HSET', KEYS[i], 't', 0); t = 0 end
    out[#out + 1] = m
    out[#out + 1] = t
    out[#out + 1] = redis.call('HINCRBY', KEYS[i], 'v', 1)
  else
    out[#out + 1] = -1
    out[#out + 1] = -1
    out[#out + 1] = 0
  end
end
return out
"""

# KEYS: counters. ARGV: only_missing (1/0), then (money, tokens, expire_at ms) per key.
_SEED = """
local done = 0
for i = 1, #KEYS do
  if ARGV[1] == '0' or redis.call('EXISTS', KEYS[i]) == 0 then
    local b = 1 + (i - 1) * 3
    redis.call('DEL', KEYS[i])
    redis.call('HSET', KEYS[i], 'm', ARGV[b + 1], 't', ARGV[b + 2])
    local expire_at = tonumber(ARGV[b + 3])
    if expire_at > 0 then redis.call('PEXPIREAT', KEYS[i], expire_at) end
    done = done + 1
  end
end
return done
"""


def _ms(at: float) -> int:
    return round(at * 1000) if at else 0


class RedisBudgetStore:
    def __init__(self, store: RedisStore) -> None:
        self.store = store
        self._reserve = store.script(_RESERVE)
        self._adjust = store.script(_ADJUST)
        self._seed = store.script(_SEED)

    def _keys(self, charges: Sequence[Charge]) -> list[str]:
        key = self.store.key
        return [key("bg", c.key) for c in charges]

    async def _run(self, script: AsyncScript, keys: list[str], args: list[object]) -> Any:
        try:
            return await self.store.run(script, keys, args)
        except RedisUnavailable as exc:
            raise BudgetsUnavailable(str(exc)) from exc

    async def reserve(self, charges: Sequence[Charge]) -> Reserved | Refused:
        args: list[object] = []
        for c in charges:
            args += (c.money_limit, c.token_limit, c.money, c.tokens, _ms(c.expire_at))
        reply = await self._run(self._reserve, self._keys(charges), args)
        if reply[0] == 0:
            return Refused(int(reply[1]) - 1, Used(int(reply[2]), int(reply[3])))
        return Reserved(_used(reply[1:]))

    async def adjust(self, charges: Sequence[Charge], deltas: Sequence[Used]) -> tuple[Used, ...]:
        args: list[object] = []
        for delta in deltas:
            args += (delta.money, delta.tokens)
        reply = await self._run(self._adjust, self._keys(charges), args)
        return _used(reply)

    async def seed(self, counters: Sequence[tuple[Charge, Used]], only_missing: bool) -> int:
        if not counters:
            return 0
        args: list[object] = [1 if only_missing else 0]
        for charge, value in counters:
            args += (value.money, value.tokens, _ms(charge.expire_at))
        return int(await self._run(self._seed, self._keys([c for c, _ in counters]), args))


def _used(reply: Sequence[Any]) -> tuple[Used, ...]:
    """(money, tokens, version) triples of a script's reply."""
    return tuple(Used(int(reply[i]), int(reply[i + 1]), int(reply[i + 2])) for i in range(0, len(reply), 3))
