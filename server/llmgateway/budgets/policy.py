"""The `budgets` policy: money (and tokens) per key, team, tag value, model and overall,
per day, month (UTC) or in total, that concurrent calls cannot overspend.

`admit` (after sessions, so it sees the real model and the history; before the
cache, so a hit still needs room but settles to nothing) reserves the call's worst
case on every budget that applies, all or none, in one store round trip: the prompt
estimate plus `max_tokens` (or the model's output cap, or
`budgets.default_completion_tokens`) at the highest prices of the deployments and
fallbacks that could serve it (images and speech: their price per image and per
character; a transcription reserves nothing). A call that does not fit is refused before any
upstream request: RESOURCE_EXHAUSTED / BUDGET_EXCEEDED with a QuotaFailure naming
the budget (`budget:<name>[:<subject>]`).

`settle` replaces the reservation by what the call cost (`call.cost`: its usage at
the serving deployment's prices, zero for a cache hit), in one more round trip:
- a failed call or a cancelled stream is charged what it used: its usage when the
  provider reported one, else, once an answer had started, the prompt estimate plus
  a token per streamed delta at the serving prices (estimated, like the ledger);
- a call that got no answer at all (refused upstream, timed out before answering)
  is charged nothing: providers do not bill a request they did not answer;
- a cost in another currency than `budgets.currency` (a model admitted as unpriced)
  keeps its reservation.

A model without a price (or priced in another currency) cannot be counted in money:
under a money budget a call that may reach it (itself or a fallback) is refused, unless
`budgets.allow_unpriced` matches it (local models): it then counts its tokens only, is
logged once and counted in metrics, and the call reserves the worst case of the
priced models of its chain.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from llmgateway.budgets.metrics import BudgetCollector, BudgetStats
from llmgateway.budgets.plan import Applied, Rules, WorstCase, charges
from llmgateway.budgets.settings import BudgetSettings
from llmgateway.core.budgets import (
    NO_LIMIT,
    BudgetStore,
    BudgetsUnavailable,
    Charge,
    Refused,
    Used,
    from_units,
    to_units,
)
from llmgateway.core.calls import Call
from llmgateway.core.cost import usage_cost
from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.estimate import prompt_tokens, text_tokens
from llmgateway.core.models import ModelCatalog
from llmgateway.core.patterns import ModelGrant
from llmgateway.core.pipeline import Admit, Outcome, Request
from llmgateway.core.types import ChatRequest, EmbedRequest, ImageRequest, SpeechRequest, Usage
from llmgateway.stores import settings_section, shared_redis

log = logging.getLogger("llmgateway.budgets")
FromLedger = Callable[[Rules, float], list[tuple[Charge, Used]]]


class _Ticket(NamedTuple):
    applied: list[Applied]
    charges: tuple[Charge, ...]
    money: int  # reserved on each counter, micro-units
    tokens: int
    prompt_tokens: int  # the estimate, for a stream cut short without usage


class BudgetPolicy:
    wants_result = False

    def __init__(
        self,
        store: BudgetStore,
        catalog: ModelCatalog,
        settings: BudgetSettings,
        clock: Callable[[], float] = time.time,
        from_ledger: FromLedger | None = None,
        shared: bool = False,
    ) -> None:
        self.store = store
        self.clock = clock
        # What the ledger says the counters hold (blocking), for `start`; None: no rebuild.
        self.from_ledger = from_ledger
        self.shared = shared  # the store outlives this process (Redis): fill missing counters only
        self.catalog = catalog
        self.currency = settings.currency
        self.rules = Rules(settings.limits, clock)
        self.worst = WorstCase(catalog, settings.currency, settings.default_completion_tokens)
        self.allow_unpriced = ModelGrant(settings.allow_unpriced) if settings.allow_unpriced else None
        self.fail_open = settings.failure_mode == "fail_open"
        self.stats = BudgetStats([b.name for b in settings.limits], settings.soft_thresholds, clock)
        self._tickets: dict[int, _Ticket] = {}
        self._unpriced_logged: set[str] = set()

    async def start(self) -> None:
        """Rebuilds the counters of the current windows from the usage ledger."""
        if self.from_ledger is None:
            return
        try:
            counters = await asyncio.to_thread(self.from_ledger, self.rules, self.clock())
            filled = await self.store.seed(counters, only_missing=self.shared)
        except Exception:
            log.exception("budgets: the counters could not be rebuilt from the usage ledger")
            return
        log.info("budgets rebuilt from the usage ledger", extra={"counters": len(counters), "filled": filled})

    def collector(self) -> BudgetCollector:
        """The policy's metrics, for the server's exposition."""
        return BudgetCollector(self.stats)

    async def admit(self, call: Call, request: Request) -> Admit | None:
        model = self.catalog.get(request.model)
        if model is None:
            return None  # the core answers MODEL_NOT_FOUND
        applied = self.rules.applied(call, model.id)
        if not applied:
            return None
        prompt, max_tokens, media = _estimate(request)
        worst = self.worst.cost(model, prompt, max_tokens, media)
        if worst.unpriced:
            priced_by = next((a for a in applied if a.rule.money != NO_LIMIT), None)
            if priced_by is not None:
                for model_id in worst.unpriced:
                    self._unpriced(model_id, priced_by)
        money, tokens = to_units(worst.money), worst.tokens
        reserved = charges(applied, money, tokens)
        try:
            # (A call cancelled while Redis runs the script may keep what it reserved
            # until the window ends: an overcount, never an overspend.)
            decision = await self.store.reserve(reserved)
        except BudgetsUnavailable:
            mode = "fail_open" if self.fail_open else "fail_closed"
            self.stats.count(self.stats.unchecked, mode)
            if self.fail_open:
                return None
            raise GatewayError(
                Reason.LIMITS_UNAVAILABLE,
                "the gateway cannot check budgets right now and refuses calls until it can",
            ) from None
        if isinstance(decision, Refused):
            raise self._refused(applied[decision.failed], decision.used, money, tokens)
        self._tickets[id(call)] = _Ticket(applied, reserved, money, tokens, prompt)
        self.stats.observe(applied, decision.used)
        return None

    async def settle(self, call: Call, outcome: Outcome) -> None:
        ticket = self._tickets.pop(id(call), None)
        if ticket is None:
            return
        money, tokens = self._spent(call, ticket)
        delta = Used(money - ticket.money, tokens - ticket.tokens)
        if not (delta.money or delta.tokens):
            return
        try:
            used = await self.store.adjust(ticket.charges, [delta] * len(ticket.charges))
        except BudgetsUnavailable:
            # The reservation stays counted until its window ends: never an overspend.
            log.warning("budgets: could not settle request %s (store unreachable)", call.request_id)
            return
        self.stats.observe(ticket.applied, used)

    def _spent(self, call: Call, ticket: _Ticket) -> tuple[int, int]:
        """(money in micro-units, tokens) the call used."""
        if call.cache is not None and call.cache.answered:
            return 0, 0  # no upstream call
        usage = call.usage
        streamed = call.first_event_at is not None
        if usage is None and streamed:
            # A stream cut short with no usage reported: about a token per delta.
            usage = Usage(ticket.prompt_tokens, call.events, estimated=True)
        tokens = 0 if usage is None else usage.total_tokens
        cost = call.cost
        if cost is None and usage is not None:
            cost = usage_cost(call.pricing, usage)
        if cost is None:
            return 0, tokens  # no answer (or an allowed unpriced model): nothing billed
        if cost.currency != self.currency:
            return ticket.money, tokens  # admitted as unpriced (allow_unpriced): logged at admit
        return to_units(cost.amount), tokens

    def _unpriced(self, model_id: str, applied: Applied) -> None:
        allowed = self.allow_unpriced is not None and self.allow_unpriced.allows(model_id)
        self.stats.count(self.stats.unpriced, (model_id, "allowed" if allowed else "refused"))
        if allowed:
            if model_id not in self._unpriced_logged:
                self._unpriced_logged.add(model_id)
                log.warning("budgets: model %s has no price; its calls count tokens only", model_id)
            return
        rule = applied.rule
        self.stats.count(self.stats.refused, rule.name)
        raise GatewayError(
            Reason.BUDGET_EXCEEDED,
            f"model {model_id!r} has no price in {self.currency}, so the {rule.describe(self.currency)} "
            "cannot count its calls",
            metadata={"budget": rule.name, "model": model_id},
            quota_violations=[(_subject(applied), f"{rule.describe(self.currency)}: model has no price")],
        )

    def _refused(self, applied: Applied, used: Used, money: int, tokens: int) -> GatewayError:
        rule, window = applied.rule, applied.window
        self.stats.count(self.stats.refused, rule.name)
        if rule.money != NO_LIMIT and used.money + money > rule.money:
            state = (
                f"{from_units(used.money)} of {from_units(rule.money)} {self.currency} used, "
                f"this call may cost up to {from_units(money)}"
            )
        else:
            state = f"{used.tokens} of {rule.tokens} tokens used, this call may use up to {tokens}"
        whose = f" for {rule.scope} {applied.subject!r}" if applied.subject else ""
        metadata = {"budget": rule.name, "period": rule.period.value, "window": window.id}
        if window.end is not None:
            metadata["resets_at"] = datetime.fromtimestamp(window.end, UTC).isoformat()
        return GatewayError(
            Reason.BUDGET_EXCEEDED,
            f"the {rule.describe(self.currency)}{whose} is spent ({window.id}): {state}",
            metadata=metadata,
            quota_violations=[(_subject(applied), f"{rule.describe(self.currency)} ({window.id}): {state}")],
        )


def _subject(applied: Applied) -> str:
    name = f"budget:{applied.rule.name}"
    return f"{name}:{applied.subject}" if applied.subject else name


def _estimate(request: Request) -> tuple[int, int | None, Usage | None]:
    """(prompt estimate, the caller's output cap, what a media call will produce) of a
    request: the gateway's one prompt estimate (core/estimate.py); the images asked for,
    the characters to speak. A transcription reserves nothing (its audio's length is
    known once decoded) and is settled to its real cost."""
    if isinstance(request, ChatRequest):
        return prompt_tokens(request), request.generation.max_tokens, None
    if isinstance(request, EmbedRequest):
        return text_tokens(sum(len(text) for text in request.inputs)), 0, None
    if isinstance(request, ImageRequest):
        images = Usage(images=request.count, image_size=request.size, image_quality=request.quality)
        return text_tokens(len(request.prompt)), 0, images
    if isinstance(request, SpeechRequest):
        return 0, 0, Usage(characters=len(request.input))
    return 0, 0, None


def build(components: Any, **options: Any) -> BudgetPolicy | None:
    """The built-in "budgets" policy: None when `budgets.limits` is empty. Counted in
    Redis when `redis.url` is set (unless `budgets.backend: memory`), else in this process;
    worker processes without Redis are refused unless `budgets.backend: memory` says so."""
    from llmgateway.budgets.memory import MemoryBudgetStore
    from llmgateway.budgets.redis import RedisBudgetStore

    settings: BudgetSettings = settings_section("budgets", components, options)
    if not settings.limits:
        return None
    redis = shared_redis("budgets", components, settings.backend, local="memory")
    store: BudgetStore
    shared = False  # the counters outlive this process (Redis)
    if redis is not None:
        store, shared = RedisBudgetStore(redis), True
    elif components.worker and settings.backend == "auto":
        raise ValueError(
            "budgets in several worker processes need redis.url: each worker would count its own and "
            "admit up to N times a budget (set budgets.backend: memory to accept that)"
        )
    else:
        store = MemoryBudgetStore()
    from_ledger = None
    if settings.rebuild_on_start and components.settings.ledger.enabled:
        from_ledger = _ledger_reader(components.registry.engine.url, settings.currency)
    catalog = components.registry.catalog
    return BudgetPolicy(store, catalog, settings, from_ledger=from_ledger, shared=shared)


def _ledger_reader(url: Any, currency: str) -> FromLedger:
    def read(rules: Rules, now: float) -> list[tuple[Charge, Used]]:
        from llmgateway.budgets.rebuild import ledger_counters
        from llmgateway.registry.db import create_registry_engine

        engine = create_registry_engine(url.render_as_string(hide_password=False))
        try:
            return ledger_counters(engine, rules, currency, now)
        finally:
            engine.dispose()

    return read
