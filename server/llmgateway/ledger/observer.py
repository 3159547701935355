"""The built-in "ledger" observer: every data-plane call that ends is queued for the
writer (`call_ended` appends the finished `Call` to a bounded deque); the writer's
thread makes it a row (`row_of`), off the event loop.

A call's row: when it ended (UTC), request id, method, API key id and its `team`
label, the model (the registry id it resolved to; "" when refused before that),
what served it, its tokens by kind (a stream that stopped early has the usage the
core estimated from what it streamed), its cost (`Call.cost`; NULL when unknown; a
call that was never answered costs 0: nothing reached a provider's answer), what a
cache hit saved, latency, status and ErrorInfo reason, cache status and tags."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from llmgateway.core.calls import Call
from llmgateway.core.cost import ZERO
from llmgateway.ledger.store import LedgerStore
from llmgateway.ledger.writer import LedgerMetrics, LedgerWriter, Row
from llmgateway.stores import settings_section

# The methods that have a row: the data plane's inference calls.
METHODS = frozenset({"Chat", "StreamChat", "Embed", "GenerateImage", "Transcribe", "SynthesizeSpeech"})
TEAM_LABEL = "team"


class LedgerObserver:
    """Queues each ended data-plane call; `start`/`aclose` run the writer."""

    def __init__(self, writer: LedgerWriter) -> None:
        self.writer = writer
        self._add = writer.add

    def call_ended(self, call: Call) -> None:
        if call.method in METHODS:
            self._add((time.time(), call.latency_ms, call))

    async def start(self) -> None:
        await self.writer.start()

    async def aclose(self) -> None:
        await self.writer.aclose()


def _cut(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def row_of(item: tuple[float, float, Call]) -> Row:
    """The ledger row of a queued call."""
    ended, latency_ms, call = item
    principal, served, usage, cache = call.principal, call.served, call.usage, call.cache
    cost = call.cost
    amount: Decimal | None
    currency: str | None
    if cost is None and served is None and usage is None:
        amount, currency = ZERO, "USD"  # never answered: nothing was billed
    else:
        amount, currency = (cost.amount, cost.currency) if cost is not None else (None, None)
    saved = call.saved
    error = call.error
    return {
        "at": datetime.fromtimestamp(ended, UTC),
        "request_id": call.request_id,
        "method": call.method,
        "key_id": principal.key_id if principal is not None else None,
        "team": _cut(principal.labels.get(TEAM_LABEL), 200) if principal is not None else None,
        "model": _cut(call.model, 200),
        "provider": _cut(served.provider, 64) if served else None,
        "deployment": _cut(served.deployment, 200) if served else None,
        "upstream_model": _cut(served.upstream_model, 200) if served else None,
        "prompt_tokens": usage.prompt_tokens if usage else 0,
        "completion_tokens": usage.completion_tokens if usage else 0,
        "cached_prompt_tokens": usage.cached_prompt_tokens if usage else 0,
        "cache_write_tokens": usage.cache_write_tokens if usage else 0,
        "reasoning_tokens": usage.reasoning_tokens if usage else 0,
        "usage_estimated": bool(usage and usage.estimated),
        "cost": amount,
        "currency": currency,
        "saved": saved.amount if saved is not None else None,
        "latency_ms": round(latency_ms, 3),
        "status": call.status[:32],
        "reason": error.reason.value if error is not None else None,
        "cache_status": cache.status.value if cache is not None and cache.status is not None else None,
        "tags": dict(call.tags) if call.tags else None,
    }


def build(components: Any, **options: Any) -> LedgerObserver | None:
    """The built-in "ledger" observer: None unless `ledger.enabled`. Its rows go to the
    registry database, through an engine of its own (its own pool and thread)."""
    settings = settings_section("ledger", components, options)
    if not settings.enabled:
        return None
    from llmgateway.registry.db import create_registry_engine

    registry = components.registry
    url = registry.engine.url.render_as_string(hide_password=False)
    store = LedgerStore(create_registry_engine(url))
    return LedgerObserver(LedgerWriter(store, settings, row_of, LedgerMetrics()))
