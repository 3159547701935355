"""Deadlines, cancellation and provider errors end to end: gRPC caller -> gateway ->
a loopback provider emulator speaking the real wire format."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import grpc
import pytest

from tests.canaries import PROVIDER_KEY, PROVIDER_KEY_ENV
from tests.emulators.anthropic import AnthropicEmulator
from tests.emulators.base import Emulator, Script
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import Details, chat, stream

KEY_ENV, KEY = PROVIDER_KEY_ENV, PROVIDER_KEY


@pytest.fixture
async def upstreams(
    gateway_factory, monkeypatch
) -> AsyncIterator[tuple[object, OpenAIEmulator, AnthropicEmulator]]:
    monkeypatch.setenv(KEY_ENV, KEY)
    async with OpenAIEmulator() as openai_emu, AnthropicEmulator() as anthropic_emu:
        caps = ["chat", "stream", "tools", "vision"]
        gateway = await gateway_factory(
            include_default_models=False,
            models=[
                {
                    "id": "up/openai",
                    "provider": "openai",
                    "upstream_model": "gpt-test",
                    "base_url": openai_emu.base_url,
                    "credential_ref": KEY_ENV,
                    "capabilities": caps,
                },
                {
                    "id": "up/claude",
                    "provider": "anthropic",
                    "upstream_model": "claude-test",
                    "base_url": anthropic_emu.base_url,
                    "credential_ref": KEY_ENV,
                    "capabilities": caps,
                },
                {
                    "id": "up/fast-timeout",
                    "provider": "openai",
                    "upstream_model": "gpt-test",
                    "base_url": openai_emu.base_url,
                    "credential_ref": KEY_ENV,
                    "capabilities": caps,
                    "timeouts": {"first_token": 0.3, "idle": 0.3},
                },
            ],
        )
        yield gateway, openai_emu, anthropic_emu


@pytest.mark.parametrize("model", ["up/openai", "up/claude"])
async def test_chat_and_stream_through_each_provider(upstreams, model: str) -> None:
    gateway, *_ = upstreams
    response = await gateway.Chat(chat(model), timeout=5)
    assert response.message.content[0].text == "Hello, world!"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (11, 4)
    events = [e async for e in gateway.StreamChat(stream(model), timeout=5)]
    assert "".join(e.text_delta.text for e in events) == "Hello, world!"
    assert events[0].start.model == model and events[-1].end.usage.total_tokens == 15


def _emulator(upstreams, model: str) -> Emulator:
    return upstreams[1] if model == "up/openai" else upstreams[2]


@pytest.mark.parametrize("model", ["up/openai", "up/claude"])
async def test_caller_deadline_bounds_the_upstream_call(upstreams, model: str) -> None:
    gateway = upstreams[0]
    emu = _emulator(upstreams, model)
    emu.script = Script(stall_before_headers=5)
    started = time.monotonic()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Chat(chat(model), timeout=0.5)
    assert time.monotonic() - started < 2
    details = Details(info.value)
    assert details.code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert details.reason == "PROVIDER_TIMEOUT"  # the gateway's own answer, just before the caller's deadline
    assert await emu.wait_for_disconnect()


async def test_first_token_timeout_of_the_model(upstreams) -> None:
    gateway, openai_emu, _ = upstreams
    openai_emu.script = Script(stall_before_first_event=5)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in gateway.StreamChat(stream("up/fast-timeout"), timeout=10):
            pytest.fail("no event may reach the caller")
    details = Details(info.value)
    assert (details.code, details.reason) == (grpc.StatusCode.DEADLINE_EXCEEDED, "PROVIDER_TIMEOUT")
    assert details.error_info.metadata["timeout"] == "first token"


@pytest.mark.parametrize("model", ["up/openai", "up/claude"])
async def test_cancelled_stream_closes_the_upstream_request(upstreams, model: str) -> None:
    gateway = upstreams[0]
    emu = _emulator(upstreams, model)
    emu.script = Script(stall_after_first_event=10)
    call = gateway.StreamChat(stream(model), timeout=30)
    async for event in call:
        if event.WhichOneof("event") != "start":
            break
    call.cancel()
    assert await emu.wait_for_disconnect(within=2.0)
    assert emu.completed_streams == 0


@pytest.mark.parametrize("model", ["up/openai", "up/claude"])
async def test_midstream_failure_ends_the_rpc_with_a_status(upstreams, model: str) -> None:
    gateway = upstreams[0]
    _emulator(upstreams, model).script = Script(text_chunks=list("abcdefgh"), midstream_error=True)
    kinds: list[str] = []
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for event in gateway.StreamChat(stream(model), timeout=5):
            kinds.append(event.WhichOneof("event"))
    assert kinds[0] == "start" and "end" not in kinds
    details = Details(info.value)
    assert (details.code, details.reason) == (grpc.StatusCode.UNAVAILABLE, "PROVIDER_UNAVAILABLE")


async def test_provider_rate_limit_carries_retry_info(upstreams) -> None:
    gateway, openai_emu, _ = upstreams
    openai_emu.script = Script(error_status=429, error_kind="rate_limit", error_headers={"retry-after": "7"})
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Chat(chat("up/openai"), timeout=5)
    details = Details(info.value)
    assert (details.code, details.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "PROVIDER_RATE_LIMITED")
    assert details.retry_info is not None and details.retry_info.retry_delay.seconds == 7


async def test_provider_auth_failure_hides_the_key(upstreams) -> None:
    gateway, openai_emu, _ = upstreams
    openai_emu.script = Script(error_status=401, error_kind="auth")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Chat(chat("up/openai"), timeout=5)
    details = Details(info.value)
    assert (details.code, details.reason) == (grpc.StatusCode.INTERNAL, "PROVIDER_AUTH_FAILED")
    assert KEY not in str(info.value) and KEY[:12] not in details.message
    assert openai_emu.requests[-1].headers["authorization"] == f"Bearer {KEY}"


async def test_truncated_stream_is_an_error_not_a_short_answer(upstreams) -> None:
    gateway, openai_emu, _ = upstreams
    openai_emu.script = Script(truncate=True)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in gateway.StreamChat(stream("up/openai"), timeout=5):
            pass
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE


@pytest.mark.parametrize("model", ["up/openai", "up/claude"])
async def test_upstream_connections_are_reused(upstreams, model: str) -> None:
    gateway = upstreams[0]
    emu = _emulator(upstreams, model)
    for _ in range(3):
        await gateway.Chat(chat(model), timeout=5)
        [e async for e in gateway.StreamChat(stream(model), timeout=5)]
        await asyncio.sleep(0.05)
    peers = {r.peer for r in emu.requests}
    assert len(emu.requests) == 6 and len(peers) == 1, peers
