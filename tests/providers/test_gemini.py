"""Gemini adapter details the conformance suite does not cover, over real HTTP to the
loopback emulator in tests/emulators/gemini.py (and the stream parser over recorded bytes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from llmgateway.core.deadline import Budget, Timeouts
from llmgateway.core.errors import Code, GatewayError, Reason
from llmgateway.core.models import Capability, Model
from llmgateway.core.ports import Endpoint
from llmgateway.core.types import (
    ChatRequest,
    EmbedRequest,
    FinishReason,
    GenerationConfig,
    ImagePart,
    Message,
    ReasoningDelta,
    ReasoningPart,
    ResponseFormat,
    Role,
    StreamEnd,
    StreamEvent,
    TextPart,
    Tool,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
)
from llmgateway.providers.gemini import GeminiAdapter
from llmgateway.providers.gemini.stream import StreamFold
from llmgateway.providers.sse import sse_batches
from llmgateway.providers.streaming import relay
from tests.emulators.base import Script, ToolCallScript
from tests.emulators.gemini import GeminiEmulator

# Each upstream event's mapping is checked: delta coalescing off (tests/providers/conftest.py).
pytestmark = pytest.mark.usefixtures("each_delta")

KEY = "AIza-test-0123456789"
BUDGET = Budget.for_call(Timeouts(connect=2, first_token=5, idle=5, total=10), None)
WEATHER = Tool(
    "get_weather", "Weather of a city", {"type": "object", "properties": {"city": {"type": "string"}}}
)


def model(upstream: str = "gemini-2.5-flash", **options: str) -> Model:
    return Model(
        id="g/m",
        provider="gemini",
        upstream_model=upstream,
        adapter_class="llmgateway.providers.gemini.GeminiAdapter",
        capabilities=frozenset(Capability),
        options=options,
    )


def req(*messages: Message, **kw: Any) -> ChatRequest:
    return ChatRequest("g/m", list(messages) or [Message(Role.USER, [TextPart("hi")])], **kw)


async def collect(agen: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [e async for e in agen]


@pytest.fixture
async def emu() -> AsyncIterator[GeminiEmulator]:
    async with GeminiEmulator() as e:
        yield e  # type: ignore[misc]


@pytest.fixture
async def adapter(emu: GeminiEmulator) -> AsyncIterator[GeminiAdapter]:
    a = GeminiAdapter(Endpoint(emu.base_url, KEY))
    yield a
    await a.aclose()


def body(emu: GeminiEmulator) -> dict[str, Any]:
    return emu.requests[-1].body  # type: ignore[no-any-return]


def parallel_calls() -> Script:
    return Script(
        text_chunks=[],
        tool_calls=[
            ToolCallScript("call_1", "get_weather", ['{"city": "Paris"}']),
            ToolCallScript("call_2", "get_time", ['{"tz": "CET"}']),
        ],
        finish="tool_calls",
    )


async def test_request_translation(emu: GeminiEmulator, adapter: GeminiAdapter) -> None:
    messages = [
        Message(Role.SYSTEM, [TextPart("Be terse.")]),
        Message(Role.DEVELOPER, [TextPart("Use metric units.")]),
        Message(Role.USER, [TextPart("Weather?"), ImagePart(uri="https://example.test/sky.png?x=1")]),
        Message(
            Role.ASSISTANT,
            [ReasoningPart("The user wants weather.", "sig-1"), TextPart("Checking.")],
            [ToolCall("fc-1", "get_weather", '{"city": "Paris"}')],
        ),
        Message(Role.TOOL, [TextPart('{"temp": 12}')], tool_call_id="fc-1"),
    ]
    gen = GenerationConfig(max_tokens=50, temperature=0.2, top_p=0.9, top_k=40, stop=["END"], seed=7)
    request = req(
        *messages,
        tools=[WEATHER],
        tool_choice=ToolChoice("function", "get_weather"),
        generation=gen,
        response_format=ResponseFormat("json_schema", "w", {"type": "object"}),
    )
    await adapter.chat(model(), request, BUDGET)
    recorded = emu.requests[-1]
    assert recorded.path == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert recorded.headers["x-goog-api-key"] == KEY and "key" not in recorded.query
    assert body(emu) == {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"text": "Weather?"},
                    {"fileData": {"fileUri": "https://example.test/sky.png?x=1", "mimeType": "image/png"}},
                ],
            },
            {
                "role": "model",
                "parts": [
                    {"text": "The user wants weather.", "thought": True},
                    {"text": "Checking."},
                    {
                        "functionCall": {"name": "get_weather", "args": {"city": "Paris"}, "id": "fc-1"},
                        "thoughtSignature": "sig-1",
                    },
                ],
            },
            {
                "role": "user",
                "parts": [
                    {"functionResponse": {"name": "get_weather", "response": {"temp": 12}, "id": "fc-1"}}
                ],
            },
        ],
        "systemInstruction": {"parts": [{"text": "Be terse."}, {"text": "Use metric units."}]},
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "get_weather",
                        "description": "Weather of a city",
                        "parametersJsonSchema": WEATHER.parameters,
                    }
                ]
            }
        ],
        "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}},
        "generationConfig": {
            "maxOutputTokens": 50,
            "temperature": 0.2,
            "topP": 0.9,
            "topK": 40,
            "stopSequences": ["END"],
            "seed": 7,
            "responseMimeType": "application/json",
            "responseJsonSchema": {"type": "object"},
        },
    }


@pytest.mark.parametrize(
    ("upstream", "generation", "thinking"),
    [
        ("gemini-2.5-flash", GenerationConfig(reasoning_effort="low"), {"thinkingBudget": 1024}),
        ("gemini-2.5-pro", GenerationConfig(reasoning_budget_tokens=300), {"thinkingBudget": 300}),
        ("gemini-3-pro-preview", GenerationConfig(reasoning_effort="high"), {"thinkingLevel": "high"}),
    ],
)
async def test_thinking_config(
    emu: GeminiEmulator,
    adapter: GeminiAdapter,
    upstream: str,
    generation: GenerationConfig,
    thinking: dict[str, Any],
) -> None:
    await adapter.chat(model(upstream), req(generation=generation), BUDGET)
    assert body(emu)["generationConfig"]["thinkingConfig"] == {**thinking, "includeThoughts": True}


@pytest.mark.parametrize(("mode", "expected"), [("auto", "AUTO"), ("none", "NONE"), ("required", "ANY")])
async def test_tool_choice_modes(
    emu: GeminiEmulator, adapter: GeminiAdapter, mode: str, expected: str
) -> None:
    await adapter.chat(model(), req(tools=[WEATHER], tool_choice=ToolChoice(mode)), BUDGET)
    assert body(emu)["toolConfig"] == {"functionCallingConfig": {"mode": expected}}


async def test_json_mode(emu: GeminiEmulator, adapter: GeminiAdapter) -> None:
    await adapter.chat(model(), req(response_format=ResponseFormat("json_object")), BUDGET)
    assert body(emu)["generationConfig"] == {"responseMimeType": "application/json"}


async def test_parallel_calls_without_ids_get_stable_ids_and_results_map_back(
    emu: GeminiEmulator, adapter: GeminiAdapter
) -> None:
    emu.call_ids = False  # Gemini 2.5
    emu.script = parallel_calls()
    first = await adapter.chat(model(), req(tools=[WEATHER]), BUDGET)
    again = await adapter.chat(model(), req(tools=[WEATHER]), BUDGET)
    events = await collect(adapter.stream_chat(model(), req(tools=[WEATHER]), BUDGET))
    calls = first.message.tool_calls
    streamed = [(e.id, e.name, e.arguments) for e in events if isinstance(e, ToolCallDelta)]
    assert [(c.id, c.name, c.arguments) for c in calls] == streamed
    assert [c.id for c in again.message.tool_calls] == [c.id for c in calls]
    assert len({c.id for c in calls}) == 2 and first.finish_reason is FinishReason.TOOL_CALLS
    # The next turn: results in the order the model called, named by the call they answer.
    emu.script = Script()
    follow_up = req(
        Message(Role.USER, [TextPart("Weather and time?")]),
        first.message,
        Message(Role.TOOL, [TextPart("CET 10:00")], tool_call_id=calls[1].id),
        Message(Role.TOOL, [TextPart("sunny")], tool_call_id=calls[0].id),
    )
    await adapter.chat(model(), follow_up, BUDGET)
    model_turn, results = body(emu)["contents"][1:]
    assert [p["functionCall"] for p in model_turn["parts"]] == [
        {"name": "get_weather", "args": {"city": "Paris"}},
        {"name": "get_time", "args": {"tz": "CET"}},
    ]
    assert results == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "get_time", "response": {"output": "CET 10:00"}}},
            {"functionResponse": {"name": "get_weather", "response": {"output": "sunny"}}},
        ],
    }


async def test_a_tool_result_for_no_known_call_is_invalid(adapter: GeminiAdapter) -> None:
    orphan = Message(Role.TOOL, [TextPart("x")], tool_call_id="nope")
    with pytest.raises(GatewayError) as info:
        await adapter.chat(model(), req(Message(Role.USER, [TextPart("hi")]), orphan), BUDGET)
    assert info.value.field_violations == [
        ("messages[1].tool_call_id", "names no tool call of an earlier assistant message")
    ]


async def test_thought_signature_goes_back_with_the_call(emu: GeminiEmulator, adapter: GeminiAdapter) -> None:
    emu.call_ids = False
    emu.script = Script(
        reasoning_chunks=["Need ", "weather."],
        reasoning_signature="c2lnLTE=",
        text_chunks=[],
        tool_calls=[ToolCallScript("x", "get_weather", ['{"city": "Oslo"}'])],
        finish="tool_calls",
    )
    result = await adapter.chat(model(), req(tools=[WEATHER]), BUDGET)
    assert result.message.parts == [ReasoningPart("Need weather.", "c2lnLTE=")]
    events = await collect(adapter.stream_chat(model(), req(tools=[WEATHER]), BUDGET))
    assert [e for e in events if isinstance(e, ReasoningDelta)] == [
        ReasoningDelta("Need "),
        ReasoningDelta("weather."),
        ReasoningDelta(signature="c2lnLTE="),
    ]
    call = result.message.tool_calls[0]
    history = req(
        Message(Role.USER, [TextPart("hi")]),
        result.message,
        Message(Role.TOOL, [TextPart("-3C")], tool_call_id=call.id),
    )
    await adapter.chat(model(), history, BUDGET)
    assert body(emu)["contents"][1]["parts"] == [
        {"text": "Need weather.", "thought": True},
        {"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}, "thoughtSignature": "c2lnLTE="},
    ]


async def test_thought_signature_of_a_text_answer(emu: GeminiEmulator, adapter: GeminiAdapter) -> None:
    emu.script = Script(text_chunks=["It is ", "sunny."], reasoning_signature="c2ln")
    result = await adapter.chat(model(), req(), BUDGET)
    assert result.message.parts == [ReasoningPart("", "c2ln"), TextPart("It is sunny.")]
    await adapter.chat(model(), req(Message(Role.USER, [TextPart("hi")]), result.message), BUDGET)
    assert body(emu)["contents"][1]["parts"] == [{"text": "It is sunny.", "thoughtSignature": "c2ln"}]


async def test_v1_path(emu: GeminiEmulator) -> None:
    root = emu.base_url.removesuffix("/v1beta")
    adapter = GeminiAdapter(Endpoint(f"{root}/v1", KEY))
    try:
        result = await adapter.chat(model(), req(), BUDGET)
        events = await collect(adapter.stream_chat(model(), req(), BUDGET))
    finally:
        await adapter.aclose()
    assert result.message.text() == "Hello, world!" and isinstance(events[-1], StreamEnd)
    assert emu.requests[-1].path == "/v1/models/gemini-2.5-flash:streamGenerateContent"
    assert emu.requests[-1].query == {"alt": "sse"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SAFETY", FinishReason.CONTENT_FILTER),
        ("RECITATION", FinishReason.CONTENT_FILTER),
        ("PROHIBITED_CONTENT", FinishReason.CONTENT_FILTER),
        ("MAX_TOKENS", FinishReason.LENGTH),
        ("MALFORMED_FUNCTION_CALL", FinishReason.OTHER),
        ("LANGUAGE", FinishReason.OTHER),
    ],
)
async def test_finish_reasons(
    emu: GeminiEmulator, adapter: GeminiAdapter, raw: str, expected: FinishReason
) -> None:
    emu.finish_override = raw
    result = await adapter.chat(model(), req(), BUDGET)
    events = await collect(adapter.stream_chat(model(), req(), BUDGET))
    assert result.finish_reason is expected
    assert isinstance(events[-1], StreamEnd) and events[-1].finish_reason is expected


@pytest.mark.parametrize("streaming", [False, True], ids=["chat", "stream"])
async def test_blocked_prompt_is_a_content_policy_violation(
    emu: GeminiEmulator, adapter: GeminiAdapter, streaming: bool
) -> None:
    emu.block_reason = "PROHIBITED_CONTENT"
    with pytest.raises(GatewayError) as info:
        if streaming:
            await collect(adapter.stream_chat(model(), req(), BUDGET))
        else:
            await adapter.chat(model(), req(), BUDGET)
    err = info.value
    assert (err.code, err.reason) == (Code.INVALID_ARGUMENT, Reason.CONTENT_POLICY_VIOLATION)
    assert err.metadata["provider_error_type"] == "PROHIBITED_CONTENT"


async def test_an_invalid_key_is_a_400_with_api_key_invalid(
    emu: GeminiEmulator, adapter: GeminiAdapter
) -> None:
    emu.valid_keys = {"another-key"}
    with pytest.raises(GatewayError) as info:
        await adapter.chat(model(), req(), BUDGET)
    err = info.value
    assert (err.code, err.reason, err.metadata["http_status"]) == (
        Code.INTERNAL,
        Reason.PROVIDER_AUTH_FAILED,
        "400",
    )
    assert KEY not in err.message


async def test_midstream_error_names_its_status(emu: GeminiEmulator, adapter: GeminiAdapter) -> None:
    emu.script = Script(midstream_error=True)
    with pytest.raises(GatewayError) as info:
        await collect(adapter.stream_chat(model(), req(), BUDGET))
    meta = info.value.metadata
    assert (meta["provider_error_type"], meta["http_status"], meta["in_stream"]) == (
        "UNAVAILABLE",
        "503",
        "true",
    )


async def replay(*chunks: bytes) -> list[StreamEvent]:
    async def source() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    return await collect(relay(sse_batches(source(), other_lines=True), StreamFold(req())))


async def test_stream_parser_edge_cases() -> None:
    # Vertex: intermediate chunks carry no counts; the last value of each field wins.
    counts = (
        b'"usageMetadata": {"promptTokenCount": 3,"candidatesTokenCount": 2,"toolUsePromptTokenCount": 1}'
    )
    events = await replay(
        b'data: {"candidates": [{"content": {"parts": [{"text": "a"}],"role": "model"},"index": 0}],'
        b'"usageMetadata": {"trafficType": "ON_DEMAND"}}\r\n\r\n',
        b'data: {"candidates": [{"content": {"parts": [{"text": "b"}]},"finishReason": "STOP"}],'
        + counts
        + b"}\r\n\r\n",
        b"data: {" + counts + b"}\r\n\r\n",
    )
    end = events[-1]
    assert isinstance(end, StreamEnd) and (end.usage.prompt_tokens, end.usage.completion_tokens) == (4, 2)
    # An error sent as a data event, and as raw JSON cut across network chunks.
    with pytest.raises(GatewayError) as info:
        await replay(
            b'data: {"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}}\r\n\r\n'
        )
    assert info.value.reason == Reason.PROVIDER_RATE_LIMITED
    with pytest.raises(GatewayError) as info:
        await replay(
            b'data: {"candidates": []}\r\n\r\n{\r\n  "error": {\r\n    "code": 500,\r\n',
            b'    "status": "INTERNAL"\r\n  }\r\n}\r\n',
        )
    assert (info.value.code, info.value.metadata["http_status"]) == (Code.UNAVAILABLE, "500")
    with pytest.raises(GatewayError) as info:
        await replay(b"<html>\r\n")
    assert info.value.reason == Reason.PROVIDER_BAD_RESPONSE


async def test_embed_one_and_many(emu: GeminiEmulator) -> None:
    adapter = GeminiAdapter(Endpoint(emu.base_url, KEY, (("task_type", "RETRIEVAL_DOCUMENT"),)))
    try:
        one = await adapter.embed(
            model("gemini-embedding-001"), EmbedRequest("g/m", ["a"], dimensions=3), BUDGET
        )
        assert emu.requests[-1].path.endswith("/models/gemini-embedding-001:embedContent")
        assert body(emu) == {
            "content": {"parts": [{"text": "a"}]},
            "taskType": "RETRIEVAL_DOCUMENT",
            "outputDimensionality": 3,
        }
        many = await adapter.embed(model("gemini-embedding-001"), EmbedRequest("g/m", ["a", "b"]), BUDGET)
        assert emu.requests[-1].path.endswith(":batchEmbedContents")
        assert [r["model"] for r in body(emu)["requests"]] == ["models/gemini-embedding-001"] * 2
    finally:
        await adapter.aclose()
    assert [len(v) for v in one.vectors] == [3]
    assert [len(v) for v in many.vectors] == [8, 8] and many.vectors[0] != many.vectors[1]


def test_supported_models() -> None:
    specs = {s.upstream_model: s for s in GeminiAdapter.supported_models()}
    assert Capability.REASONING in specs["gemini-2.5-flash"].capabilities
    assert specs["gemini-embedding-001"].capabilities == {Capability.EMBED}
