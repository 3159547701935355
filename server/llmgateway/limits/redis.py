"""The Redis limiter, shared by every replica: all the limits of a call are checked
and reserved atomically by one Lua script (one round trip), and settled by
another. The clock is Redis's own (TIME), so replicas with skewed clocks agree.

A window is a hash `{t: total, o: oldest bucket, <bucket>: amount, ...}` that
expires a window after its last write; calls in flight are a sorted set of lease
ids scored by their expiry (the call's deadline), so a replica that dies holding
leases cannot block a subject for longer than its calls could have run."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Sequence

from llmgateway.core.limits import (
    BUCKETS,
    KIND_LETTER,
    WINDOW_S,
    Check,
    Grant,
    Kind,
    LimiterUnavailable,
    Refusal,
)
from llmgateway.stores.redis import RedisStore, RedisUnavailable

# Lease ids: unique across replicas and calls (a caller's request id may repeat).
_LEASE_PREFIX = os.urandom(6).hex()
_leases = itertools.count()
LEASE_MARGIN_S = 30.0  # a lease outlives its call's deadline by this much (at least a second)
MAX_LEASE_S = 3600.0

# Shared by both scripts: the clock, the bucket index, and evicting what left a window.
_PRELUDE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local bucket_ms = tonumber(ARGV[1])
local n_buckets = tonumber(ARGV[2])
local lease = ARGV[3]
local idx = math.floor(now_ms / bucket_ms)
local first_live = idx - n_buckets + 1
local window_ttl = (n_buckets + 1) * bucket_ms

local function total_of(key)
  local state = redis.call('HMGET', key, 't', 'o')
  local total = tonumber(state[1])
  if not total then return 0 end
  local oldest = tonumber(state[2]) or first_live
  if oldest < first_live then
    if first_live - oldest >= n_buckets then
      redis.call('DEL', key)
      return 0
    end
    for b = oldest, first_live - 1 do
      local amount = redis.call('HGET', key, b)
      if amount then
        total = total - tonumber(amount)
        redis.call('HDEL', key, b)
      end
    end
    redis.call('HSET', key, 't', total, 'o', first_live)
  end
  return total
end

local function add(key, bucket, amount)
  redis.call('HINCRBY', key, bucket, amount)
  redis.call('HINCRBY', key, 't', amount)
  redis.call('HSETNX', key, 'o', first_live)
  redis.call('PEXPIRE', key, window_ttl)
end
"""

# KEYS: one counter per check. ARGV: bucket_ms, n_buckets, lease, lease_ttl_ms, then
# (kind, limit, cost) per check. Returns {1, bucket, reset_ms, remaining...} or
# {0, index of the refusing check, retry_after_ms or -1}.
_ACQUIRE = (
    _PRELUDE
    + """
local lease_ttl = tonumber(ARGV[4])
local used = {}
for i = 1, #KEYS do
  local base = 4 + (i - 1) * 3
  local kind, limit, cost = ARGV[base + 1], tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  local count
  if kind == 'c' then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now_ms)
    count = redis.call('ZCARD', KEYS[i])
  else
    count = total_of(KEYS[i])
  end
  if count + cost > limit then
    local retry = -1
    if kind ~= 'c' then
      local freed = 0
      for b = first_live, idx do
        freed = freed + (tonumber(redis.call('HGET', KEYS[i], b)) or 0)
        if count - freed + cost <= limit then
          retry = (b + n_buckets) * bucket_ms - now_ms
          break
        end
      end
    end
    return {0, i, retry}
  end
  used[i] = count
end
local out = {1, idx, (idx + n_buckets) * bucket_ms - now_ms}
for i = 1, #KEYS do
  local base = 4 + (i - 1) * 3
  local kind, limit, cost = ARGV[base + 1], tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  if kind == 'c' then
    redis.call('ZADD', KEYS[i], now_ms + lease_ttl, lease)
    if redis.call('PTTL', KEYS[i]) < lease_ttl then redis.call('PEXPIRE', KEYS[i], lease_ttl) end
  else
    add(KEYS[i], idx, cost)
  end
  out[#out + 1] = limit - used[i] - cost
end
return out
"""
)

# KEYS: the counters to settle. ARGV: bucket_ms, n_buckets, lease, reserved bucket,
# then (kind, token delta) per key.
_RELEASE = (
    _PRELUDE
    + """
local reserved = tonumber(ARGV[4])
for i = 1, #KEYS do
  local base = 4 + (i - 1) * 2
  local kind, delta = ARGV[base + 1], tonumber(ARGV[base + 2])
  if kind == 'c' then
    redis.call('ZREM', KEYS[i], lease)
  elseif reserved >= first_live and redis.call('HEXISTS', KEYS[i], reserved) == 1 then
    redis.call('HINCRBY', KEYS[i], reserved, delta)
    redis.call('HINCRBY', KEYS[i], 't', delta)
  elseif delta > 0 then
    total_of(KEYS[i])
    add(KEYS[i], idx, delta)
  end
end
return 1
"""
)


class RedisLimiter:
    def __init__(
        self,
        store: RedisStore,
        window_s: float = WINDOW_S,
        buckets: int = BUCKETS,
        lease_margin_s: float = LEASE_MARGIN_S,
    ) -> None:
        self.store = store
        self.lease_margin_s = lease_margin_s
        self.bucket_ms = round(window_s * 1000 / buckets)
        self.n_buckets = buckets
        self._acquire = store.script(_ACQUIRE)
        self._release = store.script(_RELEASE)

    def _key(self, check: Check) -> str:
        return self.store.key("rl", check.counter)

    async def acquire(self, checks: Sequence[Check], tokens: int, deadline: float | None) -> Grant | Refusal:
        lease = f"{_LEASE_PREFIX}{next(_leases):x}"
        ttl = MAX_LEASE_S if deadline is None else deadline - time.monotonic() + self.lease_margin_s
        ttl_ms = round(min(max(ttl, 1.0), MAX_LEASE_S) * 1000)
        args: list[object] = [self.bucket_ms, self.n_buckets, lease, ttl_ms]
        for check in checks:
            args += (KIND_LETTER[check.kind], check.limit, check.cost(tokens))
        try:
            reply = await self.store.run(self._acquire, [self._key(c) for c in checks], args)
        except RedisUnavailable as exc:
            raise LimiterUnavailable(str(exc)) from exc
        if reply[0] == 0:
            retry_ms = int(reply[2])
            return Refusal(int(reply[1]) - 1, None if retry_ms < 0 else retry_ms / 1000)
        return Grant([int(r) for r in reply[3:]], int(reply[2]) / 1000, int(reply[1]), tokens, lease)

    async def release(self, checks: Sequence[Check], grant: Grant, tokens_used: int) -> None:
        keys: list[str] = []
        args: list[object] = [self.bucket_ms, self.n_buckets, grant.lease, grant.bucket]
        for check in checks:
            if check.kind is Kind.CONCURRENT:
                keys.append(self._key(check))
                args += ("c", 0)
            elif check.kind is Kind.TOKENS and (delta := tokens_used - check.cost(grant.tokens)):
                keys.append(self._key(check))
                args += ("t", delta)
        if not keys:
            return
        try:
            await self.store.run(self._release, keys, args)
        except RedisUnavailable as exc:
            raise LimiterUnavailable(str(exc)) from exc

    async def aclose(self) -> None:
        return None  # the store belongs to the server
