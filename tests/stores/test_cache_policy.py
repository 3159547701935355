"""The response cache policy over both backends (the in-process LRU and a real
redis-server on loopback): hit for Chat and StreamChat, only complete answers stored,
refresh, bypass, only, namespaces per key, what the key covers, model revisions, model
rules, TTL overrides, single flight (in process and across replicas), Embed per input,
a Redis outage, and the counters."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

import pytest

from llmgateway.cache.memory import MemoryResponseCache
from llmgateway.cache.policy import CachePolicy
from llmgateway.cache.redis import RedisResponseCache
from llmgateway.config import CacheSettings
from llmgateway.core.calls import CacheMode, CacheStatus, CacheUse, Call, Principal
from llmgateway.core.errors import GatewayError, Reason, provider_unavailable
from llmgateway.core.models import Capability, Model
from llmgateway.core.pipeline import Outcome
from llmgateway.core.ports import ResponseCache
from llmgateway.core.types import (
    ChatRequest,
    ChatResult,
    EmbedRequest,
    EmbedResult,
    FinishReason,
    GenerationConfig,
    Message,
    Role,
    Served,
    TextPart,
    Usage,
)
from llmgateway.stores.redis import RedisStore
from tests.redisserver import RedisServer

MODEL = Model(
    "m/chat",
    "openai",
    "gpt-x",
    "llmgateway.providers.openai.OpenAIAdapter",
    base_url="http://127.0.0.1:1/v1",
    capabilities=frozenset({Capability.CHAT, Capability.STREAM, Capability.EMBED}),
)
SERVED = Served("m/chat", "openai", "primary", "gpt-x", "resp-1")
ANSWER = ChatResult(
    Message(Role.ASSISTANT, [TextPart("the answer")]), FinishReason.STOP, Usage(5, 7), "resp-1", "gpt-x"
)


class Catalog:
    """The registry's read side with models a test can repoint."""

    def __init__(self, *models: Model) -> None:
        self.models = {m.id: m for m in models}
        self.revision = "1"

    def get(self, model_id: str) -> Model | None:
        return self.models.get(model_id)

    def list(self) -> list[Model]:
        return list(self.models.values())


def policy(backend: ResponseCache, *models: Model, **settings: Any) -> CachePolicy:
    config = CacheSettings(**{"enabled": True, "sampled": True, **settings})
    return CachePolicy(backend, Catalog(*(models or (MODEL,))), config)


def ask(text: str = "question", **generation: Any) -> ChatRequest:
    return ChatRequest(
        "m/chat", [Message(Role.USER, [TextPart(text)])], generation=GenerationConfig(**generation)
    )


def new_call(method: str = "Chat", mode: CacheMode | None = None, key: str | None = None, **kw: Any) -> Call:
    call = Call(method, "req", deadline=time.monotonic() + 10)
    if mode is not None:
        call.cache = CacheUse(mode, kw.pop("ttl_s", None))
    if key is not None:
        call.principal = Principal(key, shared_cache=kw.pop("shared", False))
    return call


async def answered(cache: CachePolicy, call: Call, request: ChatRequest | EmbedRequest) -> Any:
    """The ready answer admit gives (None: the call goes upstream)."""
    decision = await cache.admit(call, request)
    return decision.answer if decision is not None else None


async def upstream_answers(cache: CachePolicy, call: Call, result: Any = ANSWER, **outcome: Any) -> None:
    """What the core does on a miss: the upstream answered; settle."""
    call.served = SERVED
    await cache.settle(call, Outcome(result=result, complete=True, **outcome))


async def remembered(cache: CachePolicy, request: ChatRequest) -> None:
    call = new_call()
    assert await answered(cache, call, request) is None
    await upstream_answers(cache, call)


async def test_a_complete_answer_is_served_again_to_chat_and_stream(backend: ResponseCache) -> None:
    cache = policy(backend)
    first = new_call()
    assert await answered(cache, first, ask()) is None
    assert first.cache is not None and first.cache.status is CacheStatus.MISS
    await upstream_answers(cache, first)
    for method in ("Chat", "StreamChat"):
        call = new_call(method)
        assert await answered(cache, call, ask()) == ANSWER
        assert call.cache is not None and call.cache.status is CacheStatus.HIT and call.cache.answered
        assert call.served == replace(SERVED, attempts=0)
    assert cache.stats.counts["hits", "chat"] == 2 and cache.stats.counts["stores", "chat"] == 1


async def test_what_is_not_a_complete_answer_is_not_stored(backend: ResponseCache) -> None:
    cache = policy(backend)
    failed = provider_unavailable("openai", "boom")
    for outcome in (
        Outcome(result=ANSWER, complete=False),  # a stream that stopped before its end event
        Outcome(result=ANSWER, complete=False, error=failed),  # failed mid-stream
        Outcome(result=ANSWER, complete=False, cancelled=True),
        Outcome(error=failed),
    ):
        call = new_call("StreamChat")
        assert await answered(cache, call, ask()) is None
        call.served = SERVED
        await cache.settle(call, outcome)
    assert await answered(cache, new_call(), ask()) is None
    assert cache.stats.counts["stores", "chat"] == 0


async def test_refresh_does_not_read_but_replaces_the_entry(backend: ResponseCache) -> None:
    cache = policy(backend)
    await remembered(cache, ask())
    call = new_call(mode=CacheMode.REFRESH)
    assert await answered(cache, call, ask()) is None
    assert call.cache is not None and call.cache.status is CacheStatus.REFRESH
    newer = replace(ANSWER, response_id="resp-2")
    await upstream_answers(cache, call, newer)
    assert await answered(cache, new_call(), ask()) == newer


async def test_bypass_neither_reads_nor_stores(backend: ResponseCache) -> None:
    cache = policy(backend)
    await remembered(cache, ask())
    call = new_call(mode=CacheMode.BYPASS)
    assert await answered(cache, call, ask("other")) is None
    await upstream_answers(cache, call)
    assert call.cache is not None and call.cache.status is CacheStatus.BYPASS
    assert await answered(cache, new_call(mode=CacheMode.BYPASS), ask()) is None
    assert await answered(cache, new_call(), ask("other")) is None  # it was not stored


async def test_only_answers_from_the_cache_or_fails_with_cache_miss(backend: ResponseCache) -> None:
    cache = policy(backend)
    with pytest.raises(GatewayError) as info:
        await cache.admit(new_call(mode=CacheMode.ONLY), ask())
    assert info.value.reason is Reason.CACHE_MISS
    await remembered(cache, ask())
    assert await answered(cache, new_call(mode=CacheMode.ONLY), ask()) == ANSWER


async def test_each_key_has_its_namespace_unless_it_shares_the_cache(backend: ResponseCache) -> None:
    cache = policy(backend)
    a = new_call(key="key-a")
    assert await answered(cache, a, ask()) is None
    await upstream_answers(cache, a)
    assert await answered(cache, new_call(key="key-a"), ask()) == ANSWER
    assert await answered(cache, new_call(key="key-b"), ask()) is None
    assert await answered(cache, new_call(), ask()) is None  # auth off is a namespace too
    shared = new_call(key="key-c", shared=True)
    assert await answered(cache, shared, ask()) is None
    await upstream_answers(cache, shared)
    assert await answered(cache, new_call(key="key-d", shared=True), ask()) == ANSWER
    assert await answered(cache, new_call(key="key-e"), ask()) is None


async def test_the_key_covers_what_shapes_the_answer_only(backend: ResponseCache) -> None:
    cache = policy(backend)
    await remembered(cache, ask(temperature=0.0))
    same = ask(temperature=0.0)
    same.user = "someone else"  # passed to the provider for abuse monitoring; not part of the key
    assert await answered(cache, new_call(), same) == ANSWER
    assert await answered(cache, new_call(), ask(temperature=0.0, max_tokens=5)) is None
    assert await answered(cache, new_call(), ask("another question", temperature=0.0)) is None


async def test_hits_of_one_entry_share_its_decoded_answer(backend: ResponseCache) -> None:
    cache = policy(backend)
    await remembered(cache, ask())
    first, second = await answered(cache, new_call(), ask()), await answered(cache, new_call(), ask())
    assert first == ANSWER and second is first  # decoded once (answers are read-only)
    refresh = new_call(mode=CacheMode.REFRESH)
    assert await answered(cache, refresh, ask()) is None
    await upstream_answers(cache, refresh, replace(ANSWER, response_id="r2"))
    assert (await answered(cache, new_call(), ask())).response_id == "r2"  # stored again: decoded again


async def test_a_request_received_byte_for_byte_before_reuses_its_key(backend: ResponseCache) -> None:
    cache = policy(backend)
    wire = b"the request's bytes as received"
    received = new_call()
    received.wire_request = wire
    assert await answered(cache, received, ask()) is None
    await upstream_answers(cache, received)
    assert len(cache.keys) == 1
    again = new_call()
    again.wire_request = wire
    assert await answered(cache, again, ask()) == ANSWER and len(cache.keys) == 1
    # The memo is exact: the bytes name the request only with the namespace and the model.
    other_key = new_call(key="k2")
    other_key.wire_request = wire
    assert await answered(cache, other_key, ask()) is None
    # A request a policy rewrote has no wire bytes (the pipeline empties them): its key is
    # computed from what reaches the cache, never taken from the bytes it came from.
    rewritten = new_call()
    assert await answered(cache, rewritten, ask("with a session's history")) is None
    assert len(cache.keys) == 2
    large = new_call()  # a large request is keyed without the memo (hashing it costs what it saves)
    large.wire_request = b"x" * (64 * 1024 + 1)
    assert await answered(cache, large, ask()) == ANSWER and len(cache.keys) == 2


async def test_repointing_the_model_invalidates_its_answers(backend: ResponseCache) -> None:
    cache = policy(backend)
    await remembered(cache, ask())
    catalog = cache.catalog
    assert isinstance(catalog, Catalog)
    catalog.models["m/chat"] = replace(MODEL, options={"cache_ttl_s": "60"})  # not a repointing
    assert await answered(cache, new_call(), ask()) == ANSWER
    catalog.models["m/chat"] = replace(MODEL, upstream_model="gpt-y")
    assert await answered(cache, new_call(), ask()) is None


async def test_model_options_turn_the_cache_off_or_sampling_on(backend: ResponseCache) -> None:
    off = policy(backend, replace(MODEL, options={"cache": "off"}))
    call = new_call()
    assert await answered(off, call, ask(temperature=0.0)) is None
    assert call.cache is not None and call.cache.status is CacheStatus.BYPASS
    deterministic = policy(backend, sampled=False)
    sampled = new_call()
    await deterministic.admit(sampled, ask(temperature=0.7))
    assert sampled.cache is not None and sampled.cache.status is CacheStatus.BYPASS
    unset = new_call()
    await deterministic.admit(unset, ask())  # no temperature: the provider samples
    assert unset.cache is not None and unset.cache.status is CacheStatus.BYPASS
    opted_in = policy(backend, replace(MODEL, options={"cache_sampled": "true"}), sampled=False)
    call = new_call()
    await opted_in.admit(call, ask(temperature=0.7))
    assert call.cache is not None and call.cache.status is CacheStatus.MISS


async def test_a_call_may_shorten_the_ttl_but_not_extend_it(backend: ResponseCache) -> None:
    cache = policy(backend, replace(MODEL, options={"cache_ttl_s": "0.3"}))
    short = new_call(mode=CacheMode.DEFAULT, ttl_s=0.05)
    await cache.admit(short, ask("short"))
    await upstream_answers(cache, short)
    long = new_call(mode=CacheMode.DEFAULT, ttl_s=3600)
    await cache.admit(long, ask("long"))
    await upstream_answers(cache, long)
    await asyncio.sleep(0.15)
    assert await answered(cache, new_call(), ask("short")) is None
    assert await answered(cache, new_call(), ask("long")) == ANSWER
    await asyncio.sleep(0.3)
    assert await answered(cache, new_call(), ask("long")) is None


async def test_identical_calls_in_flight_wait_for_the_first(backend: ResponseCache) -> None:
    cache = policy(backend)
    leader = new_call()
    assert await answered(cache, leader, ask()) is None
    waiters = [asyncio.create_task(answered(cache, new_call(), ask())) for _ in range(5)]
    await asyncio.sleep(0.05)
    assert not any(w.done() for w in waiters)
    await upstream_answers(cache, leader)
    assert await asyncio.gather(*waiters) == [ANSWER] * 5
    assert cache.stats.counts["coalesced", "chat"] == 5


async def test_a_waiter_whose_leader_fails_makes_its_own_call(backend: ResponseCache) -> None:
    cache = policy(backend)
    leader = new_call()
    await cache.admit(leader, ask())
    waiter = new_call()
    waiting = asyncio.create_task(answered(cache, waiter, ask()))
    await asyncio.sleep(0.05)
    await cache.settle(leader, Outcome(error=provider_unavailable("openai", "down")))
    assert await waiting is None
    assert waiter.cache is not None and waiter.cache.status is CacheStatus.MISS


async def test_a_waiter_waits_no_longer_than_its_deadline(backend: ResponseCache) -> None:
    cache = policy(backend)
    await cache.admit(new_call(), ask())  # a leader that never ends
    hurried = new_call()
    hurried.deadline = time.monotonic() + 0.1
    assert await answered(cache, hurried, ask()) is None  # gave up waiting: its own call


async def test_embeddings_are_cached_per_input(backend: ResponseCache) -> None:
    cache = policy(backend)
    first = new_call("Embed")
    assert await cache.admit(first, EmbedRequest("m/chat", ["a", "b"])) is None
    await upstream_answers(cache, first, EmbedResult([[1.0, 2.0], [3.0, 4.0]], prompt_tokens=2))
    second = new_call("Embed")
    decision = await cache.admit(second, EmbedRequest("m/chat", ["b", "c", "c", "a"]))
    assert decision is not None and isinstance(decision.request, EmbedRequest)
    assert decision.request.inputs == ["c"]  # only what is missing, once
    result = EmbedResult([[5.0, 6.0]], prompt_tokens=1)
    await upstream_answers(cache, second, result)
    assert result.vectors == [[3.0, 4.0], [5.0, 6.0], [5.0, 6.0], [1.0, 2.0]]  # the caller's order
    assert await answered(cache, new_call("Embed"), EmbedRequest("m/chat", ["c", "a"])) == EmbedResult(
        [[5.0, 6.0], [1.0, 2.0]], prompt_tokens=0
    )
    assert await answered(cache, new_call("Embed"), EmbedRequest("m/chat", ["a"], dimensions=1)) is None


async def test_replicas_on_redis_share_entries_and_flights(redis_url: str) -> None:
    stores = [RedisStore(redis_url, 1.0, "test:") for _ in range(2)]
    one, two = (policy(RedisResponseCache(s), poll_interval_s=0.01) for s in stores)
    try:
        leader = new_call()
        assert await answered(one, leader, ask()) is None
        waiter = asyncio.create_task(answered(two, new_call(), ask()))
        await asyncio.sleep(0.1)
        assert not waiter.done()  # the other replica's lock holds it
        await upstream_answers(one, leader)
        assert await waiter == ANSWER
        assert await answered(two, new_call(), ask()) == ANSWER
    finally:
        for store in stores:
            await store.aclose()


async def test_a_redis_outage_lets_calls_through_and_is_counted(
    redis_server: RedisServer, redis_url: str
) -> None:
    store = RedisStore(redis_url, 0.3, "test:")
    cache = policy(RedisResponseCache(store))
    try:
        redis_server.stop()
        call = new_call()
        assert await answered(cache, call, ask()) is None  # a miss: the call goes upstream
        await upstream_answers(cache, call)  # storing fails quietly
        assert cache.stats.counts["errors", "chat"] >= 2
        assert len(cache.flight) == 0  # the flight landed
    finally:
        redis_server.start()
        await store.aclose()


async def test_the_counters_are_exposed_as_metric_samples(backend: ResponseCache) -> None:
    cache = policy(backend)
    await remembered(cache, ask())
    await answered(cache, new_call(), ask())
    samples = {(s.name, s.labels): s for s in cache.stats.samples(backend)}
    kind = (("kind", "chat"),)
    assert samples["llmgateway_cache_hits_total", kind].value == 1
    assert samples["llmgateway_cache_misses_total", kind].value == 1
    assert samples["llmgateway_cache_stores_total", kind].value == 1
    assert samples["llmgateway_cache_stored_bytes_total", kind].value > 0
    assert samples["llmgateway_cache_hits_total", (("kind", "embed"),)].value == 0
    if isinstance(backend, MemoryResponseCache):  # Redis reports its own memory
        assert samples["llmgateway_cache_bytes", ()].value == backend.size_bytes > 0
