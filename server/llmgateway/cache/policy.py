"""The response cache as a policy of the pipeline, the last one by default (after keys,
limits, budgets and sessions: a hit still counts against the caller's limits, and the
cache sees the request as those policies rewrote it).

Chat and StreamChat share entries: `admit` looks the request up and, on a hit, returns
the stored answer (Chat returns it, StreamChat replays it as start, deltas and end,
with the original usage); on a miss the call goes upstream and `settle` stores the
answer only when it is complete (a stream after its end event; never a failed,
truncated or cancelled one, never an error). Identical calls in flight wait for the
first one's answer (`SingleFlight`: in this process, and through a short lock in a
shared backend across replicas), at most `coalesce_wait_s` and never past their
deadline; a waiter whose leader failed makes its own call.

Embed is cached per input text: the inputs already cached are not sent again, and
`settle` puts their vectors back in order into the upstream's result (the one place
a policy completes the result it shortened the request for). Images are not cached.

What the cache did is `call.cache` (CacheUse): the edge reports it to the caller, and
the ledger reads `call.cache.answered` (a hit costs nothing; its usage is the original
one, so the cost it saved can be priced).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import Any

from llmgateway.cache.codec import CodecError, decode_chat, decode_vector, encode_chat, encode_vector
from llmgateway.cache.flight import Lead, SingleFlight
from llmgateway.cache.keys import chat_key, embed_keys, model_revision, namespace
from llmgateway.cache.memory import MemoryResponseCache
from llmgateway.cache.redis import RedisResponseCache
from llmgateway.cache.rules import ModelRules, model_rules, samples
from llmgateway.cache.stats import CacheStats
from llmgateway.config import CacheSettings
from llmgateway.core.calls import CacheMode, CacheStatus, CacheUse, Call
from llmgateway.core.errors import cache_miss
from llmgateway.core.memo import Memo, by_wire
from llmgateway.core.models import Capability, Model, ModelCatalog
from llmgateway.core.pipeline import Admit, Outcome, Request
from llmgateway.core.ports import CacheUnavailable, ResponseCache
from llmgateway.core.router import chat_needs
from llmgateway.core.types import ChatRequest, ChatResult, EmbedRequest, EmbedResult, Served
from llmgateway.stores import settings_section, shared_redis

log = logging.getLogger(__name__)
_EMBED = frozenset({Capability.EMBED})


@dataclass(frozen=True, slots=True)
class _Model:
    config: Model
    rules: ModelRules
    revision: str


@dataclass(slots=True)
class _ChatTicket:
    """What `admit` leaves for `settle` on a chat it did not answer."""

    key: str
    ttl_s: float
    lead: Lead | None = None  # this call leads the flight of its key


@dataclass(slots=True)
class _EmbedTicket:
    ttl_s: float
    keys: list[str]  # of the texts sent upstream, in order
    vectors: list[list[float] | None]  # by input: the cached vectors (None: sent upstream)
    sent: list[int]  # by input: its position among the texts sent, -1 when cached


class CachePolicy:
    wants_result = True

    def __init__(
        self,
        store: ResponseCache,
        catalog: ModelCatalog,
        settings: CacheSettings,
        stats: CacheStats | None = None,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.settings = settings
        self.stats = stats if stats is not None else CacheStats()
        self.flight = SingleFlight(
            store,
            settings.coalesce_wait_s,
            settings.lock_ttl_s,
            settings.poll_interval_s,
            lambda: self._error("chat"),
        )
        self._models: dict[str, _Model] = {}
        # Repeated per hit of one entry, so done once (core/memo.py): the answers decoded
        # from stored values (shared by the hits: answers are read-only), and the keys of
        # requests received byte for byte before.
        self.decoded: Memo[bytes, tuple[ChatResult, Served, float]] = Memo(256, 4 * 1024 * 1024)
        self.keys: Memo[tuple[str, str, str, bytes], str] = Memo(1024, 4 * 1024 * 1024)
        self._tickets: dict[int, _ChatTicket | _EmbedTicket] = {}  # by id(call), admit to settle

    async def admit(self, call: Call, request: Request) -> Admit | None:
        if isinstance(request, ChatRequest):
            return await self._admit_chat(call, request)
        if isinstance(request, EmbedRequest):
            return await self._admit_embed(call, request)
        return None

    async def settle(self, call: Call, outcome: Outcome) -> None:
        ticket = self._tickets.pop(id(call), None)
        if isinstance(ticket, _ChatTicket):
            await self._settle_chat(call, ticket, outcome)
        elif ticket is not None:
            await self._settle_embed(call, ticket, outcome)

    # -- chat ------------------------------------------------------------------------------
    async def _admit_chat(self, call: Call, req: ChatRequest) -> Admit | None:
        use = _use(call)
        model = self._model(req.model, chat_needs(call.method, req))
        if model is None:
            return None  # the core answers MODEL_NOT_FOUND, MODEL_DISABLED, CAPABILITY_NOT_SUPPORTED
        rules = model.rules
        if use.mode is CacheMode.BYPASS or not rules.enabled or (samples(req) and not rules.sampled):
            self._bypass(use, model.config.id, "chat")
            return None
        try:
            key = self._chat_key(call, model, req)
        except TypeError:  # orjson: something no request should hold
            self._bypass(use, model.config.id, "chat")
            return None
        call.model = model.config.id
        ttl = _ttl(use, rules)
        if use.mode is CacheMode.REFRESH:
            self.stats.add("refreshes", "chat")
            self._pending(call, use, CacheStatus.REFRESH, _ChatTicket(key, ttl))
            return None
        value = (await self._get([key], "chat"))[0]
        if value is not None:
            answer = self._chat_answer(call, use, value, CacheStatus.HIT, model.config)
            if answer is not None:
                return answer
        self.stats.add("misses", "chat")
        if use.mode is CacheMode.ONLY:
            raise cache_miss(model.config.id)
        if not self.settings.coalesce:
            self._pending(call, use, CacheStatus.MISS, _ChatTicket(key, ttl))
            return None
        return await self._coalesce(call, use, key, ttl, model.config)

    def _chat_key(self, call: Call, model: _Model, req: ChatRequest) -> str:
        space, model_id, revision = namespace(call.principal), model.config.id, model.revision
        wire = call.wire_request  # empty once a policy rewrote the request
        if not by_wire(wire):
            return chat_key(space, model_id, revision, req)
        return self.keys.get_or_make(
            (space, model_id, revision, wire), lambda: chat_key(space, model_id, revision, req), len(wire)
        )

    async def _coalesce(self, call: Call, use: CacheUse, key: str, ttl: float, config: Model) -> Admit | None:
        """Waits for an identical call in flight, or leads (see SingleFlight)."""
        value, lead = await self.flight.join(key, call.deadline)
        if value is not None and (
            answer := self._chat_answer(call, use, value, CacheStatus.COALESCED, config)
        ):
            return answer
        self._pending(call, use, CacheStatus.MISS, _ChatTicket(key, ttl, lead))
        return None

    def _chat_answer(
        self, call: Call, use: CacheUse, value: bytes, status: CacheStatus, config: Model
    ) -> Admit | None:
        try:
            result, served, stored_at = self.decoded.get_or_make(
                value, lambda: decode_chat(value), len(value)
            )
        except CodecError:
            self._error("chat")
            return None
        call.served = served  # what originally served it; the replayed start event names it
        call.pricing = config.pricing_of(served.deployment)  # what the answer saved (Call.saved)
        use.status = status
        use.age_s = max(0.0, time.time() - stored_at)
        use.replay_chunk_chars = self.settings.replay_chunk_chars
        self.stats.add("hits" if status is CacheStatus.HIT else "coalesced", "chat")
        return Admit(answer=result)

    async def _settle_chat(self, call: Call, ticket: _ChatTicket, outcome: Outcome) -> None:
        value = None
        if _complete(outcome) and isinstance(outcome.result, ChatResult) and call.served is not None:
            value = encode_chat(outcome.result, call.served, time.time())
        if ticket.lead is not None:
            self.flight.land(ticket.lead, value)
        if value is not None:
            try:
                await self._store([(ticket.key, value)], ticket.ttl_s, "chat")
            except CacheUnavailable:
                self._error("chat")
        if ticket.lead is not None:
            await self.flight.release(ticket.lead)

    # -- embed -----------------------------------------------------------------------------
    async def _admit_embed(self, call: Call, req: EmbedRequest) -> Admit | None:
        use = _use(call)
        model = self._model(req.model, _EMBED)
        if model is None:
            return None
        if use.mode is CacheMode.BYPASS or not model.rules.enabled:
            self._bypass(use, model.config.id, "embed")
            return None
        call.model = model.config.id
        keys = embed_keys(
            namespace(call.principal), model.config.id, model.revision, req.dimensions, req.inputs
        )
        refresh = use.mode is CacheMode.REFRESH
        values: list[bytes | None] = [None] * len(keys) if refresh else await self._get(keys, "embed")
        vectors: list[list[float] | None] = []
        oldest, served = time.time(), None
        for value in values:
            vector = None
            if value is not None:
                try:
                    vector, served, stored_at = decode_vector(value)
                    oldest = min(oldest, stored_at)
                except CodecError:
                    self._error("embed")
            vectors.append(vector)
        hits = len(vectors) - vectors.count(None)
        self.stats.add("hits", "embed", hits)
        self.stats.add("refreshes" if refresh else "misses", "embed", len(vectors) - hits)
        if served is not None and hits == len(vectors):
            call.served, call.pricing = served, model.config.pricing_of(served.deployment)
            use.status, use.age_s = CacheStatus.HIT, max(0.0, time.time() - oldest)
            return Admit(answer=EmbedResult([v for v in vectors if v is not None], prompt_tokens=0))
        if use.mode is CacheMode.ONLY:
            raise cache_miss(model.config.id)
        # Each text not cached is sent once, in order.
        position: dict[str, int] = {}
        texts: list[str] = []
        sent: list[int] = []
        for text, key, vector in zip(req.inputs, keys, vectors, strict=True):
            if vector is not None:
                sent.append(-1)
                continue
            if key not in position:
                position[key] = len(texts)
                texts.append(text)
            sent.append(position[key])
        ticket = _EmbedTicket(_ttl(use, model.rules), list(position), vectors, sent)
        self._pending(call, use, CacheStatus.REFRESH if refresh else CacheStatus.MISS, ticket)
        return (
            None if len(texts) == len(req.inputs) else Admit(request=dataclasses.replace(req, inputs=texts))
        )

    async def _settle_embed(self, call: Call, ticket: _EmbedTicket, outcome: Outcome) -> None:
        result = outcome.result
        if not _complete(outcome) or not isinstance(result, EmbedResult):
            return
        fetched = result.vectors
        if len(fetched) != len(ticket.keys):
            log.warning(
                "embed request %s: %d vectors for %d inputs", call.request_id, len(fetched), len(ticket.keys)
            )
            return
        # The caller's answer: one vector per input of its request, in order.
        result.vectors = [
            fetched[i] if i >= 0 else v or [] for i, v in zip(ticket.sent, ticket.vectors, strict=True)
        ]
        served, now = call.served, time.time()
        if served is None:
            return
        items = [
            (k, v)
            for k, vec in zip(ticket.keys, fetched, strict=True)
            if (v := encode_vector(vec, served, now))
        ]
        try:
            await self._store(items, ticket.ttl_s, "embed")
        except CacheUnavailable:
            self._error("embed")

    # -- shared steps ----------------------------------------------------------------------
    def _model(self, model_id: str, needs: frozenset[Capability]) -> _Model | None:
        """The registry model with what the cache needs of it (worked out once per
        version of the model), or None when the core will refuse the call (so a hit
        never serves what the model may no longer do)."""
        config = self.catalog.get(model_id)
        if config is None or not config.is_available or not needs <= config.capabilities:
            return None
        model = self._models.get(config.id)
        if model is None or model.config is not config:
            model = _Model(
                config, model_rules(config.id, config.options, self.settings), model_revision(config)
            )
            self._models[config.id] = model
        return model

    def _bypass(self, use: CacheUse, model_id: str, kind: str) -> None:
        if use.mode is CacheMode.ONLY:
            raise cache_miss(model_id)
        use.status = CacheStatus.BYPASS
        self.stats.add("bypasses", kind)

    def _pending(
        self, call: Call, use: CacheUse, status: CacheStatus, ticket: _ChatTicket | _EmbedTicket
    ) -> None:
        use.status = status
        self._tickets[id(call)] = ticket

    async def _get(self, keys: list[str], kind: str) -> list[bytes | None]:
        try:
            return await self.store.get_many(keys)
        except CacheUnavailable:
            self._error(kind)
            return [None] * len(keys)

    async def _store(self, items: list[tuple[str, bytes]], ttl_s: float, kind: str) -> None:
        items = [(k, v) for k, v in items if len(v) <= self.settings.max_entry_bytes]
        if items:
            await self.store.set_many(items, ttl_s)
            self.stats.add("stores", kind, len(items))
            self.stats.add("stored_bytes", kind, sum(len(v) for _, v in items))

    def _error(self, kind: str) -> None:
        self.stats.add("errors", kind)


def _use(call: Call) -> CacheUse:
    if call.cache is None:
        call.cache = CacheUse()
    return call.cache


def _ttl(use: CacheUse, rules: ModelRules) -> float:
    return rules.ttl_s if use.ttl_s is None else min(use.ttl_s, rules.ttl_s)


def _complete(outcome: Outcome) -> bool:
    return outcome.complete and outcome.error is None and not outcome.cancelled


def build(components: Any, **options: Any) -> CachePolicy | None:
    """The built-in "cache" policy: None unless `cache.enabled`. In Redis when
    `redis.url` is set (unless `cache.backend: memory`), else in this process."""
    settings: CacheSettings = settings_section("cache", components, options)
    if not settings.enabled:
        return None
    redis = shared_redis("cache", components, settings.backend, local="memory")
    store: ResponseCache = (
        RedisResponseCache(redis) if redis is not None else MemoryResponseCache(settings.max_bytes)
    )
    return CachePolicy(store, components.registry.catalog, settings)
