"""Retries, deployments, cooldowns, timeouts and fallbacks end to end: a real
gateway in front of scriptable loopback emulators. Every test asserts the exact
number of upstream requests (`len(emu.requests)`)."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from typing import Any

import grpc
import pytest

from llmgateway.v1 import embedding_pb2, image_pb2
from tests.canaries import PROVIDER_KEY, PROVIDER_KEY_ENV
from tests.emulators.anthropic import AnthropicEmulator
from tests.emulators.base import Script
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import Details, chat, stream

KEY_ENV = PROVIDER_KEY_ENV
CAPS = ["chat", "stream", "tools"]
FAST_RETRY = {"max_retries": 2, "initial_backoff": 0.01, "max_backoff": 0.02}
NO_COOLDOWN = {"failures": 1000}
# Weights so skewed that the weighted pick is, in practice, certain.
HEAVY, LIGHT = 1e9, 1e-9


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, PROVIDER_KEY)


@pytest.fixture
async def openai_emu() -> Any:
    async with OpenAIEmulator() as emu:
        yield emu


@pytest.fixture
async def second_openai_emu() -> Any:
    async with OpenAIEmulator() as emu:
        yield emu


@pytest.fixture
async def anthropic_emu() -> Any:
    async with AnthropicEmulator() as emu:
        yield emu


def model(mid: str, url: str, provider: str = "openai", **kw: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": mid,
        "provider": provider,
        "upstream_model": f"{provider}-upstream",
        "base_url": url,
        "credential_ref": KEY_ENV,
        "capabilities": CAPS,
        "retry": FAST_RETRY,
        "cooldown": NO_COOLDOWN,
    }
    entry.update(kw)
    return entry


def deployment(did: str, url: str, provider: str = "openai", weight: float = 1.0) -> dict[str, Any]:
    return {
        "id": did,
        "provider": provider,
        "upstream_model": f"{provider}-{did}",
        "base_url": url,
        "credential_ref": KEY_ENV,
        "weight": weight,
    }


async def gateway_with(gateway_factory: Any, *models: dict[str, Any]) -> Any:
    return await gateway_factory(include_default_models=False, models=list(models))


# Bound but never listening: a connection is refused, and no listener started later in
# the test run (a gateway's metrics port, an emulator) can be given the same port.
_CLOSED_PORTS: list[socket.socket] = []


def closed_port_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    _CLOSED_PORTS.append(sock)
    return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


async def failed(call: Any) -> Details:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    return Details(info.value)


async def stream_events(gateway: Any, request: Any) -> list[Any]:
    return [e async for e in gateway.StreamChat(request, timeout=5)]


# -- retries --------------------------------------------------------------------------
async def test_500_then_200_is_retried_chat_and_stream(gateway_factory, openai_emu) -> None:
    gw = await gateway_with(gateway_factory, model("m/a", openai_emu.base_url))
    openai_emu.scripts = [Script(error_status=500, error_kind="server"), Script()]
    response = await gw.Chat(chat("m/a"), timeout=5)
    assert response.message.content[0].text == "Hello, world!"
    assert (response.attempts, response.deployment, response.model) == (2, "primary", "m/a")
    assert len(openai_emu.requests) == 2

    openai_emu.scripts = [Script(error_status=503, error_kind="server"), Script()]
    events = await stream_events(gw, stream("m/a"))
    assert events[0].start.attempts == 2 and events[0].start.deployment == "primary"
    assert "".join(e.text_delta.text for e in events) == "Hello, world!"
    assert len(openai_emu.requests) == 4


async def test_first_attempt_success_reports_one_attempt(gateway_factory, openai_emu) -> None:
    gw = await gateway_with(gateway_factory, model("m/a", openai_emu.base_url))
    response = await gw.Chat(chat("m/a"), timeout=5)
    events = await stream_events(gw, stream("m/a"))
    assert response.attempts == 1 and events[0].start.attempts == 1
    assert len(openai_emu.requests) == 2


async def test_retries_are_bounded_and_the_final_error_lists_them(gateway_factory, openai_emu) -> None:
    gw = await gateway_with(gateway_factory, model("m/a", openai_emu.base_url))
    openai_emu.script = Script(error_status=502, error_kind="server")
    details = await failed(gw.Chat(chat("m/a"), timeout=5))
    assert (details.code, details.reason) == (grpc.StatusCode.UNAVAILABLE, "PROVIDER_UNAVAILABLE")
    assert len(openai_emu.requests) == 3  # 1 + max_retries
    meta = details.error_info.metadata
    assert meta["attempts"] == "3"
    assert meta["tried"] == ",".join(["m/a@primary:PROVIDER_UNAVAILABLE"] * 3)


@pytest.mark.parametrize(
    ("status", "kind"),
    [(400, "invalid"), (401, "auth"), (404, "not_found"), (429, "quota"), (400, "context_length")],
)
async def test_what_cannot_succeed_is_not_retried(
    gateway_factory, openai_emu, status: int, kind: str
) -> None:
    gw = await gateway_with(gateway_factory, model("m/a", openai_emu.base_url))
    openai_emu.scripts = [Script(error_status=status, error_kind=kind), Script()]
    details = await failed(gw.Chat(chat("m/a"), timeout=5))
    assert details.code != grpc.StatusCode.OK
    assert len(openai_emu.requests) == 1


async def test_529_with_x_should_retry(gateway_factory, anthropic_emu) -> None:
    gw = await gateway_with(gateway_factory, model("m/c", anthropic_emu.base_url, "anthropic"))
    overloaded = {"error_status": 529, "error_kind": "overloaded"}
    anthropic_emu.scripts = [Script(**overloaded, error_headers={"x-should-retry": "true"}), Script()]
    response = await gw.Chat(chat("m/c"), timeout=5)
    assert response.attempts == 2 and len(anthropic_emu.requests) == 2

    anthropic_emu.scripts = [Script(**overloaded, error_headers={"x-should-retry": "false"}), Script()]
    details = await failed(gw.Chat(chat("m/c"), timeout=5))
    assert details.reason == "PROVIDER_UNAVAILABLE" and details.error_info.metadata["http_status"] == "529"
    assert len(anthropic_emu.requests) == 3  # the provider said not to retry


async def test_429_retry_after_within_the_deadline_is_honoured(
    gateway_factory, openai_emu, caplog: pytest.LogCaptureFixture
) -> None:
    gw = await gateway_with(gateway_factory, model("m/a", openai_emu.base_url))
    limited = Script(error_status=429, error_kind="rate_limit", error_headers={"retry-after-ms": "150"})
    openai_emu.scripts = [limited, Script()]
    with caplog.at_level(logging.INFO, logger="llmgateway.attempts"):
        response = await gw.Chat(chat("m/a"), timeout=5)
    assert response.attempts == 2 and len(openai_emu.requests) == 2
    lines = [r for r in caplog.records if r.name == "llmgateway.attempts"]
    assert [(r.outcome, r.attempt) for r in lines] == [("PROVIDER_RATE_LIMITED", 1), ("OK", 2)]  # type: ignore[attr-defined]
    assert lines[1].wait_ms == 150.0  # type: ignore[attr-defined]  # the provider's delay, not the backoff
    assert {r.deployment for r in lines} == {"primary"}  # type: ignore[attr-defined]


async def test_429_retry_after_beyond_the_deadline_fails_at_once(gateway_factory, openai_emu) -> None:
    gw = await gateway_with(gateway_factory, model("m/a", openai_emu.base_url))
    openai_emu.scripts = [
        Script(error_status=429, error_kind="rate_limit", error_headers={"retry-after": "3"}),
        Script(),
    ]
    started = time.monotonic()
    details = await failed(gw.Chat(chat("m/a"), timeout=1.5))
    assert time.monotonic() - started < 1.0
    assert (details.code, details.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "PROVIDER_RATE_LIMITED")
    assert details.retry_info is not None and details.retry_info.retry_delay.seconds == 3
    assert len(openai_emu.requests) == 1


async def test_the_deadline_caps_the_number_of_retries(gateway_factory, openai_emu) -> None:
    slow_retry = {"max_retries": 10, "initial_backoff": 0.1, "max_backoff": 0.1}
    gw = await gateway_with(gateway_factory, model("m/a", openai_emu.base_url, retry=slow_retry))
    openai_emu.script = Script(error_status=500, error_kind="server")
    started = time.monotonic()
    details = await failed(gw.Chat(chat("m/a"), timeout=0.6))
    assert time.monotonic() - started < 1.5
    assert details.code == grpc.StatusCode.UNAVAILABLE  # the last error, not a bare deadline
    attempts = int(details.error_info.metadata["attempts"])
    assert 2 <= attempts < 10 and len(openai_emu.requests) == attempts


async def test_connection_refused(gateway_factory) -> None:
    gw = await gateway_with(gateway_factory, model("m/down", closed_port_url()))
    details = await failed(gw.Chat(chat("m/down"), timeout=5))
    assert (details.code, details.reason) == (grpc.StatusCode.UNAVAILABLE, "PROVIDER_UNAVAILABLE")
    assert details.error_info.metadata["attempts"] == "3"


async def test_connection_refused_deployment_fails_over_to_the_other(gateway_factory, openai_emu) -> None:
    gw = await gateway_with(
        gateway_factory,
        model(
            "m/a",
            closed_port_url(),
            weight=HEAVY,
            deployments=[deployment("b", openai_emu.base_url, weight=LIGHT)],
        ),
    )
    response = await gw.Chat(chat("m/a"), timeout=5)
    assert (response.attempts, response.deployment, response.upstream_model) == (2, "b", "emulated-model")
    assert len(openai_emu.requests) == 1
    assert openai_emu.requests[0].body["model"] == "openai-b"  # the deployment's own upstream model


# -- timeouts -------------------------------------------------------------------------
async def test_stall_before_the_first_byte_is_retried(gateway_factory, openai_emu) -> None:
    timeouts = {"total": 0.3, "first_token": 0.3}
    gw = await gateway_with(gateway_factory, model("m/a", openai_emu.base_url, timeouts=timeouts))
    openai_emu.scripts = [Script(stall_before_headers=3), Script()]
    response = await gw.Chat(chat("m/a"), timeout=5)
    assert response.attempts == 2 and len(openai_emu.requests) == 2

    openai_emu.scripts = [Script(stall_before_first_event=3), Script()]
    events = await stream_events(gw, stream("m/a"))
    assert events[0].start.attempts == 2 and len(openai_emu.requests) == 4
    assert await openai_emu.wait_for_disconnect(within=2)  # the stalled requests were closed


async def test_stall_mid_stream_ends_the_stream_without_retry(gateway_factory, openai_emu) -> None:
    gw = await gateway_with(gateway_factory, model("m/a", openai_emu.base_url, timeouts={"idle": 0.3}))
    openai_emu.script = Script(stall_after_first_event=3)
    kinds: list[str] = []
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for event in gw.StreamChat(stream("m/a"), timeout=5):
            kinds.append(event.WhichOneof("event"))
    details = Details(info.value)
    assert (details.code, details.reason) == (grpc.StatusCode.DEADLINE_EXCEEDED, "PROVIDER_TIMEOUT")
    assert details.error_info.metadata["timeout"] == "idle"
    assert kinds[0] == "start" and "end" not in kinds
    assert len(openai_emu.requests) == 1


async def test_truncated_stream_is_not_retried_after_the_first_event(gateway_factory, openai_emu) -> None:
    gw = await gateway_with(gateway_factory, model("m/a", openai_emu.base_url))
    openai_emu.scripts = [Script(truncate=True), Script()]
    kinds: list[str] = []
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for event in gw.StreamChat(stream("m/a"), timeout=5):
            kinds.append(event.WhichOneof("event"))
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "text_delta" in kinds and "end" not in kinds
    assert len(openai_emu.requests) == 1


async def test_stream_failing_before_its_first_event_is_retried(gateway_factory, openai_emu) -> None:
    gw = await gateway_with(gateway_factory, model("m/a", openai_emu.base_url))
    # No text: the in-stream error arrives before any event could reach the caller.
    openai_emu.scripts = [Script(text_chunks=[], midstream_error=True), Script()]
    events = await stream_events(gw, stream("m/a"))
    assert events[0].start.attempts == 2 and events[-1].WhichOneof("event") == "end"
    assert len(openai_emu.requests) == 2


# -- several deployments --------------------------------------------------------------
async def test_lowest_latency_prefers_the_fast_deployment(
    gateway_factory, openai_emu, second_openai_emu
) -> None:
    slow, fast = openai_emu, second_openai_emu
    slow.script = Script(stall_before_headers=0.2)
    gw = await gateway_with(
        gateway_factory,
        model(
            "m/a",
            slow.base_url,
            routing="lowest_latency",
            deployments=[deployment("fast", fast.base_url)],
        ),
    )
    for _ in range(2):  # each deployment is measured once first
        await gw.Chat(chat("m/a"), timeout=5)
    assert (len(slow.requests), len(fast.requests)) == (1, 1)
    served = [(await gw.Chat(chat("m/a"), timeout=5)).deployment for _ in range(6)]
    assert served == ["fast"] * 6
    assert (len(slow.requests), len(fast.requests)) == (1, 7)


async def test_least_inflight_avoids_the_busy_deployment(
    gateway_factory, openai_emu, second_openai_emu
) -> None:
    busy, idle = openai_emu, second_openai_emu
    busy.script = Script(stall_after_first_event=3)
    gw = await gateway_with(
        gateway_factory,
        model(
            "m/a",
            busy.base_url,
            weight=HEAVY,
            routing="least_inflight",
            deployments=[deployment("idle", idle.base_url, weight=LIGHT)],
        ),
    )
    held = gw.StreamChat(stream("m/a"), timeout=10)
    first = await held.read()
    assert first.start.deployment == "primary"  # the heavy one, while nothing is in flight
    served = [(await gw.Chat(chat("m/a"), timeout=5)).deployment for _ in range(3)]
    assert served == ["idle"] * 3
    held.cancel()
    assert (len(busy.requests), len(idle.requests)) == (1, 3)


async def test_deployment_cools_down_and_recovers(gateway_factory, openai_emu, second_openai_emu) -> None:
    flaky, steady = openai_emu, second_openai_emu
    gw = await gateway_with(
        gateway_factory,
        model(
            "m/a",
            flaky.base_url,
            weight=HEAVY,
            cooldown={"failures": 1, "window": 10, "cooldown": 0.4},
            deployments=[deployment("steady", steady.base_url, weight=LIGHT)],
        ),
    )
    flaky.scripts = [Script(error_status=500, error_kind="server")]
    response = await gw.Chat(chat("m/a"), timeout=5)
    assert (response.deployment, response.attempts) == ("steady", 2)
    served = [(await gw.Chat(chat("m/a"), timeout=5)).deployment for _ in range(3)]
    assert served == ["steady"] * 3  # the heavy deployment is cooling down: skipped
    assert (len(flaky.requests), len(steady.requests)) == (1, 4)
    await asyncio.sleep(0.5)
    served = [(await gw.Chat(chat("m/a"), timeout=5)).deployment for _ in range(2)]
    assert served == ["primary"] * 2  # probed, recovered, back in rotation
    assert (len(flaky.requests), len(steady.requests)) == (3, 4)


async def test_all_deployments_cooling_down_fail_at_once_with_retry_info(gateway_factory, openai_emu) -> None:
    cooldown = {"failures": 1, "window": 10, "cooldown": 30}
    gw = await gateway_with(
        gateway_factory, model("m/a", openai_emu.base_url, cooldown=cooldown, retry={"max_retries": 0})
    )
    openai_emu.script = Script(error_status=500, error_kind="server")
    await failed(gw.Chat(chat("m/a"), timeout=5))
    started = time.monotonic()
    details = await failed(gw.Chat(chat("m/a"), timeout=5))
    assert time.monotonic() - started < 0.5
    assert (details.code, details.reason) == (grpc.StatusCode.UNAVAILABLE, "PROVIDER_UNAVAILABLE")
    assert details.error_info.metadata["tried"] == "m/a:COOLDOWN"
    assert details.retry_info is not None and 28 <= details.retry_info.retry_delay.seconds <= 30
    events = gw.StreamChat(stream("m/a"), timeout=5)
    details = await failed(events.read())
    assert details.error_info.metadata["tried"] == "m/a:COOLDOWN"
    assert len(openai_emu.requests) == 1


# -- fallbacks ------------------------------------------------------------------------
def _cross_provider(openai_url: str, anthropic_url: str) -> list[dict[str, Any]]:
    return [
        model("m/gpt", openai_url, retry={"max_retries": 1, "initial_backoff": 0.01}, fallbacks=["m/claude"]),
        model("m/claude", anthropic_url, "anthropic"),
    ]


async def test_fallback_from_openai_to_anthropic_chat(gateway_factory, openai_emu, anthropic_emu) -> None:
    gw = await gateway_with(gateway_factory, *_cross_provider(openai_emu.base_url, anthropic_emu.base_url))
    openai_emu.script = Script(error_status=500, error_kind="server")
    response = await gw.Chat(chat("m/gpt"), timeout=5)
    assert (response.model, response.provider, response.attempts) == ("m/claude", "anthropic", 3)
    assert response.message.content[0].text == "Hello, world!"
    assert (len(openai_emu.requests), len(anthropic_emu.requests)) == (2, 1)
    body = anthropic_emu.requests[0].body  # translated for Anthropic's Messages API
    assert body["model"] == "anthropic-upstream" and "max_tokens" in body
    assert anthropic_emu.requests[0].path.endswith("/messages")


async def test_fallback_from_openai_to_anthropic_stream(gateway_factory, openai_emu, anthropic_emu) -> None:
    gw = await gateway_with(gateway_factory, *_cross_provider(openai_emu.base_url, anthropic_emu.base_url))
    openai_emu.script = Script(error_status=503, error_kind="server")
    events = await stream_events(gw, stream("m/gpt"))
    start = events[0].start
    assert (start.model, start.provider, start.attempts, start.deployment) == (
        "m/claude",
        "anthropic",
        3,
        "primary",
    )
    assert "".join(e.text_delta.text for e in events) == "Hello, world!"
    assert events[-1].WhichOneof("event") == "end"
    assert (len(openai_emu.requests), len(anthropic_emu.requests)) == (2, 1)
    assert anthropic_emu.requests[0].body["stream"] is True


async def test_no_fallback_once_the_stream_started(gateway_factory, openai_emu, anthropic_emu) -> None:
    gw = await gateway_with(gateway_factory, *_cross_provider(openai_emu.base_url, anthropic_emu.base_url))
    openai_emu.script = Script(text_chunks=list("abcdefgh"), midstream_error=True)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stream_events(gw, stream("m/gpt"))
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    assert (len(openai_emu.requests), len(anthropic_emu.requests)) == (1, 0)


async def test_fallback_on_context_length_only_where_configured(
    gateway_factory, openai_emu, anthropic_emu
) -> None:
    configured = model(
        "m/gpt", openai_emu.base_url, fallbacks=["m/claude"], fallback_on=["CONTEXT_LENGTH_EXCEEDED"]
    )
    plain = model("m/gpt-plain", openai_emu.base_url, fallbacks=["m/claude"])
    gw = await gateway_with(
        gateway_factory, configured, plain, model("m/claude", anthropic_emu.base_url, "anthropic")
    )
    openai_emu.script = Script(error_status=400, error_kind="context_length")
    response = await gw.Chat(chat("m/gpt"), timeout=5)
    assert (response.model, response.attempts) == ("m/claude", 2)
    details = await failed(gw.Chat(chat("m/gpt-plain"), timeout=5))
    assert details.reason == "CONTEXT_LENGTH_EXCEEDED"
    assert (len(openai_emu.requests), len(anthropic_emu.requests)) == (2, 1)


async def test_exhausted_fallbacks_say_what_was_tried(gateway_factory, openai_emu, anthropic_emu) -> None:
    gw = await gateway_with(
        gateway_factory,
        model("m/gpt", openai_emu.base_url, retry={"max_retries": 0}, fallbacks=["m/missing", "m/claude"]),
        model(
            "m/claude",
            anthropic_emu.base_url,
            "anthropic",
            retry={"max_retries": 1, "initial_backoff": 0.01},
        ),
    )
    openai_emu.script = Script(error_status=500, error_kind="server")
    anthropic_emu.script = Script(error_status=429, error_kind="rate_limit")
    details = await failed(gw.Chat(chat("m/gpt"), timeout=5))
    assert (details.code, details.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "PROVIDER_RATE_LIMITED")
    meta = details.error_info.metadata
    assert meta["attempts"] == "3"
    assert meta["tried"] == (
        "m/gpt@primary:PROVIDER_UNAVAILABLE,m/missing:MODEL_NOT_FOUND,"
        "m/claude@primary:PROVIDER_RATE_LIMITED,m/claude@primary:PROVIDER_RATE_LIMITED"
    )
    assert meta["provider"] == "anthropic"
    assert (len(openai_emu.requests), len(anthropic_emu.requests)) == (1, 2)


# -- embeddings and images go through the same machinery --------------------------------
async def test_embed_and_images_retry_and_fall_back(gateway_factory, openai_emu, second_openai_emu) -> None:
    caps = {"capabilities": ["embed", "image"]}
    gw = await gateway_with(
        gateway_factory,
        model("m/embed", openai_emu.base_url, fallbacks=["m/embed-backup"], **caps),
        model("m/embed-backup", second_openai_emu.base_url, **caps),
    )
    openai_emu.scripts = [Script(error_status=500, error_kind="server"), Script()]
    response = await gw.Embed(embedding_pb2.EmbedRequest(model="m/embed", inputs=["a", "b"]), timeout=5)
    assert len(response.embeddings) == 2
    assert len(openai_emu.requests) == 2 and len(second_openai_emu.requests) == 0

    # three failures exhaust m/embed (1 + 2 retries); the fallback serves
    openai_emu.scripts = [Script(error_status=503, error_kind="server")] * 3
    images = await gw.GenerateImage(image_pb2.GenerateImageRequest(model="m/embed", prompt="p"), timeout=5)
    assert len(images.images) == 1
    assert len(openai_emu.requests) == 5 and len(second_openai_emu.requests) == 1


async def test_a_persistent_failure_costs_the_gateways_attempts_only(gateway_factory, openai_emu) -> None:
    """The bundled client service config retries UNAVAILABLE, and so does the gateway: the
    gateway's retry pushback keeps them from multiplying (3 upstream requests per call, not 9),
    and the breaker opens after its failed calls (not attempts); the next caller is told when
    to come back without reaching the upstream."""
    from llmgateway.client import AsyncGatewayClient, GatewayError

    openai_emu.script = Script(error_status=503, error_kind="server")
    cooldown = {"failures": 3, "window": 30, "cooldown": 5}
    gateway = await gateway_with(gateway_factory, model("m/a", openai_emu.base_url, cooldown=cooldown))
    async with AsyncGatewayClient(f"127.0.0.1:{gateway.port}", timeout=10) as client:
        for calls in range(1, 4):
            with pytest.raises(GatewayError) as info:
                await client.chat(model="m/a", messages="hi")
            assert info.value.reason == "PROVIDER_UNAVAILABLE"
            assert len(openai_emu.requests) == 3 * calls  # 1 + 2 gateway retries, no client retry
        with pytest.raises(GatewayError) as info:
            await client.chat(model="m/a", messages="hi")
        assert len(openai_emu.requests) == 9  # open: nothing reaches the upstream
        assert info.value.metadata["tried"] == "m/a:COOLDOWN"
        assert info.value.retry_delay is not None and 4 < info.value.retry_delay <= 5
