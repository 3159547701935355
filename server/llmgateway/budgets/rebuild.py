"""Budget counters rebuilt from the usage ledger (the source of truth) when a server
starts: for each budget, the spend of its current window per subject (grouped by key,
team, model or a tag's value with the QueryUsage query, page by page), in the
budgets' currency. The in-process store takes them all; Redis counters are shared and
outlive a restart, so only the missing ones are filled (after Redis lost them).

The ledger lags the calls a little: rows still in a writer's buffer (this or another
replica's) and calls still in flight elsewhere are not in it yet, so a rebuild counts
what the ledger's own totals would show at that moment. Calls of unknown cost count
their tokens only."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from llmgateway.budgets.plan import Applied, Rule, Rules, charges
from llmgateway.core.budgets import Charge, Used, to_units
from llmgateway.ledger.query import Dimension, UsageQuery, query_usage

log = logging.getLogger("llmgateway.budgets")
PAGE = 1000
ZERO = Decimal(0)
_DIMENSION = {"key": Dimension.KEY, "team": Dimension.TEAM, "model": Dimension.MODEL, "tag": Dimension.TAG}


def ledger_counters(engine: Engine, rules: Rules, currency: str, now: float) -> list[tuple[Charge, Used]]:
    """What the ledger says each budget's current window holds, per subject. Blocking:
    run it in a thread."""
    counters: list[tuple[Charge, Used]] = []
    end = datetime.fromtimestamp(now, UTC) + timedelta(days=1)
    for rule in rules.rules:
        if rule.scope == "team" and rule.attribute != "team":
            log.warning(
                "budget %s counts the key label %r, which the ledger does not keep: it starts at zero",
                rule.name,
                rule.attribute,
            )
            continue
        window = rules.window(rule.period, now)
        start = datetime.fromtimestamp(window.start, UTC)
        for subject, money, tokens in _spend(engine, rule, start, end, currency):
            if rule.scope != "global" and (not subject or not rule.match.allows(subject)):
                continue  # calls without the subject (no key, no such tag), or not matched
            (charge,) = charges([Applied(rule, subject, window)], 0, 0)
            counters.append((charge, Used(money, tokens)))
    return counters


def _spend(
    engine: Engine, rule: Rule, start: datetime, end: datetime, currency: str
) -> Iterator[tuple[str, int, int]]:
    """(subject, money in micro-units, tokens) of each group of the window's calls."""
    dimension = _DIMENSION.get(rule.scope)
    group_by = () if dimension is None else (dimension,)
    tag_key = rule.attribute if dimension is Dimension.TAG else ""
    after: tuple[str, ...] | None = None
    while True:
        query = UsageQuery(start, end, group_by=group_by, tag_key=tag_key, after=after, limit=PAGE)
        groups, more = query_usage(engine, query)
        for group in groups:
            tokens = group.tokens["prompt_tokens"] + group.tokens["completion_tokens"]
            yield (group.keys[0] if group.keys else ""), to_units(group.cost.get(currency, ZERO)), tokens
        if not more or not groups:
            return
        after = groups[-1].keys
