"""One contract for the budget store port, run over the in-process backend and over a
real redis-server: all-or-none reservation of several counters, limits in money and
tokens, settling (never below zero, never resurrecting a counter), expiry, and
seeding from the ledger (Redis: only missing counters)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

import pytest

from llmgateway.budgets.memory import MemoryBudgetStore
from llmgateway.budgets.redis import RedisBudgetStore
from llmgateway.core.budgets import NO_LIMIT, BudgetStore, Charge, Refused, Reserved, Used
from llmgateway.stores.redis import RedisStore

Clock = list[float]


@pytest.fixture(params=["memory", "redis"])
async def make(request: pytest.FixtureRequest) -> AsyncIterator[Callable[[Clock], BudgetStore]]:
    stores: list[RedisStore] = []

    def factory(clock: Clock) -> BudgetStore:
        if request.param == "memory":
            return MemoryBudgetStore(lambda: clock[0])
        store = RedisStore(request.getfixturevalue("redis_url"), 1.0, "contract:")
        stores.append(store)
        return RedisBudgetStore(store)

    yield factory
    for store in stores:
        await store.aclose()


@pytest.fixture
def store(make: Callable[[Clock], BudgetStore]) -> BudgetStore:
    return make([1_000.0])


def counts(result: Reserved | Refused | tuple[Used, ...]) -> object:
    """A store's answer without the write versions of shared counters (Redis counts them)."""
    if isinstance(result, Reserved):
        return Reserved(tuple(Used(u.money, u.tokens) for u in result.used))
    if isinstance(result, Refused):
        return Refused(result.failed, Used(result.used.money, result.used.tokens))
    return tuple(Used(u.money, u.tokens) for u in result)


def charge(key: str = "b:day:k", money: int = 10, tokens: int = 5, limit: int = 30) -> Charge:
    return Charge(key, limit, NO_LIMIT, money, tokens, 0.0)


async def test_a_counter_admits_exactly_its_limit(store: BudgetStore) -> None:
    results = [counts(await store.reserve([charge()])) for _ in range(4)]
    assert results[:3] == [Reserved((Used(10 * i, 5 * i),)) for i in (1, 2, 3)]
    assert results[3] == Refused(0, Used(30, 15))


async def test_all_or_none_across_counters(store: BudgetStore) -> None:
    wide, narrow = charge("wide", limit=100), charge("narrow", limit=15)
    assert isinstance(await store.reserve([wide, narrow]), Reserved)
    assert counts(await store.reserve([wide, narrow])) == Refused(1, Used(10, 5))
    # the refused call reserved nothing, not even on the counter that had room
    assert counts(await store.reserve([charge("wide", money=0, tokens=0, limit=100)])) == Reserved(
        (Used(10, 5),)
    )


async def test_token_limits_and_money_less_budgets(store: BudgetStore) -> None:
    tokens_only = Charge("t", NO_LIMIT, 12, 10**9, 5, 0.0)
    assert isinstance(await store.reserve([tokens_only]), Reserved)
    assert isinstance(await store.reserve([tokens_only]), Reserved)
    assert counts(await store.reserve([tokens_only])) == Refused(0, Used(2 * 10**9, 10))


async def test_adjust_replaces_a_reservation_and_never_goes_negative(store: BudgetStore) -> None:
    c = charge(limit=20)
    await store.reserve([c])
    await store.reserve([c])
    assert isinstance(await store.reserve([c]), Refused)
    assert counts(await store.adjust([c], [Used(-7, -3)])) == (Used(13, 7),)  # cost 3 of the 10 reserved
    assert counts(await store.reserve([charge(money=7, limit=20)])) == Reserved((Used(20, 12),))  # fits again
    assert counts(await store.adjust([c], [Used(-1000, -1000)])) == (Used(0, 0),)
    assert counts(await store.reserve([charge(money=20, limit=20)])) == Reserved((Used(20, 5),))


async def test_adjust_leaves_missing_counters_alone(store: BudgetStore) -> None:
    assert counts(await store.adjust([charge("never")], [Used(5, 5)])) == (Used(-1, -1),)
    assert counts(await store.reserve([charge("never", money=0, tokens=0)])) == Reserved((Used(0, 0),))


async def test_counters_expire_with_their_window(make: Callable[[Clock], BudgetStore]) -> None:
    clock = [1_000.0]
    store = make(clock)
    soon = time.time() + 0.3 if isinstance(store, RedisBudgetStore) else 1_000.3
    c = Charge("e", 10, NO_LIMIT, 10, 1, soon)
    assert isinstance(await store.reserve([c]), Reserved)
    assert isinstance(await store.reserve([c]), Refused)
    if isinstance(store, RedisBudgetStore):  # the script set the expiry; make it pass now
        key = store.store.key("bg", "e")
        assert await store.store.client.pttl(key) > 0
        await store.store.client.pexpireat(key, int(time.time() * 1000) - 1)
    clock[0] = 1_000.5
    assert counts(await store.reserve([c])) == Reserved((Used(10, 1),))


async def test_seed_sets_counters_and_only_missing_ones_when_asked(store: BudgetStore) -> None:
    await store.reserve([charge("have")])
    seeded = [(charge("have"), Used(25, 2)), (charge("new"), Used(25, 2))]
    assert await store.seed(seeded, only_missing=True) == 1
    assert counts(await store.reserve([charge("have", money=0, tokens=0)])) == Reserved((Used(10, 5),))
    assert counts(await store.reserve([charge("new")])) == Refused(0, Used(25, 2))
    assert await store.seed(seeded, only_missing=False) == 2
    assert counts(await store.reserve([charge("have")])) == Refused(0, Used(25, 2))


async def test_a_shared_counter_numbers_its_writes(store: BudgetStore) -> None:
    """Results of concurrent calls may be applied out of order; the version tells the
    metrics which is the latest (in-process results arrive in order: version 0)."""
    first = await store.reserve([charge(limit=100)])
    second = await store.reserve([charge(limit=100)])
    (settled,) = await store.adjust([charge()], [Used(-1, 0)])
    assert isinstance(first, Reserved) and isinstance(second, Reserved)
    versions = [first.used[0].version, second.used[0].version, settled.version]
    assert versions == ([1, 2, 3] if isinstance(store, RedisBudgetStore) else [0, 0, 0])
