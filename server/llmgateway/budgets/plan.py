"""Which budgets a call counts against, and the most it may cost.

`Rules` compiles the configured budgets once and, per call, names the counters that
apply (budget x subject x window). `WorstCase` prices a call's reservation: the
prompt estimate plus `max_tokens` (or the model's output cap, or a configured
default), at the highest prices of every deployment and fallback that could serve
it; images and speech at their prices per image and per character. A model with a
deployment without a price (or priced in another currency) cannot be priced, and is
named for the policy to refuse or allow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import NamedTuple

from llmgateway.budgets.settings import BudgetLimit
from llmgateway.core.attempts import build_plan
from llmgateway.core.budgets import GRACE_S, NO_LIMIT, Charge, Period, Window, from_units, to_units, window
from llmgateway.core.calls import Call
from llmgateway.core.cost import Cost, usage_cost, worst_case_cost
from llmgateway.core.deadline import Timeouts
from llmgateway.core.models import CooldownPolicy, Model, ModelCatalog, Pricing, RetryPolicy
from llmgateway.core.patterns import ModelGrant
from llmgateway.core.types import Usage

_ADJECTIVE = {Period.DAY: "daily", Period.MONTH: "monthly", Period.TOTAL: "total"}
_GLOBAL, _KEY, _TEAM, _TAG, _MODEL = "global", "key", "team", "tag", "model"


class Rule(NamedTuple):
    """One configured budget, compiled."""

    name: str
    scope: str
    period: Period
    money: int  # micro-units, NO_LIMIT: none
    tokens: int  # NO_LIMIT: none
    attribute: str  # the tag (scope tag) or key label (scope team) naming the subject
    match: ModelGrant  # the subjects it applies to (none: every one)

    def describe(self, currency: str) -> str:
        """`day budget of 10.00 USD and 50000 tokens`."""
        parts = [f"{from_units(self.money)} {currency}"] if self.money != NO_LIMIT else []
        if self.tokens != NO_LIMIT:
            parts.append(f"{self.tokens} tokens")
        return f"{_ADJECTIVE[self.period]} budget {self.name!r} of {' and '.join(parts)}"


class Applied(NamedTuple):
    """A counter a call counts against: its rule, its subject, its window."""

    rule: Rule
    subject: str
    window: Window


def compile_rule(limit: BudgetLimit) -> Rule:
    return Rule(
        limit.name,
        limit.scope,
        limit.period,
        NO_LIMIT if limit.limit is None else to_units(limit.limit),
        NO_LIMIT if limit.tokens is None else limit.tokens,
        limit.tag if limit.scope == _TAG else limit.label,
        ModelGrant(limit.match),
    )


class Rules:
    def __init__(self, limits: Sequence[BudgetLimit], clock: Callable[[], float]) -> None:
        self.rules = tuple(compile_rule(limit) for limit in limits)
        self.clock = clock
        self._windows: dict[Period, Window] = {}

    def window(self, period: Period, now: float) -> Window:
        """The current window of a period, computed once per window."""
        current = self._windows.get(period)
        if current is None or now < current.start or (current.end is not None and now >= current.end):
            current = self._windows[period] = window(period, now)
        return current

    def applied(self, call: Call, model_id: str) -> list[Applied]:
        now = self.clock()
        found: list[Applied] = []
        principal = call.principal
        for rule in self.rules:
            scope = rule.scope
            if scope == _GLOBAL:
                subject: str | None = ""
            elif scope == _MODEL:
                subject = model_id
            elif scope == _TAG:
                subject = call.tags.get(rule.attribute)
            elif principal is None:
                continue
            elif scope == _KEY:
                subject = principal.key_id
            else:
                subject = principal.labels.get(rule.attribute)
            if subject is None or not rule.match.allows(subject):
                continue
            found.append(Applied(rule, subject, self.window(rule.period, now)))
        return found


def charges(applied: Sequence[Applied], money: int, tokens: int) -> tuple[Charge, ...]:
    return tuple(
        Charge(
            f"{a.rule.name}:{a.window.id}:{a.subject}",
            a.rule.money,
            a.rule.tokens,
            money,
            tokens,
            0.0 if a.window.end is None else a.window.end + GRACE_S,
        )
        for a in applied
    )


class _Serving(NamedTuple):
    """One model of a call's chain (itself, then its fallbacks): its id, its
    deployments' prices and its output cap."""

    model_id: str
    prices: tuple[Pricing | None, ...]  # None: no price
    max_output_tokens: int


class Worst(NamedTuple):
    """The most a call may cost (over the priced models of its chain), the models of
    its chain that cannot be priced in the budgets' currency, the most tokens it may use."""

    money: Decimal
    unpriced: tuple[str, ...]
    tokens: int


class WorstCase:
    """The highest cost a call may reach, per model, cached per registry snapshot."""

    def __init__(self, catalog: ModelCatalog, currency: str, default_completion_tokens: int) -> None:
        self.catalog = catalog
        self.currency = currency
        self.default_completion = default_completion_tokens
        self._revision = ""
        self._chains: dict[str, tuple[_Serving, ...]] = {}

    def _chain(self, model: Model) -> tuple[_Serving, ...]:
        revision = self.catalog.revision
        if revision != self._revision:
            self._revision, self._chains = revision, {}
        chain = self._chains.get(model.id)
        if chain is None:
            models = [model] + [m for f in model.fallbacks if (m := self.catalog.get(f)) is not None]
            chain = self._chains[model.id] = tuple(_serving(m) for m in models)
        return chain

    def cost(
        self, model: Model, prompt_tokens: int, max_tokens: int | None, media: Usage | None = None
    ) -> Worst:
        """`media`: what an image or speech call will produce (priced as such)."""
        most = Decimal(0)
        most_tokens = 0
        unpriced: tuple[str, ...] = ()
        for serving in self._chain(model):
            cap = serving.max_output_tokens
            if max_tokens is not None:
                output = min(max_tokens, cap) if cap else max_tokens
            else:
                output = cap or self.default_completion
            most_tokens = max(most_tokens, prompt_tokens + output)
            for pricing in serving.prices:
                if media is None:
                    cost = worst_case_cost(pricing, prompt_tokens, output)
                else:
                    cost = _media_cost(pricing, media)
                if cost is None or cost.currency != self.currency:
                    if serving.model_id not in unpriced:
                        unpriced += (serving.model_id,)
                elif cost.amount > most:
                    most = cost.amount
        return Worst(most, unpriced, most_tokens)


def _media_cost(pricing: Pricing | None, media: Usage) -> Cost | None:
    """What images or speech cost; images of a size the call left to the provider at
    the model's dearest image price."""
    cost = usage_cost(pricing, media)
    if cost is None and pricing is not None and media.images and pricing.per_image:
        return Cost(media.images * max(pricing.per_image.values()), pricing.currency)
    return cost


def _serving(model: Model) -> _Serving:
    # The deployments' views as resilience serves them (the prices an attempt records).
    plan = build_plan(model, RetryPolicy(), CooldownPolicy(), Timeouts())
    return _Serving(model.id, tuple(t.config.pricing for t in plan.targets), model.max_output_tokens)
