"""Ollama native adapter details the conformance suite does not cover, over real HTTP to the
loopback emulator in tests/emulators/ollama.py."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest

from llmgateway.core.deadline import Budget, Timeouts
from llmgateway.core.errors import Code, GatewayError, Reason
from llmgateway.core.models import Capability, Model
from llmgateway.core.ports import Endpoint, ModelDiscovery
from llmgateway.core.types import (
    ChatRequest,
    EmbedRequest,
    FinishReason,
    GenerationConfig,
    ImagePart,
    Message,
    ReasoningPart,
    ResponseFormat,
    Role,
    StreamEnd,
    StreamEvent,
    TextPart,
    Tool,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from llmgateway.providers.ollama import OllamaAdapter
from tests.emulators.base import Script, ToolCallScript
from tests.emulators.ollama import OllamaEmulator

BUDGET = Budget.for_call(Timeouts(connect=2, first_token=5, idle=5, total=10), None)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
WEATHER = Tool(
    "get_weather", "Weather of a city", {"type": "object", "properties": {"city": {"type": "string"}}}
)


def model(**options: str) -> Model:
    return Model(
        id="o/m",
        provider="ollama",
        upstream_model="qwen3:8b",
        adapter_class="llmgateway.providers.ollama.OllamaAdapter",
        capabilities=frozenset(Capability),
        options=options,
    )


def req(*messages: Message, **kw: Any) -> ChatRequest:
    return ChatRequest("o/m", list(messages) or [Message(Role.USER, [TextPart("hi")])], **kw)


async def collect(agen: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [e async for e in agen]


@pytest.fixture
async def emu() -> AsyncIterator[OllamaEmulator]:
    async with OllamaEmulator() as e:
        yield e  # type: ignore[misc]


@pytest.fixture
async def adapter(emu: OllamaEmulator) -> AsyncIterator[OllamaAdapter]:
    a = OllamaAdapter(Endpoint(emu.base_url))
    yield a
    await a.aclose()


def body(emu: OllamaEmulator) -> dict[str, Any]:
    return emu.requests[-1].body  # type: ignore[no-any-return]


async def test_request_translation(emu: OllamaEmulator, adapter: OllamaAdapter) -> None:
    messages = [
        Message(Role.SYSTEM, [TextPart("Be terse.")]),
        Message(Role.USER, [TextPart("What is this?"), ImagePart(data=PNG)]),
        Message(
            Role.ASSISTANT,
            [ReasoningPart("Look at it."), TextPart("Checking.")],
            [ToolCall("call_9", "get_weather", '{"city": "Rome"}')],
        ),
        Message(Role.TOOL, [TextPart("sunny")], tool_call_id="call_9"),
    ]
    gen = GenerationConfig(max_tokens=64, temperature=0.1, top_p=0.9, top_k=20, stop=["\n\n"], seed=3)
    request = req(*messages, tools=[WEATHER], generation=gen, response_format=ResponseFormat("json_object"))
    await adapter.chat(model(keep_alive="5m", num_ctx="8192"), request, BUDGET)
    assert emu.requests[-1].path == "/api/chat" and "authorization" not in emu.requests[-1].headers
    assert body(emu) == {
        "model": "qwen3:8b",
        "messages": [
            {"role": "system", "content": "Be terse."},
            {"role": "user", "content": "What is this?", "images": [base64.b64encode(PNG).decode()]},
            {
                "role": "assistant",
                "content": "Checking.",
                "thinking": "Look at it.",
                "tool_calls": [
                    {"function": {"name": "get_weather", "arguments": {"city": "Rome"}}, "id": "call_9"}
                ],
            },
            {"role": "tool", "content": "sunny", "tool_name": "get_weather"},
        ],
        "stream": False,
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather of a city",
                    "parameters": WEATHER.parameters,
                },
            }
        ],
        "format": "json",
        "options": {
            "num_predict": 64,
            "temperature": 0.1,
            "top_p": 0.9,
            "top_k": 20,
            "seed": 3,
            "stop": ["\n\n"],
            "num_ctx": 8192,
        },
        "keep_alive": "5m",
    }


@pytest.mark.parametrize(
    ("options", "generation", "think"),
    [
        ({}, GenerationConfig(reasoning_effort="low"), True),
        ({"think": "high"}, GenerationConfig(), "high"),
        ({"think": "false"}, GenerationConfig(reasoning_effort="low"), False),
        ({}, GenerationConfig(), None),
    ],
)
async def test_think(
    emu: OllamaEmulator,
    adapter: OllamaAdapter,
    options: dict[str, str],
    generation: GenerationConfig,
    think: Any,
) -> None:
    await adapter.chat(model(**options), req(generation=generation), BUDGET)
    assert body(emu).get("think") == think


async def test_json_schema_format(emu: OllamaEmulator, adapter: OllamaAdapter) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    await collect(
        adapter.stream_chat(model(), req(response_format=ResponseFormat("json_schema", "x", schema)), BUDGET)
    )
    assert body(emu)["format"] == schema and body(emu)["stream"] is True


async def test_calls_without_ids_get_stable_ids(emu: OllamaEmulator, adapter: OllamaAdapter) -> None:
    emu.call_ids = False  # servers before tool-call ids
    emu.script = Script(
        text_chunks=[],
        tool_calls=[
            ToolCallScript("-", "get_weather", ['{"city": "Rome"}']),
            ToolCallScript("-", "get_time", ["{}"]),
        ],
        finish="tool_calls",
    )
    result = await adapter.chat(model(), req(tools=[WEATHER]), BUDGET)
    events = await collect(adapter.stream_chat(model(), req(tools=[WEATHER]), BUDGET))
    streamed = [(e.index, e.id, e.name, e.arguments) for e in events if isinstance(e, ToolCallDelta)]
    assert [(i, c.id, c.name, c.arguments) for i, c in enumerate(result.message.tool_calls)] == streamed
    assert streamed[0][1] != streamed[1][1] and result.finish_reason is FinishReason.TOOL_CALLS
    # Generated ids are not sent back; the result is named by its call.
    history = req(
        Message(Role.USER, [TextPart("hi")]),
        result.message,
        Message(Role.TOOL, [TextPart("1")], tool_call_id=result.message.tool_calls[1].id),
    )
    await adapter.chat(model(), history, BUDGET)
    sent = body(emu)["messages"]
    assert "id" not in sent[1]["tool_calls"][0] and sent[2]["tool_name"] == "get_time"


async def test_done_reason_length(emu: OllamaEmulator, adapter: OllamaAdapter) -> None:
    emu.script = Script(finish="length")
    events = await collect(adapter.stream_chat(model(), req(), BUDGET))
    assert isinstance(events[-1], StreamEnd) and events[-1].finish_reason is FinishReason.LENGTH


async def test_a_cached_prompt_has_no_prompt_count(emu: OllamaEmulator, adapter: OllamaAdapter) -> None:
    emu.prompt_cached = True
    result = await adapter.chat(model(), req(), BUDGET)
    events = await collect(adapter.stream_chat(model(), req(), BUDGET))
    for usage in (result.usage, events[-1].usage):  # type: ignore[union-attr]
        assert usage == Usage(5, 4, estimated=True)  # "hi": 1 token + 4 for the message


async def test_errors(emu: OllamaEmulator, adapter: OllamaAdapter) -> None:
    emu.script = Script(error_status=404, error_kind="not_found")
    with pytest.raises(GatewayError) as info:
        await collect(adapter.stream_chat(model(), req(), BUDGET))
    assert (info.value.code, info.value.reason) == (Code.FAILED_PRECONDITION, Reason.PROVIDER_MODEL_NOT_FOUND)
    assert "try pulling it first" in info.value.message
    emu.script = Script(midstream_error=True)
    with pytest.raises(GatewayError) as info:
        await collect(adapter.stream_chat(model(), req(), BUDGET))
    assert info.value.metadata["in_stream"] == "true" and "unexpected EOF" in info.value.message


async def test_a_key_is_sent_when_configured(emu: OllamaEmulator) -> None:
    adapter = OllamaAdapter(Endpoint(emu.base_url, "ollama-cloud-key"))
    try:
        await adapter.chat(model(), req(), BUDGET)
    finally:
        await adapter.aclose()
    assert emu.requests[-1].headers["authorization"] == "Bearer ollama-cloud-key"


async def test_embed(emu: OllamaEmulator, adapter: OllamaAdapter) -> None:
    result = await adapter.embed(
        model(keep_alive="-1"), EmbedRequest("o/m", ["a", "b"], dimensions=3), BUDGET
    )
    assert body(emu) == {"model": "qwen3:8b", "input": ["a", "b"], "dimensions": 3, "keep_alive": -1}
    assert [len(v) for v in result.vectors] == [3, 3] and result.prompt_tokens == 16


async def test_discover_models(emu: OllamaEmulator, adapter: OllamaAdapter) -> None:
    assert isinstance(adapter, ModelDiscovery) and OllamaAdapter.supported_models() == []
    specs = {s.upstream_model: s for s in await adapter.discover_models(BUDGET)}
    assert set(specs) == {"llama3.2:latest", "qwen3:8b", "llava:7b", "all-minilm:latest"}
    assert (
        Capability.REASONING in specs["qwen3:8b"].capabilities and specs["qwen3:8b"].context_length == 40960
    )
    assert Capability.VISION in specs["llava:7b"].capabilities
    assert specs["all-minilm:latest"].capabilities == {Capability.EMBED}
    emu.show_capabilities = False  # a server too old to say: basic chat
    specs = {s.upstream_model: s for s in await adapter.discover_models(BUDGET)}
    assert specs["all-minilm:latest"].capabilities == {
        Capability.CHAT,
        Capability.STREAM,
        Capability.JSON_OUTPUT,
    }
