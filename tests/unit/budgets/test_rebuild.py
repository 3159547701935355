"""The counters the ledger rebuilds (SQLite and PostgreSQL): each budget's current
window per subject, in the budgets' currency (another currency and unknown costs count
their tokens only), `match` applied, calls without the subject left out, pages read
to the end."""

from __future__ import annotations

from decimal import Decimal

import pytest

from llmgateway.budgets import rebuild
from llmgateway.budgets.plan import Rules
from llmgateway.budgets.rebuild import ledger_counters
from llmgateway.budgets.settings import BudgetLimit
from llmgateway.core.budgets import Used
from llmgateway.ledger.store import LedgerStore
from tests.unit.ledger.test_store import NOW, row

LIMITS = [
    BudgetLimit(name="all", limit="10"),
    BudgetLimit(name="month", period="month", limit="10"),
    BudgetLimit(name="keys", scope="key", limit="10"),
    BudgetLimit(name="teams", scope="team", limit="10"),
    BudgetLimit(name="tasks", scope="tag", tag="task", limit="10"),
    BudgetLimit(name="a-models", scope="model", match=["m/a*"], tokens=100),
    BudgetLimit(name="squads", scope="team", label="squad", limit="10"),  # not in the ledger
]


def counters(ledger: LedgerStore) -> dict[str, Used]:
    found = ledger_counters(ledger.engine, Rules(LIMITS, lambda: 0.0), "USD", NOW.timestamp())
    return {charge.key: used for charge, used in found}


@pytest.mark.parametrize("page", [1000, 1])
def test_the_windows_of_every_budget_per_subject(
    store: LedgerStore,
    page: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rebuild, "PAGE", page)
    store.insert(
        [
            row(1),  # key aaaa, team search, model m/a, task t1: 0.1 USD, 2 tokens
            row(2, cost=Decimal("0.2")),
            row(3, key_id="bbbbbbbbbbbb", team=None, tags=None, cost=None, currency=None),
            row(4, model="m/b", tags={"task": "t2"}, cost=Decimal("0.000000000001")),
            row(5, currency="EUR", cost=Decimal("7")),
            row(30),  # yesterday: this month only
        ]
    )
    assert counters(store) == {
        "all:2026-12-02:": Used(300_001, 10),
        "month:2026-12:": Used(400_001, 12),
        "keys:2026-12-02:aaaaaaaaaaaa": Used(300_001, 8),
        "keys:2026-12-02:bbbbbbbbbbbb": Used(0, 2),
        "teams:2026-12-02:search": Used(300_001, 8),
        "tasks:2026-12-02:t1": Used(300_000, 6),
        "tasks:2026-12-02:t2": Used(1, 2),
        "a-models:2026-12-02:m/a": Used(300_000, 8),
    }
