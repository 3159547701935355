"""One contract for the limiter port, run over the in-process backend and over a real
redis-server: sliding windows, atomic check-and-reserve of several limits, token
reservations settled to the real usage, calls in flight returned by settle, reset
and retry times. Time-dependent cases use a 1-second window of ten 100 ms buckets."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from llmgateway.core.limits import Check, Grant, Kind, Limiter, Refusal, Scope
from llmgateway.limits.memory import MemoryLimiter
from llmgateway.limits.redis import RedisLimiter
from llmgateway.stores.redis import RedisStore

LimiterFactory = Callable[..., Limiter]


@pytest.fixture(params=["memory", "redis"])
async def make(request: pytest.FixtureRequest) -> AsyncIterator[LimiterFactory]:
    stores: list[RedisStore] = []

    def factory(window_s: float = 60.0, buckets: int = 60) -> Limiter:
        if request.param == "memory":
            return MemoryLimiter(window_s, buckets)
        store = RedisStore(request.getfixturevalue("redis_url"), 1.0, "contract:")
        stores.append(store)
        return RedisLimiter(store, window_s, buckets)

    yield factory
    for store in stores:
        await store.aclose()


def rpm(limit: int, subject: str = "k1", scope: Scope = Scope.KEY) -> Check:
    return Check.of(scope, subject, Kind.REQUESTS, limit)


def tpm(limit: int, subject: str = "k1") -> Check:
    return Check.of(Scope.KEY, subject, Kind.TOKENS, limit)


def inflight(limit: int, subject: str = "k1") -> Check:
    return Check.of(Scope.KEY, subject, Kind.CONCURRENT, limit)


async def acquire(limiter: Limiter, *checks: Check, tokens: int = 0) -> Grant | Refusal:
    decision = limiter.acquire(checks, tokens, None)
    return decision if isinstance(decision, Grant | Refusal) else await decision


async def release(limiter: Limiter, checks: list[Check], grant: Grant | Refusal, tokens_used: int) -> None:
    assert isinstance(grant, Grant)
    released = limiter.release(checks, grant, tokens_used)
    if released is not None:
        await released


async def test_a_window_admits_exactly_its_limit(make: LimiterFactory) -> None:
    limiter = make()
    grants = [await acquire(limiter, rpm(3)) for _ in range(3)]
    assert [g.remaining for g in grants if isinstance(g, Grant)] == [[2], [1], [0]]
    refused = await acquire(limiter, rpm(3))
    assert isinstance(refused, Refusal) and refused.failed == 0
    assert refused.retry_after_s is not None and 59.0 < refused.retry_after_s <= 61.0
    assert isinstance(await acquire(limiter, rpm(3, subject="k2")), Grant)  # subjects are independent


async def test_concurrent_acquires_never_overshoot(make: LimiterFactory) -> None:
    limiter = make()
    results = await asyncio.gather(*(acquire(limiter, rpm(50)) for i in range(200)))
    assert sum(isinstance(r, Grant) for r in results) == 50


async def test_all_limits_of_a_call_are_reserved_together_or_not_at_all(make: LimiterFactory) -> None:
    limiter = make()
    key, model = rpm(5), rpm(1, "mock/echo", Scope.MODEL)
    assert isinstance(await acquire(limiter, key, model), Grant)
    refused = await acquire(limiter, key, model)
    assert isinstance(refused, Refusal) and refused.failed == 1
    grant = await acquire(limiter, key)  # the refused call took nothing from the key's window
    assert isinstance(grant, Grant) and grant.remaining == [3]


async def test_a_refused_call_holds_no_call_in_flight_nor_tokens(make: LimiterFactory) -> None:
    limiter = make()
    calls, tokens = inflight(2), tpm(100)
    assert isinstance(await acquire(limiter, calls, tokens, tokens=60), Grant)
    refused = await acquire(limiter, calls, tokens, tokens=60)
    assert isinstance(refused, Refusal) and refused.failed == 1
    grant = await acquire(limiter, calls, tokens, tokens=40)  # the refused call's slot is free again
    assert isinstance(grant, Grant) and grant.remaining == [0, 0]


async def test_tokens_are_reserved_then_settled_to_the_real_usage(make: LimiterFactory) -> None:
    limiter = make()
    first = await acquire(limiter, tpm(100), tokens=60)
    assert isinstance(first, Grant) and first.remaining == [40]
    refused = await acquire(limiter, tpm(100), tokens=60)
    assert isinstance(refused, Refusal) and refused.retry_after_s is not None
    await release(limiter, [tpm(100)], first, tokens_used=10)
    second = await acquire(limiter, tpm(100), tokens=60)
    assert isinstance(second, Grant) and second.remaining == [30]  # 10 used + 60 reserved
    await release(limiter, [tpm(100)], second, tokens_used=75)  # more than reserved
    third = await acquire(limiter, tpm(100), tokens=1)
    assert isinstance(third, Grant) and third.remaining == [14]  # 10 + 75 + 1


async def test_a_call_larger_than_the_window_may_run_alone_in_an_empty_one(make: LimiterFactory) -> None:
    limiter = make()
    grant = await acquire(limiter, tpm(100), tokens=150)
    assert isinstance(grant, Grant) and grant.remaining == [0] and grant.tokens == 150
    assert isinstance(await acquire(limiter, tpm(100), tokens=1), Refusal)
    await release(limiter, [tpm(100)], grant, tokens_used=40)  # settled to the real usage
    after = await acquire(limiter, tpm(100), tokens=60)
    assert isinstance(after, Grant) and after.remaining == [0]


async def test_calls_in_flight_are_leases_that_settle_returns(make: LimiterFactory) -> None:
    limiter = make()
    a = await acquire(limiter, inflight(2))
    b = await acquire(limiter, inflight(2))
    assert isinstance(a, Grant) and isinstance(b, Grant) and b.remaining == [0]
    refused = await acquire(limiter, inflight(2))
    assert refused == Refusal(0, None)  # when a call ends cannot be known
    await release(limiter, [inflight(2)], a, tokens_used=0)
    assert isinstance(await acquire(limiter, inflight(2)), Grant)


async def test_settling_requests_only_changes_nothing(make: LimiterFactory) -> None:
    limiter = make()
    grant = await acquire(limiter, rpm(2))
    assert isinstance(grant, Grant)
    await release(limiter, [rpm(2)], grant, tokens_used=500)
    after = await acquire(limiter, rpm(2))
    assert isinstance(after, Grant) and after.remaining == [0]


async def test_the_window_slides_and_reset_times_say_when(make: LimiterFactory) -> None:
    limiter = make(window_s=1.0, buckets=10)
    grant = await acquire(limiter, rpm(2))
    assert isinstance(grant, Grant) and 0.9 <= grant.reset_s <= 1.0
    assert isinstance(await acquire(limiter, rpm(2)), Grant)
    refused = await acquire(limiter, rpm(2))
    assert isinstance(refused, Refusal) and refused.retry_after_s is not None
    assert 0 < refused.retry_after_s <= 1.1
    await asyncio.sleep(refused.retry_after_s + 0.15)
    again = await acquire(limiter, rpm(2))
    assert isinstance(again, Grant)


async def test_a_token_settlement_after_the_window_left_only_charges_an_excess(make: LimiterFactory) -> None:
    limiter = make(window_s=1.0, buckets=10)
    grant = await acquire(limiter, tpm(100), tokens=50)
    assert isinstance(grant, Grant)
    await asyncio.sleep(1.15)  # the reservation's bucket has left the window
    await release(limiter, [tpm(100)], grant, tokens_used=80)  # 30 over the reservation
    after = await acquire(limiter, tpm(100), tokens=1)
    assert isinstance(after, Grant) and after.remaining == [69]


async def test_redis_leases_of_a_vanished_replica_expire(redis_url: str) -> None:
    store = RedisStore(redis_url, 1.0, "contract:")
    try:
        limiter = RedisLimiter(store, lease_margin_s=0.0)  # a lease ends with its call's deadline
        assert isinstance(await limiter.acquire([inflight(1)], 0, time.monotonic() - 5), Grant)  # held 1 s
        assert isinstance(await limiter.acquire([inflight(1)], 0, None), Refusal)
        await asyncio.sleep(1.1)
        assert isinstance(await limiter.acquire([inflight(1)], 0, None), Grant)
    finally:
        await store.aclose()


async def test_two_redis_clients_share_one_window(redis_url: str) -> None:
    stores = [RedisStore(redis_url, 1.0, "contract:") for _ in range(2)]
    try:
        limiters: list[Any] = [RedisLimiter(s) for s in stores]
        results = await asyncio.gather(*(acquire(limiters[i % 2], rpm(7)) for i in range(20)))
        assert sum(isinstance(r, Grant) for r in results) == 7
    finally:
        for store in stores:
            await store.aclose()
