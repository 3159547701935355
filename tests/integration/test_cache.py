"""The response cache through the real server, against an OpenAI emulator that counts
upstream requests: Chat and StreamChat share entries (a hit replays as typed events),
only complete answers are stored, identical concurrent calls make one upstream call,
replicas on one Redis share hits and flights, the per-call modes, Embed per input,
and the counters (coalesced calls, evictions of a full in-process cache)."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest

from llmgateway.v1 import cache_pb2, chat_pb2, embedding_pb2
from tests.canaries import PROVIDER_KEY, PROVIDER_KEY_ENV
from tests.emulators.base import Script
from tests.emulators.openai import OpenAIEmulator, embedding_vector
from tests.helpers import Details, chat, scrape, stream, user
from tests.keyed import bearer

DETERMINISTIC = {"temperature": 0}
ROOM = 1_200  # bytes of in-process cache: room for two short answers (about 450 bytes each)
HIT, MISS, COALESCED = (
    cache_pb2.CACHE_STATUS_HIT,
    cache_pb2.CACHE_STATUS_MISS,
    cache_pb2.CACHE_STATUS_COALESCED,
)


@pytest.fixture
async def emu(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(PROVIDER_KEY_ENV, PROVIDER_KEY)
    async with OpenAIEmulator() as emulator:
        yield emulator


def settings(emu: OpenAIEmulator, **cache: Any) -> dict[str, Any]:
    return {
        "include_default_models": False,
        "models": [
            {
                "id": "emu/chat",
                "provider": "openai",
                "upstream_model": "emulated",
                "base_url": emu.base_url,
                "credential_ref": PROVIDER_KEY_ENV,
                "capabilities": ["chat", "stream", "embed"],
                "retry": {"max_retries": 0},
            }
        ],
        "cache": {"enabled": True, "replay_chunk_chars": 4, **cache},
    }


@pytest.fixture
async def gateway(gateway_factory: Any, emu: OpenAIEmulator) -> Any:
    return await gateway_factory(**settings(emu))


def ask(text: str = "question", **kw: Any) -> chat_pb2.ChatRequest:
    return chat("emu/chat", user(text), generation=DETERMINISTIC, **kw)


def ask_stream(text: str = "question", **kw: Any) -> chat_pb2.StreamChatRequest:
    return stream("emu/chat", user(text), generation=DETERMINISTIC, **kw)


def upstream_chats(emu: OpenAIEmulator) -> int:
    return sum(r.path.endswith("/chat/completions") for r in emu.requests)


async def events(gateway: Any, request: chat_pb2.StreamChatRequest) -> list[chat_pb2.StreamChatResponse]:
    return [e async for e in gateway.StreamChat(request, timeout=5)]


def text_of(stream_events: list[chat_pb2.StreamChatResponse]) -> str:
    return "".join(e.text_delta.text for e in stream_events if e.HasField("text_delta"))


async def test_a_chat_answer_serves_a_stream_and_the_reverse(gateway: Any, emu: OpenAIEmulator) -> None:
    first = await gateway.Chat(ask("one"), timeout=5)
    assert first.cache.status == MISS and first.attempts == 1
    replayed = await events(gateway, ask_stream("one"))
    start, end = replayed[0].start, replayed[-1].end
    assert start.cache.status == HIT and start.cache.HasField("age")
    assert (start.id, start.model, start.provider, start.deployment, start.attempts) == (
        first.id,
        "emu/chat",
        "openai",
        "primary",
        0,
    )
    assert [e.text_delta.text for e in replayed[1:-1]] == ["Hell", "o, w", "orld", "!"]  # replay_chunk_chars
    assert (end.usage.prompt_tokens, end.usage.completion_tokens) == (11, 4)  # the original usage
    assert upstream_chats(emu) == 1

    live = await events(gateway, ask_stream("two"))
    assert live[0].start.cache.status == MISS
    again = await gateway.Chat(ask("two"), timeout=5)
    assert again.cache.status == HIT and again.message.content[0].text == text_of(live) == "Hello, world!"
    assert (again.usage.prompt_tokens, again.usage.completion_tokens) == (11, 4)
    assert upstream_chats(emu) == 2


async def test_failed_truncated_and_cancelled_streams_and_errors_are_not_stored(
    gateway: Any, emu: OpenAIEmulator
) -> None:
    for n, script in enumerate((Script(midstream_error=True), Script(truncate=True)), start=1):
        emu.scripts = [script]
        with pytest.raises(grpc.aio.AioRpcError):
            await events(gateway, ask_stream(f"broken {n}"))
        assert (await gateway.Chat(ask(f"broken {n}"), timeout=5)).cache.status == MISS

    emu.scripts = [Script(text_chunks=["a"] * 5, stall_after_first_event=5)]
    call = gateway.StreamChat(ask_stream("cancelled"), timeout=10)
    async for event in call:
        if event.HasField("text_delta"):
            call.cancel()
            break
    assert await emu.wait_for_disconnect()
    emu.scripts = [Script(error_status=500, error_kind="server")]
    with pytest.raises(grpc.aio.AioRpcError):
        await gateway.Chat(ask("error"), timeout=5)
    for text in ("cancelled", "error"):
        assert (await gateway.Chat(ask(text), timeout=5)).cache.status == MISS
    assert upstream_chats(emu) == 8  # every call above went upstream


async def test_twenty_identical_concurrent_calls_make_one_upstream_call(
    gateway_factory: Any, emu: OpenAIEmulator
) -> None:
    gateway = await gateway_factory(**settings(emu), metrics={"address": "127.0.0.1:0"})
    emu.script = Script(stall_before_headers=0.5)
    unary = [gateway.Chat(ask("together"), timeout=10) for _ in range(10)]
    streams = [events(gateway, ask_stream("together")) for _ in range(10)]
    answers = await asyncio.gather(*unary, *streams)
    assert upstream_chats(emu) == 1
    statuses = [a.cache.status for a in answers[:10]] + [s[0].start.cache.status for s in answers[10:]]
    assert sorted(statuses) == sorted([MISS] + [COALESCED] * 19)
    assert (
        {a.message.content[0].text for a in answers[:10]}
        == {text_of(s) for s in answers[10:]}
        == {"Hello, world!"}
    )
    metrics = await scrape(gateway.metrics_port)
    assert metrics.series("llmgateway_cache_coalesced_total", "kind") == {("chat",): 19, ("embed",): 0}
    # every call looked up and found nothing; 19 of them then waited for the first
    assert metrics.series("llmgateway_cache_misses_total", "kind") == {("chat",): 20, ("embed",): 0}
    assert metrics.series("llmgateway_cache_stores_total", "kind") == {("chat",): 1, ("embed",): 0}


async def test_two_replicas_on_one_redis_share_hits_and_flights(
    gateway_factory: Any, emu: OpenAIEmulator, redis_url: str
) -> None:
    shared = {**settings(emu, poll_interval_s=0.02), "redis": {"url": redis_url}}
    one, two = await gateway_factory(**shared), await gateway_factory(**shared)
    assert (await one.Chat(ask("shared"), timeout=5)).cache.status == MISS
    assert (await two.Chat(ask("shared"), timeout=5)).cache.status == HIT
    assert upstream_chats(emu) == 1

    emu.script = Script(stall_before_headers=0.5)
    answers = await asyncio.gather(*(g.Chat(ask("at once"), timeout=10) for g in (one, two) * 5))
    assert upstream_chats(emu) == 2
    assert sorted(a.cache.status for a in answers) == sorted([MISS] + [COALESCED] * 9)


async def test_call_modes(gateway: Any, emu: OpenAIEmulator) -> None:
    def mode(value: int) -> dict[str, Any]:
        return {"cache": cache_pb2.CacheControl(mode=value)}  # type: ignore[arg-type]

    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Chat(ask(**mode(cache_pb2.CACHE_MODE_ONLY)), timeout=5)
    miss = Details(info.value)
    assert (miss.code, miss.reason) == (grpc.StatusCode.NOT_FOUND, "CACHE_MISS")
    assert upstream_chats(emu) == 0

    await gateway.Chat(ask(), timeout=5)
    assert (await gateway.Chat(ask(**mode(cache_pb2.CACHE_MODE_ONLY)), timeout=5)).cache.status == HIT
    bypassed = await gateway.Chat(ask(**mode(cache_pb2.CACHE_MODE_BYPASS)), timeout=5)
    assert bypassed.cache.status == cache_pb2.CACHE_STATUS_BYPASS and upstream_chats(emu) == 2

    emu.script = Script(text_chunks=["fresher"])
    refreshed = await gateway.Chat(ask(**mode(cache_pb2.CACHE_MODE_REFRESH)), timeout=5)
    assert refreshed.cache.status == cache_pb2.CACHE_STATUS_REFRESH and upstream_chats(emu) == 3
    assert (await events(gateway, ask_stream()))[0].start.cache.status == HIT
    assert text_of(await events(gateway, ask_stream())) == "fresher"
    assert upstream_chats(emu) == 3


async def test_sampling_calls_are_not_cached_unless_the_model_says(
    gateway_factory: Any, emu: OpenAIEmulator
) -> None:
    gateway = await gateway_factory(**settings(emu))
    for _ in range(2):
        response = await gateway.Chat(chat("emu/chat", user("creative")), timeout=5)  # no temperature
        assert response.cache.status == cache_pb2.CACHE_STATUS_BYPASS
    assert upstream_chats(emu) == 2
    config = settings(emu)
    config["models"][0]["options"] = {"cache_sampled": "true"}
    opted_in = await gateway_factory(**config)
    await opted_in.Chat(chat("emu/chat", user("creative")), timeout=5)
    assert (await opted_in.Chat(chat("emu/chat", user("creative")), timeout=5)).cache.status == HIT


async def test_an_embed_batch_reuses_the_vectors_it_has(gateway: Any, emu: OpenAIEmulator) -> None:
    first = await gateway.Embed(embedding_pb2.EmbedRequest(model="emu/chat", inputs=["a", "b"]), timeout=5)
    second = await gateway.Embed(
        embedding_pb2.EmbedRequest(model="emu/chat", inputs=["b", "c", "a", "c"]), timeout=5
    )
    assert [r.body["input"] for r in emu.requests] == [["a", "b"], ["c"]]
    vectors = [list(e.values) for e in second.embeddings]
    fresh_c = embedding_vector(0, 4)  # "c" was the first input the upstream saw
    assert vectors == [list(first.embeddings[1].values), fresh_c, list(first.embeddings[0].values), fresh_c]
    assert [e.index for e in second.embeddings] == [0, 1, 2, 3]
    assert second.usage.prompt_tokens == 1 and second.cache.status == MISS  # cached vectors count no tokens
    third = await gateway.Embed(embedding_pb2.EmbedRequest(model="emu/chat", inputs=["c", "a"]), timeout=5)
    assert third.cache.status == HIT and third.usage.prompt_tokens == 0 and len(emu.requests) == 2


async def test_bad_cache_fields_are_invalid_arguments(gateway: Any) -> None:
    for control, field in (
        (cache_pb2.CacheControl(mode=99), "cache.mode"),  # type: ignore[arg-type]
        (cache_pb2.CacheControl(ttl_seconds=0), "cache.ttl_seconds"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await gateway.Chat(ask(cache=control), timeout=5)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and Details(info.value).fields == [field]


async def test_without_a_cache_only_fails_and_nothing_is_reported(gateway_factory: Any) -> None:
    gateway = await gateway_factory()
    only = cache_pb2.CacheControl(mode=cache_pb2.CACHE_MODE_ONLY)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Chat(chat("mock/echo", cache=only), timeout=5)
    assert Details(info.value).reason == "CACHE_MISS"
    response = await gateway.Chat(chat("mock/echo", generation=DETERMINISTIC), timeout=5)
    assert not response.HasField("cache")


async def test_the_cache_counters_are_in_the_metrics(gateway_factory: Any, emu: OpenAIEmulator) -> None:
    gateway = await gateway_factory(**settings(emu), metrics={"address": "127.0.0.1:0"})
    for _ in range(2):
        await gateway.Chat(ask("counted"), timeout=5)
    await gateway.Embed(embedding_pb2.EmbedRequest(model="emu/chat", inputs=["a", "b"]), timeout=5)
    metrics = await scrape(gateway.metrics_port)
    assert metrics.series("llmgateway_cache_hits_total", "kind") == {("chat",): 1, ("embed",): 0}
    assert metrics.series("llmgateway_cache_misses_total", "kind") == {("chat",): 1, ("embed",): 2}
    assert metrics.series("llmgateway_cache_stores_total", "kind") == {("chat",): 1, ("embed",): 2}
    assert metrics.value("llmgateway_cache_entries") == 3
    assert metrics.value("llmgateway_cache_bytes") > sum(
        metrics.series("llmgateway_cache_stored_bytes_total", "kind").values()
    )
    assert metrics.value("llmgateway_cache_evictions_total") == 0


async def test_a_full_in_process_cache_evicts_the_oldest_and_counts_it(
    gateway_factory: Any, emu: OpenAIEmulator
) -> None:
    gateway = await gateway_factory(**settings(emu, max_bytes=ROOM), metrics={"address": "127.0.0.1:0"})
    for n in range(5):
        await gateway.Chat(ask(f"question {n}"), timeout=5)
    metrics = await scrape(gateway.metrics_port)
    entries, evicted = (
        metrics.value("llmgateway_cache_entries"),
        metrics.value("llmgateway_cache_evictions_total"),
    )
    assert entries >= 1 and evicted > 0 and entries + evicted == 5, (entries, evicted)
    assert metrics.value("llmgateway_cache_bytes") <= ROOM
    assert (await gateway.Chat(ask("question 4"), timeout=5)).cache.status == HIT  # the newest stays
    assert (await gateway.Chat(ask("question 0"), timeout=5)).cache.status == MISS  # the oldest went
    assert upstream_chats(emu) == 6


async def test_keys_have_their_own_namespace_unless_they_share(
    keyed_factory: Any, emu: OpenAIEmulator
) -> None:
    gw = await keyed_factory(**settings(emu))
    _, first = await gw.create_key(name="first", shared_cache=True)
    _, second = await gw.create_key(name="second", shared_cache=True)
    _, private = await gw.create_key(name="private")

    async def status(secret: str) -> int:
        reply = await gw.stub.Chat(ask("tenants"), metadata=bearer(secret), timeout=5)
        return int(reply.cache.status)

    assert await status(first) == MISS
    assert await status(second) == HIT  # both share the one shared namespace
    assert await status(private) == MISS  # a key of its own never reads theirs
    assert await status(private) == HIT
    assert upstream_chats(emu) == 2
