"""Gemini, Ollama (its models discovered from the running server) and a vendor preset end to
end: gRPC caller -> the real gateway -> loopback emulators speaking each wire format."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from llmgateway.v1 import chat_pb2, model_pb2
from tests.emulators.base import Emulator, Script
from tests.emulators.gemini import GeminiEmulator
from tests.emulators.ollama import OllamaEmulator
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import Details, chat, stream

GEMINI_KEY = "AIza-integration-0123456789"
DEEPSEEK_KEY = "sk-deepseek-integration-0123456789"
FAST = {"first_token": 0.3, "idle": 0.3}


@pytest.fixture
async def gateway(
    gateway_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Any, dict[str, Emulator]]]:
    monkeypatch.setenv("GEMINI_API_KEY", GEMINI_KEY)
    monkeypatch.setenv("DEEPSEEK_API_KEY", DEEPSEEK_KEY)
    async with GeminiEmulator() as gemini, OllamaEmulator() as ollama, OpenAIEmulator() as deepseek:
        stub = await gateway_factory(
            include_default_models=False,
            models=[
                {
                    "id": "g/flash",
                    "provider": "gemini",
                    "upstream_model": "gemini-2.5-flash",
                    "base_url": gemini.base_url,
                    "credential_ref": "GEMINI_API_KEY",
                },
                {
                    "id": "g/fast",
                    "provider": "gemini",
                    "upstream_model": "gemini-2.5-flash",
                    "base_url": gemini.base_url,
                    "credential_ref": "GEMINI_API_KEY",
                    "timeouts": FAST,
                },
                # The preset gives the options; a model with its own URL (the emulator's) names its key.
                {
                    "id": "deepseek/chat",
                    "provider": "deepseek",
                    "upstream_model": "deepseek-chat",
                    "base_url": deepseek.base_url,
                    "credential_ref": "DEEPSEEK_API_KEY",
                },
            ],
            discover=[{"provider": "ollama", "base_url": ollama.base_url}],
        )
        yield (
            stub,
            {
                "g/flash": gemini,
                "g/fast": gemini,
                "ollama/llama3.2:latest": ollama,
                "deepseek/chat": deepseek,
            },
        )


async def test_discovered_models_are_listed(gateway: Any) -> None:
    stub, _ = gateway
    listed = await stub.ListModels(model_pb2.ListModelsRequest(provider="ollama"), timeout=5)
    assert {m.id for m in listed.models} == {
        "ollama/llama3.2:latest",
        "ollama/qwen3:8b",
        "ollama/llava:7b",
        "ollama/all-minilm:latest",
    }


@pytest.mark.parametrize("model", ["g/flash", "ollama/llama3.2:latest", "deepseek/chat"])
async def test_chat_and_stream(gateway: Any, model: str) -> None:
    stub, emulators = gateway
    response = await stub.Chat(chat(model), timeout=5)
    assert response.message.content[0].text == "Hello, world!"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens, response.usage.estimated) == (
        11,
        4,
        False,
    )
    events = [e async for e in stub.StreamChat(stream(model), timeout=5)]
    assert (
        "".join(e.text_delta.text for e in events if e.WhichOneof("event") == "text_delta") == "Hello, world!"
    )
    assert events[-1].end.finish_reason == chat_pb2.FINISH_REASON_STOP
    emulators[model].script = Script(no_usage=True)
    response = await stub.Chat(chat(model), timeout=5)
    assert response.usage.estimated and response.usage.prompt_tokens == 7  # "hello there": 3 + 4
    events = [e async for e in stub.StreamChat(stream(model), timeout=5)]
    assert events[-1].end.usage.estimated and events[-1].end.usage.completion_tokens == 4


async def test_the_preset_sends_its_key_and_token_field(gateway: Any) -> None:
    stub, emulators = gateway
    generation = chat_pb2.GenerationConfig(max_tokens=5, top_k=3)
    await stub.Chat(chat("deepseek/chat", generation=generation), timeout=5)
    recorded = emulators["deepseek/chat"].requests[-1]
    assert recorded.headers["authorization"] == f"Bearer {DEEPSEEK_KEY}"
    assert recorded.body["max_tokens"] == 5 and "top_k" not in recorded.body


async def test_a_stream_without_headers_names_the_phase(gateway: Any) -> None:
    stub, emulators = gateway
    emulators["g/fast"].script = Script(stall_before_headers=5)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in stub.StreamChat(stream("g/fast"), timeout=5):
            pytest.fail("no event may reach the caller")
    details = Details(info.value)
    assert (details.code, details.reason) == (grpc.StatusCode.DEADLINE_EXCEEDED, "PROVIDER_TIMEOUT")
    assert details.error_info is not None and details.error_info.metadata["timeout"] == "response headers"
    assert "response headers" in details.message


@pytest.mark.parametrize("model", ["g/flash", "ollama/llama3.2:latest"])
async def test_cancelled_stream_closes_the_upstream_request(gateway: Any, model: str) -> None:
    stub, emulators = gateway
    emu = emulators[model]
    emu.script = Script(stall_after_first_event=10)
    call = stub.StreamChat(stream(model), timeout=30)
    async for event in call:
        if event.WhichOneof("event") != "start":
            break
    call.cancel()
    assert await emu.wait_for_disconnect(within=2.0)
    assert emu.completed_streams == 0
