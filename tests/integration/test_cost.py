"""Cost in every answer, end to end: gRPC caller -> gateway -> loopback provider
emulators in each provider's wire format, priced at the bundled list's prices (a YAML
price wins), in the response's `cost` and the `x-llmgateway-cost` trailer."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import grpc
import pytest

from llmgateway.v1 import audio_pb2, cache_pb2, chat_pb2, embedding_pb2, image_pb2
from tests.canaries import PROVIDER_KEY, PROVIDER_KEY_ENV
from tests.emulators.anthropic import AnthropicEmulator
from tests.emulators.base import Script
from tests.emulators.gemini import GeminiEmulator
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import Details, chat, scrape, stream

COST = "x-llmgateway-cost"
CHAT = ["chat", "stream"]


def _model(model_id: str, provider: str, upstream: str, base_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": model_id,
        "provider": provider,
        "upstream_model": upstream,
        "base_url": base_url,
        "credential_ref": PROVIDER_KEY_ENV,
        "capabilities": CHAT,
        **extra,
    }


@pytest.fixture
async def priced(gateway_factory, monkeypatch) -> AsyncIterator[tuple[Any, Any, Any, Any]]:
    monkeypatch.setenv(PROVIDER_KEY_ENV, PROVIDER_KEY)
    async with OpenAIEmulator() as openai, AnthropicEmulator() as claude, GeminiEmulator() as gemini:
        openai.script = Script(prompt_tokens=1000, completion_tokens=200, cached_tokens=600)
        claude.script = Script(
            prompt_tokens=2600, completion_tokens=300, cached_tokens=2000, cache_write_tokens=500
        )
        gemini.script = Script(
            prompt_tokens=1000, completion_tokens=350, cached_tokens=400, reasoning_tokens=250
        )
        gateway = await gateway_factory(
            include_default_models=False,
            metrics={"enabled": True, "address": "127.0.0.1:0"},
            models=[
                _model("c/openai", "openai", "gpt-4o-mini", openai.base_url),
                _model("c/claude", "anthropic", "claude-sonnet-4-5", claude.base_url),
                _model("c/gemini", "gemini", "gemini-2.5-flash", gemini.base_url),
                _model("c/unpriced", "openai", "gpt-test", openai.base_url),
                _model(
                    "c/own-price",
                    "openai",
                    "gpt-4o-mini",
                    openai.base_url,
                    pricing={"input_per_million": "1", "output_per_million": "2"},
                ),
                _model(
                    "c/embed", "openai", "text-embedding-3-small", openai.base_url, capabilities=["embed"]
                ),
                _model("c/image", "openai", "gpt-image-1", openai.base_url, capabilities=["image"]),
                _model(
                    "c/deployed",
                    "openai",
                    "gpt-4o-mini",
                    openai.base_url,
                    weight=1e-9,  # the deployment below serves (all but certainly)
                    deployments=[
                        {
                            "id": "own",
                            "provider": "openai",
                            "upstream_model": "gpt-4o-mini",
                            "base_url": openai.base_url,
                            "credential_ref": PROVIDER_KEY_ENV,
                            "weight": 1e9,
                            "pricing": {"input_per_million": "1", "output_per_million": "2"},
                        }
                    ],
                ),
            ],
        )
        yield gateway, openai, claude, gemini


def _money(cost: Any) -> str:
    return f"{cost.money.amount} {cost.money.currency_code}" if cost.HasField("money") else "unknown"


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("c/openai", "0.000225 USD"),  # 400 x 0.15 + 600 cached x 0.075 + 200 x 0.60
        ("c/claude", "0.007275 USD"),  # 100 x 3 + 2000 read x 0.30 + 500 written x 3.75 + 300 x 15
        ("c/gemini", "0.001067 USD"),  # 600 x 0.30 + 400 cached x 0.03 + (100 + 250 thoughts) x 2.50
        ("c/own-price", "0.0014 USD"),  # the YAML price: 1000 x 1 + 200 x 2 (cached at the input price)
        ("c/unpriced", "unknown"),
    ],
)
async def test_chat_and_stream_answers_carry_their_cost(priced, model: str, expected: str) -> None:
    gateway = priced[0]
    call = gateway.Chat(chat(model), timeout=5)
    response = await call
    assert _money(response.cost) == expected and not response.cost.estimated
    assert dict(await call.trailing_metadata())[COST] == expected

    events = gateway.StreamChat(stream(model), timeout=5)
    end = [e async for e in events][-1].end
    assert _money(end.cost) == expected
    assert dict(await events.trailing_metadata())[COST] == expected


async def test_a_call_costs_the_prices_of_the_deployment_that_served_it(priced) -> None:
    response = await priced[0].Chat(chat("c/deployed"), timeout=5)
    assert response.deployment == "own" and _money(response.cost) == "0.0014 USD"  # 1000 x 1 + 200 x 2


async def test_anthropic_cache_writes_are_reported(priced) -> None:
    response = await priced[0].Chat(chat("c/claude"), timeout=5)
    usage = response.usage
    assert (usage.prompt_tokens, usage.cached_prompt_tokens, usage.cache_write_tokens) == (2600, 2000, 500)


async def test_embeddings_and_images_are_priced(priced) -> None:
    gateway = priced[0]
    call = gateway.Embed(embedding_pb2.EmbedRequest(model="c/embed", inputs=["a b c", "d e"]), timeout=5)
    embedded = await call
    assert embedded.usage.prompt_tokens == 5
    assert _money(embedded.cost) == "0.0000001 USD"  # 5 x 0.02 per million
    assert dict(await call.trailing_metadata())[COST] == "0.0000001 USD"

    request = image_pb2.GenerateImageRequest(
        model="c/image", prompt="a cat", count=2, size="1024x1024", quality="high"
    )
    images = await gateway.GenerateImage(request, timeout=5)
    assert len(images.images) == 2 and _money(images.cost) == "0.334 USD"  # 2 x 0.167
    # No size or quality asked: priced at what the provider says it made (the emulator: 1024x1024, low).
    default = await gateway.GenerateImage(
        image_pb2.GenerateImageRequest(model="c/image", prompt="a"), timeout=5
    )
    assert _money(default.cost) == "0.011 USD"


async def test_cost_is_counted_by_model_and_provider(priced) -> None:
    gateway = priced[0]
    for model in ("c/claude", "c/claude", "c/unpriced"):
        await gateway.Chat(chat(model), timeout=5)
    metrics = await scrape(gateway.metrics_port)
    cost = metrics.series("llmgateway_cost_total", "gen_ai_request_model", "gen_ai_provider_name", "currency")
    assert cost == {("c/claude", "anthropic", "USD"): pytest.approx(2 * 0.007275)}
    unknown = metrics.series(
        "llmgateway_cost_unknown_calls_total", "gen_ai_request_model", "gen_ai_provider_name"
    )
    assert unknown == {("c/unpriced", "openai"): 1.0}


async def test_tags_reach_the_call_log_line(priced, caplog: pytest.LogCaptureFixture) -> None:
    tags = {"task": "t-42", "agent": "planner"}
    with caplog.at_level(logging.INFO, logger="llmgateway.calls"):
        await priced[0].Chat(chat("c/openai", tags=tags), timeout=5)
    (line,) = [r for r in caplog.records if r.name == "llmgateway.calls"]
    assert line.tags == tags and line.cost == "0.000225 USD"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("tags", "field"),
    [
        ({f"k{i}": "v" for i in range(17)}, "tags"),
        ({"k" * 65: "v"}, f'tags["{"k" * 64}"]'),
        ({"bad key": "v"}, 'tags["bad key"]'),
        ({"": "v"}, 'tags[""]'),
        ({"task": "v" * 257}, 'tags["task"]'),
        ({"task": "line\nbreak"}, 'tags["task"]'),
    ],
)
async def test_tags_are_bounded_on_every_request(priced, tags: dict[str, str], field: str) -> None:
    gateway = priced[0]
    requests = [
        (gateway.Chat, chat("c/openai", tags=tags)),
        (gateway.Embed, embedding_pb2.EmbedRequest(model="c/embed", inputs=["x"], tags=tags)),
        (gateway.GenerateImage, image_pb2.GenerateImageRequest(model="c/image", prompt="x", tags=tags)),
        (gateway.Transcribe, audio_pb2.TranscribeRequest(model="c/openai", audio=b"RIFF", tags=tags)),
    ]
    for method, request in requests:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await method(request, timeout=5)
        details = Details(info.value)
        assert details.code is grpc.StatusCode.INVALID_ARGUMENT and field in details.fields, method
    speech = audio_pb2.SynthesizeSpeechRequest(model="c/openai", input="x", tags=tags)
    for streamed in (
        gateway.StreamChat(stream("c/openai", tags=tags), timeout=5),
        gateway.SynthesizeSpeech(speech),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            async for _ in streamed:
                pass
        assert field in Details(info.value).fields


async def test_a_stream_chat_request_carries_tags_like_chat(priced) -> None:
    request = chat_pb2.StreamChatRequest(model="c/openai", tags={"task": "x"})
    request.messages.add(role=chat_pb2.ROLE_USER).content.add(text="hi")
    events = [e async for e in priced[0].StreamChat(request, timeout=5)]
    assert _money(events[-1].end.cost) == "0.000225 USD"


async def test_the_mock_models_show_a_cost_and_a_cache_hit_costs_nothing(gateway_factory) -> None:
    gateway = await gateway_factory(include_default_models=True, cache={"enabled": True})
    request = chat("mock/echo", generation={"temperature": 0})
    first = await gateway.Chat(request, timeout=5)
    usage = first.usage  # the mock's list prices: 0.10 in, 0.40 out, per million
    expected = (
        Decimal(usage.prompt_tokens) * Decimal("0.10") + usage.completion_tokens * Decimal("0.40")
    ) / 10**6
    assert first.cache.status == cache_pb2.CACHE_STATUS_MISS and Decimal(first.cost.money.amount) == expected
    call = gateway.Chat(request, timeout=5)
    hit = await call
    assert hit.cache.status == cache_pb2.CACHE_STATUS_HIT and _money(hit.cost) == "0 USD"
    assert dict(await call.trailing_metadata())[COST] == "0 USD"

    text = "Hello there. How are you today?"
    events = [
        e
        async for e in gateway.SynthesizeSpeech(
            audio_pb2.SynthesizeSpeechRequest(model="mock/speech", input=text), timeout=5
        )
    ]
    assert Decimal(events[-1].end.cost.money.amount) == len(text) * Decimal(15) / 10**6
    wav = b"".join(e.audio.data for e in events if e.HasField("audio"))
    heard = await gateway.Transcribe(
        audio_pb2.TranscribeRequest(model="mock/transcribe", audio=wav), timeout=5
    )
    seconds = Decimal(repr(heard.usage.audio_seconds))
    assert Decimal(heard.cost.money.amount) == seconds * Decimal("0.006") / 60


async def test_tags_route_a_virtual_model_and_it_costs_its_targets_prices(gateway_factory) -> None:
    targets = [
        {"id": f"t/{n}", "provider": "mock", "upstream_model": "echo", "capabilities": CHAT} for n in "ab"
    ]
    router = {
        "id": "team/router",
        "kind": "virtual",
        "capabilities": CHAT,
        "virtual": {
            "default_target": "t/a",
            "show_served": True,
            "rules": [{"name": "premium", "tags": {"tier": "premium"}, "targets": [{"model": "t/b"}]}],
        },
    }
    gateway = await gateway_factory(include_default_models=False, models=[*targets, router])
    premium = await gateway.Chat(chat("team/router", tags={"tier": "premium"}), timeout=5)
    plain = await gateway.Chat(chat("team/router"), timeout=5)
    assert (premium.model, plain.model) == ("t/b", "t/a")
    usage = premium.usage  # the targets' upstream is on the list (mock/echo: 0.10 in, 0.40 out)
    expected = (usage.prompt_tokens * Decimal("0.10") + usage.completion_tokens * Decimal("0.40")) / 10**6
    assert Decimal(premium.cost.money.amount) == expected
