"""Anthropic adapter behaviour the conformance suite does not cover: request
translation, stream folding details and error-type mapping. Real HTTP to the
loopback emulator throughout."""

from __future__ import annotations

import base64
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
    ImageRequest,
    Message,
    ReasoningDelta,
    ReasoningPart,
    ResponseFormat,
    Role,
    StreamEnd,
    StreamEvent,
    StreamStart,
    TextDelta,
    TextPart,
    Tool,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
)
from llmgateway.providers.anthropic import AnthropicAdapter
from tests.emulators.anthropic import AnthropicEmulator, error_body
from tests.emulators.base import Script, ToolCallScript, sse

# Each upstream event's mapping is checked: delta coalescing off (tests/providers/conftest.py).
pytestmark = pytest.mark.usefixtures("each_delta")

API_KEY = "sk-ant-test-0123456789"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
BUDGET = Budget.for_call(Timeouts(connect=2, first_token=5, idle=5, total=10), None)


def model(**options: str) -> Model:
    return Model(
        id="anthropic/test",
        provider="anthropic",
        upstream_model="claude-test-1",
        adapter_class="llmgateway.providers.anthropic.AnthropicAdapter",
        options=options,
    )


def user(text: str = "Hi") -> Message:
    return Message(Role.USER, [TextPart(text)])


def chat_request(*messages: Message, **kw: Any) -> ChatRequest:
    return ChatRequest(model="anthropic/test", messages=list(messages) or [user()], **kw)


@pytest.fixture
async def emu() -> AsyncIterator[AnthropicEmulator]:
    emulator = AnthropicEmulator()
    async with emulator:
        yield emulator


@pytest.fixture
async def adapter(emu: AnthropicEmulator) -> AsyncIterator[AnthropicAdapter]:
    a = AnthropicAdapter(Endpoint(emu.base_url, API_KEY))
    try:
        yield a
    finally:
        await a.aclose()


async def sent_body(
    emu: AnthropicEmulator, adapter: AnthropicAdapter, req: ChatRequest, **options: str
) -> Any:
    await adapter.chat(model(**options), req, BUDGET)
    return emu.requests[-1].body


async def collect(adapter: AnthropicAdapter, req: ChatRequest | None = None) -> list[StreamEvent]:
    """The deltas and end of a stream (its opening StreamStart is checked by the conformance suite)."""
    events = adapter.stream_chat(model(), req or chat_request(), BUDGET)
    return [e async for e in events if not isinstance(e, StreamStart)]


def ev(name: str, data: dict[str, Any]) -> bytes:
    return sse({"type": name, **data}, name)


def message_start(**usage: int) -> bytes:
    u = {
        "input_tokens": 10,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 1,
    }
    u.update(usage)
    msg = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": [],
        "usage": u,
    }
    return ev("message_start", {"message": msg})


def block_start(index: int, block: dict[str, Any]) -> bytes:
    return ev("content_block_start", {"index": index, "content_block": block})


def delta(index: int, d: dict[str, Any]) -> bytes:
    return ev("content_block_delta", {"index": index, "delta": d})


def block_stop(index: int) -> bytes:
    return ev("content_block_stop", {"index": index})


def message_end(stop_reason: str = "end_turn", **usage: int) -> list[bytes]:
    return [
        ev("message_delta", {"delta": {"stop_reason": stop_reason, "stop_sequence": None}, "usage": usage}),
        ev("message_stop", {}),
    ]


def text_block(index: int, text: str) -> list[bytes]:
    return [
        block_start(index, {"type": "text", "text": ""}),
        delta(index, {"type": "text_delta", "text": text}),
        block_stop(index),
    ]


# -- request translation ------------------------------------------------------------


async def test_headers_model_and_defaults(emu: AnthropicEmulator, adapter: AnthropicAdapter) -> None:
    body = await sent_body(emu, adapter, chat_request())
    headers = emu.requests[-1].headers
    assert headers["x-api-key"] == API_KEY
    assert headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in headers and "anthropic-beta" not in headers
    assert emu.requests[-1].path == "/v1/messages"
    assert body == {
        "model": "claude-test-1",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
        "max_tokens": 4096,
    }


async def test_anthropic_beta_option_and_default_max_tokens(emu: AnthropicEmulator) -> None:
    options = (("anthropic_beta", "interleaved-thinking-2025-05-14"), ("default_max_tokens", "1000"))
    adapter = AnthropicAdapter(Endpoint(emu.base_url, API_KEY, options))
    try:
        await adapter.chat(model(), chat_request(), BUDGET)
        assert emu.requests[-1].headers["anthropic-beta"] == "interleaved-thinking-2025-05-14"
        assert emu.requests[-1].body["max_tokens"] == 1000
        # A model's own option wins over the endpoint's; an explicit max_tokens wins over both.
        await adapter.chat(model(default_max_tokens="2000"), chat_request(), BUDGET)
        assert emu.requests[-1].body["max_tokens"] == 2000
        req = chat_request(generation=GenerationConfig(max_tokens=77))
        await adapter.chat(model(default_max_tokens="2000"), req, BUDGET)
        assert emu.requests[-1].body["max_tokens"] == 77
    finally:
        await adapter.aclose()


async def test_missing_key_is_refused_by_the_emulator(emu: AnthropicEmulator) -> None:
    adapter = AnthropicAdapter(Endpoint(emu.base_url, ""))
    try:
        with pytest.raises(GatewayError) as info:
            await adapter.chat(model(), chat_request(), BUDGET)
    finally:
        await adapter.aclose()
    assert info.value.reason == Reason.PROVIDER_AUTH_FAILED


async def test_system_and_developer_lifted_and_roles_merged(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    req = chat_request(
        Message(Role.SYSTEM, [TextPart("You are terse.")]),
        user("one"),
        Message(Role.DEVELOPER, [TextPart("Answer in French.")]),
        user("two"),
        Message(Role.ASSISTANT, [TextPart("un")]),
        Message(Role.ASSISTANT, [TextPart("deux")]),
        user("three"),
    )
    body = await sent_body(emu, adapter, req)
    assert body["system"] == "You are terse.\n\nAnswer in French."
    assert body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "un"}, {"type": "text", "text": "deux"}]},
        {"role": "user", "content": [{"type": "text", "text": "three"}]},
    ]


async def test_tool_round_trip_translation(emu: AnthropicEmulator, adapter: AnthropicAdapter) -> None:
    req = chat_request(
        user("Weather in Paris and time in CET?"),
        Message(
            Role.ASSISTANT,
            [
                ReasoningPart(text="I need two tools.", signature="sig-abc"),
                ReasoningPart(redacted_data="EmwKAhgB"),
            ],
            tool_calls=[
                ToolCall("toolu_1", "get_weather", '{"city": "Paris"}'),
                ToolCall("toolu_2", "get_time", ""),
            ],
        ),
        Message(Role.TOOL, [TextPart("15 degrees")], tool_call_id="toolu_1"),
        Message(Role.TOOL, [TextPart("12:00")], tool_call_id="toolu_2"),
        user("Thanks"),
    )
    body = await sent_body(emu, adapter, req)
    assert body["messages"][1] == {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "I need two tools.", "signature": "sig-abc"},
            {"type": "redacted_thinking", "data": "EmwKAhgB"},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "toolu_2", "name": "get_time", "input": {}},
        ],
    }
    # Both results in one user turn, followed by the next user text.
    assert body["messages"][2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "15 degrees"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": "12:00"},
            {"type": "text", "text": "Thanks"},
        ],
    }
    assert len(body["messages"]) == 3


async def test_invalid_tool_arguments_are_rejected_before_sending(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    req = chat_request(
        user(),
        Message(Role.ASSISTANT, tool_calls=[ToolCall("t1", "f", "{}"), ToolCall("t2", "f", '{"a": ')]),
    )
    with pytest.raises(GatewayError) as info:
        await adapter.chat(model(), req, BUDGET)
    assert (info.value.code, info.value.reason) == (Code.INVALID_ARGUMENT, Reason.INVALID_REQUEST)
    assert [f for f, _ in info.value.field_violations] == ["messages[1].tool_calls[1].arguments"]
    assert emu.requests == []


async def test_image_sources(emu: AnthropicEmulator, adapter: AnthropicAdapter) -> None:
    b64 = base64.b64encode(PNG).decode()
    req = chat_request(
        Message(
            Role.USER,
            [
                ImagePart(data=PNG),  # media type sniffed
                ImagePart(uri=f"data:image/webp;base64,{b64}"),
                ImagePart(uri="https://example.test/a.jpg"),
            ],
        )
    )
    body = await sent_body(emu, adapter, req)
    assert [b["source"] for b in body["messages"][0]["content"]] == [
        {"type": "base64", "media_type": "image/png", "data": b64},
        {"type": "base64", "media_type": "image/webp", "data": b64},
        {"type": "url", "url": "https://example.test/a.jpg"},
    ]


async def test_unusable_image_uri_is_invalid(emu: AnthropicEmulator, adapter: AnthropicAdapter) -> None:
    req = chat_request(Message(Role.USER, [TextPart("x"), ImagePart(uri="ftp://example.test/a.png")]))
    with pytest.raises(GatewayError) as info:
        await adapter.chat(model(), req, BUDGET)
    assert info.value.field_violations[0][0] == "messages[0].parts[1].uri"


TOOL = Tool("get_weather", "Weather by city", {"type": "object", "properties": {"city": {"type": "string"}}})


@pytest.mark.parametrize(
    ("choice", "parallel", "expected"),
    [
        (None, None, None),
        (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
        (ToolChoice("auto"), None, {"type": "auto"}),
        (ToolChoice("required"), False, {"type": "any", "disable_parallel_tool_use": True}),
        (ToolChoice("function", "get_weather"), None, {"type": "tool", "name": "get_weather"}),
        (ToolChoice("none"), None, {"type": "none"}),
    ],
)
async def test_tools_and_tool_choice(
    emu: AnthropicEmulator,
    adapter: AnthropicAdapter,
    choice: ToolChoice | None,
    parallel: bool | None,
    expected: dict[str, Any] | None,
) -> None:
    body = await sent_body(
        emu, adapter, chat_request(tools=[TOOL], tool_choice=choice, parallel_tool_calls=parallel)
    )
    assert body["tools"] == [
        {"name": "get_weather", "description": "Weather by city", "input_schema": TOOL.parameters}
    ]
    assert body.get("tool_choice") == expected


async def test_generation_parameters_and_user(emu: AnthropicEmulator, adapter: AnthropicAdapter) -> None:
    gen = GenerationConfig(max_tokens=300, temperature=0.2, top_p=0.9, top_k=40, stop=["END"])
    body = await sent_body(emu, adapter, chat_request(generation=gen, user="user-42"))
    assert {
        k: body[k] for k in ("max_tokens", "temperature", "top_p", "top_k", "stop_sequences", "metadata")
    } == {
        "max_tokens": 300,
        "temperature": 0.2,
        "top_p": 0.9,
        "top_k": 40,
        "stop_sequences": ["END"],
        "metadata": {"user_id": "user-42"},
    }
    assert "thinking" not in body


@pytest.mark.parametrize(
    ("gen", "thinking", "max_tokens"),
    [
        (GenerationConfig(reasoning_budget_tokens=2048), {"type": "enabled", "budget_tokens": 2048}, 4096),
        (GenerationConfig(reasoning_budget_tokens=8000), {"type": "enabled", "budget_tokens": 8000}, 12096),
        (
            GenerationConfig(max_tokens=1000, reasoning_budget_tokens=1024),
            {"type": "enabled", "budget_tokens": 1024},
            2024,
        ),
        (GenerationConfig(reasoning_effort="low"), {"type": "enabled", "budget_tokens": 2048}, 4096),
    ],
)
async def test_thinking_budget(
    emu: AnthropicEmulator,
    adapter: AnthropicAdapter,
    gen: GenerationConfig,
    thinking: dict[str, Any],
    max_tokens: int,
) -> None:
    body = await sent_body(emu, adapter, chat_request(generation=gen))
    assert body["thinking"] == thinking
    assert body["max_tokens"] == max_tokens > thinking["budget_tokens"]


async def test_json_response_format_is_not_supported(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    with pytest.raises(GatewayError) as info:
        await adapter.chat(model(), chat_request(response_format=ResponseFormat("json_object")), BUDGET)
    assert info.value.reason == Reason.CAPABILITY_NOT_SUPPORTED
    assert emu.requests == []


async def test_embed_and_images_are_not_supported(adapter: AnthropicAdapter) -> None:
    with pytest.raises(GatewayError) as info:
        await adapter.embed(model(), EmbedRequest("anthropic/test", ["x"]), BUDGET)
    assert info.value.reason == Reason.CAPABILITY_NOT_SUPPORTED
    with pytest.raises(GatewayError) as info:
        await adapter.generate_image(model(), ImageRequest("anthropic/test", "a cat"), BUDGET)
    assert info.value.reason == Reason.CAPABILITY_NOT_SUPPORTED


def test_supported_models() -> None:
    specs = {s.upstream_model: s for s in AnthropicAdapter.supported_models()}
    assert {"claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-3-5-haiku-latest"} <= set(
        specs
    )
    assert all(s.context_length == 200_000 and Capability.VISION in s.capabilities for s in specs.values())
    assert Capability.REASONING in specs["claude-sonnet-4-5"].capabilities
    assert Capability.REASONING not in specs["claude-3-5-haiku-latest"].capabilities


# -- responses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", FinishReason.STOP),
        ("stop_sequence", FinishReason.STOP),
        ("max_tokens", FinishReason.LENGTH),
        ("tool_use", FinishReason.TOOL_CALLS),
        ("refusal", FinishReason.CONTENT_FILTER),
        ("pause_turn", FinishReason.OTHER),
    ],
)
async def test_stop_reasons(
    emu: AnthropicEmulator, adapter: AnthropicAdapter, stop_reason: str, finish: FinishReason
) -> None:
    payload = emu.render_json(Script(), None)
    payload["stop_reason"] = stop_reason
    emu.raw_json = payload
    result = await adapter.chat(model(), chat_request(), BUDGET)
    assert result.finish_reason is finish
    emu.raw_json = None
    emu.raw_frames = [message_start(), *text_block(0, "x"), *message_end(stop_reason, output_tokens=2)]
    events = await collect(adapter)
    assert isinstance(events[-1], StreamEnd) and events[-1].finish_reason is finish


async def test_chat_redacted_thinking_and_empty_tool_input(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    emu.raw_json = {
        "id": "msg_9",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": [
            {"type": "redacted_thinking", "data": "EmwKAhgB"},
            {"type": "thinking", "thinking": "hm", "signature": "sig-2"},
            {"type": "tool_use", "id": "toolu_1", "name": "now", "input": {}},
            {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "x"}},
        ],
        "stop_reason": "tool_use",
        "usage": {
            "input_tokens": 3,
            "cache_creation_input_tokens": 4,
            "cache_read_input_tokens": 5,
            "output_tokens": 6,
        },
    }
    result = await adapter.chat(model(), chat_request(), BUDGET)
    assert result.message.parts == [ReasoningPart(redacted_data="EmwKAhgB"), ReasoningPart("hm", "sig-2")]
    assert result.message.tool_calls == [ToolCall("toolu_1", "now", "{}")]
    assert (
        result.usage.prompt_tokens,
        result.usage.cached_prompt_tokens,
        result.usage.completion_tokens,
    ) == (12, 5, 6)
    assert (result.response_id, result.upstream_model) == ("msg_9", "claude-x")


async def test_stream_ignores_ping_and_unknown_events(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    emu.raw_frames = [
        b": keep-alive comment\n\n",
        message_start(),
        b'event: ping\ndata: {"type": "ping"}\n\n',
        ev("future_event", {"payload": {"x": 1}}),
        block_start(0, {"type": "text", "text": ""}),
        b'event: ping\ndata: {"type": "ping"}\n\n',
        delta(0, {"type": "text_delta", "text": "Hi"}),
        delta(0, {"type": "citations_delta", "citation": {"type": "char_location"}}),
        block_stop(0),
        *message_end(output_tokens=3),
    ]
    events = await collect(adapter)
    assert events[:-1] == [TextDelta("Hi")]
    assert isinstance(events[-1], StreamEnd)


async def test_stream_usage_is_cumulative_and_not_double_counted(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    emu.raw_frames = [
        message_start(input_tokens=20, cache_read_input_tokens=5, cache_creation_input_tokens=3),
        *text_block(0, "x"),
        # Two message_deltas; the newer API repeats the input counts.
        ev("message_delta", {"delta": {"stop_reason": None}, "usage": {"output_tokens": 7}}),
        *message_end(
            input_tokens=20, cache_read_input_tokens=5, cache_creation_input_tokens=3, output_tokens=15
        ),
    ]
    end = (await collect(adapter))[-1]
    assert isinstance(end, StreamEnd)
    assert (end.usage.prompt_tokens, end.usage.cached_prompt_tokens, end.usage.completion_tokens) == (
        28,
        5,
        15,
    )
    assert (end.response_id, end.upstream_model, end.finish_reason) == (
        "msg_1",
        "claude-x",
        FinishReason.STOP,
    )


async def test_stream_usage_from_message_start_when_delta_has_output_only(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    emu.raw_frames = [
        message_start(input_tokens=9, cache_read_input_tokens=2),
        *text_block(0, "x"),
        *message_end(output_tokens=4),
    ]
    end = (await collect(adapter))[-1]
    assert isinstance(end, StreamEnd)
    assert (end.usage.prompt_tokens, end.usage.cached_prompt_tokens, end.usage.completion_tokens) == (
        11,
        2,
        4,
    )


async def test_stream_thinking_signature_is_surfaced(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    emu.script = Script(reasoning_chunks=["a", "b"], reasoning_signature="sig-xyz", text_chunks=["ok"])
    events = await collect(adapter)
    assert [e for e in events if isinstance(e, ReasoningDelta)] == [
        ReasoningDelta("a"),
        ReasoningDelta("b"),
        ReasoningDelta(signature="sig-xyz"),
    ]


async def test_stream_redacted_thinking_is_surfaced(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    emu.raw_frames = [
        message_start(),
        block_start(0, {"type": "redacted_thinking", "data": "EmwKAhgB"}),
        block_stop(0),
        *text_block(1, "answer"),
        *message_end(output_tokens=3),
    ]
    events = await collect(adapter)
    assert events[:-1] == [ReasoningDelta(redacted_data="EmwKAhgB"), TextDelta("answer")]


async def test_stream_tool_indices_count_tool_blocks_only(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    emu.script = Script(
        reasoning_chunks=["plan"],
        reasoning_signature="s",
        text_chunks=["Let me check."],
        tool_calls=[ToolCallScript("toolu_a", "f", ['{"x":', " 1}"]), ToolCallScript("toolu_b", "g", ["{}"])],
        finish="tool_calls",
    )
    events = await collect(adapter)
    tool_events = [e for e in events if isinstance(e, ToolCallDelta)]
    assert tool_events == [
        ToolCallDelta(0, id="toolu_a", name="f"),
        ToolCallDelta(0, arguments='{"x":'),
        ToolCallDelta(0, arguments=" 1}"),
        ToolCallDelta(1, id="toolu_b", name="g"),
        ToolCallDelta(1, arguments="{}"),
    ]  # the leading "" fragments are skipped


async def test_stream_tool_use_without_fragments_has_empty_object_arguments(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    emu.raw_frames = [
        message_start(),
        block_start(0, {"type": "tool_use", "id": "toolu_1", "name": "now", "input": {}}),
        delta(0, {"type": "input_json_delta", "partial_json": ""}),
        block_stop(0),
        *message_end("tool_use", output_tokens=5),
    ]
    events = await collect(adapter)
    assert events[:-1] == [ToolCallDelta(0, id="toolu_1", name="now"), ToolCallDelta(0, arguments="{}")]
    assert isinstance(events[-1], StreamEnd) and events[-1].finish_reason is FinishReason.TOOL_CALLS


async def test_stream_bad_json_is_bad_response(emu: AnthropicEmulator, adapter: AnthropicAdapter) -> None:
    emu.raw_frames = [message_start(), b"event: content_block_delta\ndata: {nope\n\n", *message_end()]
    with pytest.raises(GatewayError) as info:
        await collect(adapter)
    assert (info.value.code, info.value.reason) == (Code.INTERNAL, Reason.PROVIDER_BAD_RESPONSE)


async def test_stream_connection_is_reused(emu: AnthropicEmulator, adapter: AnthropicAdapter) -> None:
    # The body ends a little after message_stop: the adapter reads to its end so the
    # keep-alive connection goes back to the pool instead of being dropped.
    emu.raw_frames = [b"".join([message_start(), *text_block(0, "x"), *message_end(output_tokens=1)]), b"\n"]
    emu.script = Script(stall_after_first_event=0.3)
    await collect(adapter)
    await collect(adapter)
    await adapter.chat(model(), chat_request(), BUDGET)
    assert emu.disconnects == 0
    assert len(emu.peers) == 3 and len(set(emu.peers)) == 1


async def test_body_held_open_after_message_stop_still_ends_cleanly(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    emu.raw_frames = [b"".join([message_start(), *text_block(0, "x"), *message_end(output_tokens=1)]), b"\n"]
    emu.script = Script(stall_after_first_event=5)
    events = await collect(adapter)
    assert events[0] == TextDelta("x") and isinstance(events[-1], StreamEnd) and len(events) == 2


# -- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "code", "reason", "retryable"),
    [
        (
            {"type": "overloaded_error", "message": "Overloaded"},
            Code.UNAVAILABLE,
            Reason.PROVIDER_UNAVAILABLE,
            True,
        ),
        ({"type": "api_error", "message": "Internal"}, Code.UNAVAILABLE, Reason.PROVIDER_UNAVAILABLE, True),
        ({"type": "timeout_error", "message": "t"}, Code.UNAVAILABLE, Reason.PROVIDER_UNAVAILABLE, True),
        (
            {"type": "rate_limit_error", "message": "slow"},
            Code.RESOURCE_EXHAUSTED,
            Reason.PROVIDER_RATE_LIMITED,
            True,
        ),
        (
            {
                "type": "rate_limit_error",
                "message": "spend",
                "details": {"error_code": "enforced_spend_limit_reached"},
            },
            Code.RESOURCE_EXHAUSTED,
            Reason.PROVIDER_RATE_LIMITED,
            False,
        ),
        (
            {"type": "invalid_request_error", "message": "bad"},
            Code.INVALID_ARGUMENT,
            Reason.PROVIDER_REJECTED,
            False,
        ),
        (
            {"type": "authentication_error", "message": "key"},
            Code.INTERNAL,
            Reason.PROVIDER_AUTH_FAILED,
            False,
        ),
        ({"type": "brand_new_error", "message": "?"}, Code.UNAVAILABLE, Reason.PROVIDER_UNAVAILABLE, True),
    ],
)
async def test_stream_error_event_types(
    emu: AnthropicEmulator,
    adapter: AnthropicAdapter,
    error: dict[str, Any],
    code: Code,
    reason: str,
    retryable: bool,
) -> None:
    emu.raw_frames = [message_start(), *text_block(0, "partial"), ev("error", {"error": error})]
    events: list[StreamEvent] = []
    with pytest.raises(GatewayError) as info:
        async for e in adapter.stream_chat(model(), chat_request(), BUDGET):
            events.append(e)
    assert events == [StreamStart("msg_1", "claude-x"), TextDelta("partial")]
    err = info.value
    assert (err.code, err.reason, err.retryable) == (code, reason, retryable)
    assert err.metadata["provider_error_type"] == error["type"]
    assert err.metadata["in_stream"] == "true"


@pytest.mark.parametrize(("should_retry", "retryable"), [("true", True), ("false", False)])
async def test_529_honours_x_should_retry(
    emu: AnthropicEmulator, adapter: AnthropicAdapter, should_retry: str, retryable: bool
) -> None:
    emu.script = Script(
        error_status=529, error_kind="overloaded", error_headers={"x-should-retry": should_retry}
    )
    with pytest.raises(GatewayError) as info:
        await adapter.chat(model(), chat_request(), BUDGET)
    err = info.value
    assert (err.code, err.reason, err.retryable) == (Code.UNAVAILABLE, Reason.PROVIDER_UNAVAILABLE, retryable)
    assert err.metadata["provider_error_type"] == "overloaded_error"
    assert err.metadata["request_id"] == "req_011CSHoEeqs5C35K2UUqR7Fy"


async def test_error_classified_by_type_not_message(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    # A 429 whose message talks about spending limits but carries no spend-limit code stays retryable.
    emu.raw_json = None
    emu.script = Script(error_status=429, error_kind="rate_limit")
    emu.render_error = lambda script: (  # type: ignore[method-assign]
        429,
        {},
        error_body("rate_limit_error", "enforced_spend_limit_reached: spend limit"),
    )
    with pytest.raises(GatewayError) as info:
        await adapter.chat(model(), chat_request(), BUDGET)
    assert info.value.retryable is True


async def test_non_json_error_body_is_classified_on_status(
    emu: AnthropicEmulator, adapter: AnthropicAdapter
) -> None:
    emu.raw_error = (502, b"<html><body>502 Bad Gateway</body></html>")
    with pytest.raises(GatewayError) as info:
        await adapter.chat(model(), chat_request(), BUDGET)
    assert (info.value.code, info.value.metadata["http_status"]) == (Code.UNAVAILABLE, "502")
