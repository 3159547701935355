"""The ledger store on SQLite and PostgreSQL: `spend_since`, the read budgets rebuild
from (exact sums per currency, unknown cost apart, every filter), retention batches,
and the writer against a real database: a row the database refuses does not hold up
the others."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from llmgateway.ledger.settings import LedgerSettings
from llmgateway.ledger.store import TOKEN_KINDS, LedgerStore
from llmgateway.ledger.writer import LedgerWriter

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def row(hours_ago: float, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "at": NOW - timedelta(hours=hours_ago),
        "request_id": f"r{hours_ago}",
        "method": "Chat",
        "key_id": "aaaaaaaaaaaa",
        "team": "search",
        "model": "m/a",
        "usage_estimated": False,
        "latency_ms": 1.0,
        "status": "OK",
        "cost": Decimal("0.1"),
        "currency": "USD",
        "tags": {"task": "t1"},
    }
    return base | {kind: 1 for kind in TOKEN_KINDS} | fields


def test_spend_since_sums_exactly_by_filter(store: LedgerStore) -> None:
    store.insert(
        [
            row(1),
            row(2, cost=Decimal("0.2")),
            row(3, key_id="bbbbbbbbbbbb", team=None, tags=None, cost=None, currency=None),
            row(4, model="m/b", tags={"task": "t2"}, cost=Decimal("0.000000000001")),
            row(5, currency="EUR", cost=Decimal("7")),
            row(48),  # before the window
        ]
    )
    since = NOW - timedelta(days=1)
    every = store.spend_since(since)
    assert (every.calls, every.unknown_cost_calls, every.prompt_tokens, every.total_tokens) == (5, 1, 5, 10)
    assert every.cost == {"USD": Decimal("0.300000000001"), "EUR": Decimal("7")}
    assert store.spend_since(since, key_id="bbbbbbbbbbbb").cost == {}
    assert store.spend_since(since, key_id="bbbbbbbbbbbb").unknown_cost_calls == 1
    assert store.spend_since(since, team="search").calls == 4
    assert store.spend_since(since, model="m/b").cost == {"USD": Decimal("0.000000000001")}
    assert store.spend_since(since, tag=("task", "t1")).cost == {"USD": Decimal("0.3"), "EUR": Decimal("7")}
    assert store.spend_since(since, until=NOW - timedelta(hours=1.5)).calls == 4
    assert store.spend_since(NOW - timedelta(days=3)).calls == 6
    assert store.spend_since(NOW).calls == 0 and store.spend_since(NOW).cost == {}


def test_purge_batch_deletes_only_old_rows(store: LedgerStore) -> None:
    store.insert([row(h) for h in (1, 30, 300)])
    assert store.purge_batch(NOW - timedelta(hours=24)) == 2
    assert store.count() == 1


async def test_a_row_the_database_refuses_is_dropped_and_counted_not_retried(store: LedgerStore) -> None:
    writer = LedgerWriter(store, LedgerSettings(enabled=True, batch_rows=10), lambda item: item)
    for item in (row(1), row(2, request_id=None), row(3)):  # request_id is NOT NULL
        writer.add(item)
    assert await writer.flush()
    assert store.count() == 2 and writer.dropped == 1
    assert writer.metrics.dropped._value.get() == 1 and writer.metrics.written._value.get() == 2
    await asyncio.wait_for(writer.aclose(), 10)


async def test_beyond_the_bound_rows_are_dropped_and_aclose_writes_the_rest(store: LedgerStore) -> None:
    writer = LedgerWriter(store, LedgerSettings(enabled=True, max_buffered_rows=3), lambda item: item)
    await writer.start()
    for h in range(5):
        writer.add(row(h))
    await writer.aclose()
    assert store.count() == 3 and writer.dropped == 2
