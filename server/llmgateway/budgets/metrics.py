"""What the budgets policy tells Prometheus and the logs. Updated per call by plain
dict writes (no registry lookup, no lock); the collector turns them into metric
families at scrape time.

- llmgateway_budget_used{budget, subject} and llmgateway_budget_remaining{budget, subject}:
  money (in `budgets.currency`) of the current window, reservations of calls in flight
  included; `_tokens` twins for token limits. Subjects: "" (global), a key id, a team,
  a tag value, a model; at most `MAX_SERIES` (the first seen go first).
- llmgateway_budget_refused_total{budget}: calls refused because they did not fit.
- llmgateway_budget_threshold_crossed_total{budget, threshold}: a counter passed a soft
  threshold (counted, and logged, once per subject and window in each process).
- llmgateway_budget_unpriced_total{model, outcome}: calls to models without a price
  under a money budget (`refused`, or `allowed` by `allow_unpriced`).
- llmgateway_budget_unchecked_total{mode}: calls decided without the store (Redis
  unreachable: `fail_open` admitted, `fail_closed` refused).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from llmgateway.budgets.plan import Applied, Rule
from llmgateway.core.budgets import NO_LIMIT, UNITS_PER, Used

log = logging.getLogger("llmgateway.budgets")
MAX_SERIES = 2000
MAX_CROSSED = 10_000


class BudgetStats:
    def __init__(
        self, budgets: Sequence[str], thresholds: Sequence[float], clock: Callable[[], float]
    ) -> None:
        self.thresholds = tuple(sorted(thresholds))
        self.clock = clock
        self.current: dict[tuple[str, str], tuple[Applied, Used]] = {}
        # Counters of every budget start at 0, so that rate() sees their first increase.
        self.refused: dict[str, int] = dict.fromkeys(budgets, 0)
        self.crossed: dict[tuple[str, str], int] = {(b, str(t)): 0 for b in budgets for t in self.thresholds}
        self.unpriced: dict[tuple[str, str], int] = {}
        self.unchecked: dict[str, int] = {}
        self._crossed_once: set[tuple[str, str, float]] = set()
        self._first: dict[str, tuple[float, float]] = {}  # by budget: where its thresholds start

    def observe(self, applied: Sequence[Applied], used: Sequence[Used]) -> None:
        current = self.current
        first = self._first
        for a, u in zip(applied, used, strict=True):
            if u.money < 0:
                continue  # the counter is gone (its window long over)
            name = a.rule.name
            seen = current.get((name, a.subject))
            if u.version and seen is not None and seen[0].window == a.window and seen[1].version >= u.version:
                continue  # a later write of the same counter was observed first
            current[(name, a.subject)] = (a, u)
            at = first.get(name)
            if at is None:
                at = first[name] = self._lowest(a.rule)
            if u.money >= at[0] or u.tokens >= at[1]:
                self._threshold(a, u)
        if len(current) > MAX_SERIES:
            # The series seen first goes; one still in use comes back with its next call.
            del current[next(iter(current))]

    def _lowest(self, rule: Rule) -> tuple[float, float]:
        """Money and tokens at the lowest soft threshold (inf: none)."""
        if not self.thresholds:
            return math.inf, math.inf
        t = self.thresholds[0]
        return (
            rule.money * t if rule.money > 0 else math.inf,
            rule.tokens * t if rule.tokens > 0 else math.inf,
        )

    def _threshold(self, a: Applied, u: Used) -> None:
        rule = a.rule
        share = max(
            u.money / rule.money if rule.money > 0 else 0.0,
            u.tokens / rule.tokens if rule.tokens > 0 else 0.0,
        )
        for threshold in self.thresholds:
            if share < threshold:
                break
            once = (f"{rule.name}:{a.window.id}:{a.subject}", str(threshold), a.window.start)
            if once in self._crossed_once:
                continue
            if len(self._crossed_once) >= MAX_CROSSED:
                self._crossed_once.clear()
            self._crossed_once.add(once)
            key = (rule.name, str(threshold))
            self.crossed[key] = self.crossed.get(key, 0) + 1
            log.warning(
                "budget %s passed %d%% for %s in %s",
                rule.name,
                round(threshold * 100),
                a.subject or "every call",
                a.window.id,
                extra={"budget": rule.name, "subject": a.subject, "window": a.window.id},
            )

    def count(self, table: dict[Any, int], key: Any) -> None:
        table[key] = table.get(key, 0) + 1


class BudgetCollector(Collector):
    def __init__(self, stats: BudgetStats) -> None:
        self.stats = stats

    def collect(self) -> Iterator[Any]:
        stats = self.stats
        now = stats.clock()
        names = ("budget", "subject")
        used = GaugeMetricFamily(
            "llmgateway_budget_used", "Money counted in the current window", labels=names
        )
        left = GaugeMetricFamily(
            "llmgateway_budget_remaining", "Money left in the current window", labels=names
        )
        used_t = GaugeMetricFamily(
            "llmgateway_budget_used_tokens", "Tokens counted in the window", labels=names
        )
        left_t = GaugeMetricFamily(
            "llmgateway_budget_remaining_tokens", "Tokens left in the window", labels=names
        )
        for (name, subject), (a, u) in list(stats.current.items()):
            over = a.window.end is not None and now >= a.window.end
            money, tokens = (0, 0) if over else (u.money, u.tokens)
            rule = a.rule
            used.add_metric([name, subject], money / UNITS_PER)
            used_t.add_metric([name, subject], tokens)
            if rule.money != NO_LIMIT:
                left.add_metric([name, subject], max(0, rule.money - money) / UNITS_PER)
            if rule.tokens != NO_LIMIT:
                left_t.add_metric([name, subject], max(0, rule.tokens - tokens))
        yield from (used, left, used_t, left_t)
        yield _counter("llmgateway_budget_refused", "Calls refused by a budget", ("budget",), stats.refused)
        yield _counter(
            "llmgateway_budget_threshold_crossed",
            "Soft thresholds passed",
            ("budget", "threshold"),
            stats.crossed,
        )
        yield _counter(
            "llmgateway_budget_unpriced",
            "Calls to unpriced models under a money budget",
            ("model", "outcome"),
            stats.unpriced,
        )
        yield _counter(
            "llmgateway_budget_unchecked",
            "Calls decided without the budget store",
            ("mode",),
            stats.unchecked,
        )


def _gauge(name: str, doc: str) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"llmgateway_budget_{name}", doc, labels=("budget", "subject"))


def _counter(name: str, doc: str, labels: Sequence[str], table: dict[Any, int]) -> CounterMetricFamily:
    family = CounterMetricFamily(name, doc, labels=labels)
    for key, value in list(table.items()):
        family.add_metric(list(key) if isinstance(key, tuple) else [key], value)
    return family
