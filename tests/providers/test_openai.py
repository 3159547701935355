"""OpenAI / OpenAI-compatible / Azure adapter details the conformance suite does not cover.

Everything goes over real HTTP to the loopback emulators in tests/emulators/openai.py.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiohttp import web

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
    Usage,
)
from llmgateway.providers.openai import AzureOpenAIAdapter, OpenAIAdapter
from tests.emulators.base import Script, ToolCallScript, sse
from tests.emulators.openai import PNG_1PX, AzureOpenAIEmulator, OpenAIEmulator, embedding_vector

# Each upstream event's mapping is checked: delta coalescing off (tests/providers/conftest.py).
pytestmark = pytest.mark.usefixtures("each_delta")

KEY = "sk-test-0123456789abcdef"
BUDGET = Budget.for_call(Timeouts(connect=2, first_token=5, idle=5, total=10), None)


def model(upstream: str = "emulated-model", **options: str) -> Model:
    return Model(
        id="t/m",
        provider="openai",
        upstream_model=upstream,
        adapter_class="llmgateway.providers.openai.OpenAIAdapter",
        capabilities=frozenset(Capability),
        options=options,
    )


def req(*messages: Message, **kw: Any) -> ChatRequest:
    return ChatRequest("t/m", list(messages) or [Message(Role.USER, [TextPart("hi")])], **kw)


async def collect(agen: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    """The deltas and end of a stream (its opening StreamStart is checked by the conformance suite)."""
    return [e async for e in agen if not isinstance(e, StreamStart)]


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


@pytest.fixture
async def emu() -> AsyncIterator[OpenAIEmulator]:
    async with OpenAIEmulator() as e:
        yield e  # type: ignore[misc]


@pytest.fixture
async def oa(emu: OpenAIEmulator) -> AsyncIterator[OpenAIAdapter]:
    adapter = OpenAIAdapter(Endpoint(emu.base_url, KEY))
    yield adapter
    await adapter.aclose()


def body(emu: OpenAIEmulator) -> dict[str, Any]:
    return emu.requests[-1].body  # type: ignore[no-any-return]


# -- request translation ------------------------------------------------------------------------


async def test_roles_parts_and_tool_messages(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    conversation = [
        Message(Role.SYSTEM, [TextPart("Be terse.")]),
        Message(Role.DEVELOPER, [TextPart("Use metric units.")]),
        Message(Role.USER, [TextPart("Weather in Paris?")], name="alice"),
        Message(
            Role.ASSISTANT,
            [ReasoningPart("secret chain of thought", signature="sig"), TextPart("Checking.")],
            tool_calls=[ToolCall("call_1", "get_weather", '{"city":"Paris"}')],
        ),
        Message(Role.TOOL, [TextPart("15C")], tool_call_id="call_1"),
        Message(Role.ASSISTANT, [ReasoningPart("more thoughts")], tool_calls=[ToolCall("call_2", "f", "{}")]),
        Message(Role.TOOL, [TextPart("ok")], tool_call_id="call_2"),
        Message(Role.ASSISTANT, [ReasoningPart("only thoughts"), TextPart("It is 15C.")]),
        Message(Role.USER, [TextPart("Look:"), ImagePart(uri="https://x.test/a.png", detail="low")]),
    ]
    await oa.chat(model(), req(*conversation), BUDGET)
    sent = body(emu)
    assert sent["model"] == "emulated-model"
    assert sent["messages"] == [
        {"role": "system", "content": "Be terse."},
        {"role": "developer", "content": "Use metric units."},
        {"role": "user", "content": "Weather in Paris?", "name": "alice"},
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "15C"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_2", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_2", "content": "ok"},
        {"role": "assistant", "content": "It is 15C."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Look:"},
                {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "low"}},
            ],
        },
    ]
    raw = str(sent)
    assert "thought" not in raw and "reasoning" not in raw and "sig" not in raw


async def test_inline_image_without_mime_is_sniffed(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 8
    await oa.chat(model(), req(Message(Role.USER, [ImagePart(data=jpeg)])), BUDGET)
    assert emu.images_in_request(body(emu)) == [("data", "image/jpeg;" + base64.b64encode(jpeg).decode())]


async def test_minimal_request_sends_no_optional_fields(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    await oa.chat(model(), req(), BUDGET)
    assert set(body(emu)) == {"model", "messages"}
    assert emu.requests[-1].headers["authorization"] == f"Bearer {KEY}"
    assert emu.requests[-1].headers["content-type"] == "application/json"


async def test_tools_tool_choice_and_generation_fields(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    params = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    request = req(
        tools=[Tool("get_weather", "Current weather", params, strict=True), Tool("noop")],
        tool_choice=ToolChoice("function", "get_weather"),
        parallel_tool_calls=False,
        user="user-42",
        generation=GenerationConfig(
            max_tokens=64,
            temperature=0.0,
            top_p=0.5,
            top_k=40,
            stop=["END"],
            seed=7,
            presence_penalty=0.1,
            frequency_penalty=0.2,
            reasoning_effort="low",
        ),
    )
    await oa.chat(model(), request, BUDGET)
    sent = body(emu)
    assert sent["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Current weather",
                "parameters": params,
                "strict": True,
            },
        },
        {
            "type": "function",
            "function": {"name": "noop", "parameters": {"type": "object", "properties": {}}},
        },
    ]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert sent["parallel_tool_calls"] is False
    assert sent["user"] == "user-42"
    # a compatible server (not api.openai.com): max_tokens, and the top_k extension
    assert {k: sent[k] for k in sent if k not in ("model", "messages", "tools", "tool_choice")} == {
        "parallel_tool_calls": False,
        "user": "user-42",
        "max_tokens": 64,
        "temperature": 0.0,
        "top_p": 0.5,
        "top_k": 40,
        "stop": ["END"],
        "seed": 7,
        "presence_penalty": 0.1,
        "frequency_penalty": 0.2,
        "reasoning_effort": "low",
    }


@pytest.mark.parametrize("mode", ["auto", "none", "required"])
async def test_tool_choice_modes(emu: OpenAIEmulator, oa: OpenAIAdapter, mode: str) -> None:
    await oa.chat(model(), req(tools=[Tool("f")], tool_choice=ToolChoice(mode)), BUDGET)
    assert body(emu)["tool_choice"] == mode
    assert "parallel_tool_calls" not in body(emu)


async def test_parallel_tool_calls_needs_tools(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    await oa.chat(model(), req(parallel_tool_calls=True), BUDGET)
    assert "parallel_tool_calls" not in body(emu) and "tools" not in body(emu)


async def test_response_formats(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    await oa.chat(model(), req(response_format=ResponseFormat("json_object")), BUDGET)
    assert body(emu)["response_format"] == {"type": "json_object"}
    await oa.chat(model(), req(response_format=ResponseFormat("json_schema", "answer", schema, True)), BUDGET)
    assert body(emu)["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": schema, "strict": True},
    }
    await oa.chat(model(), req(response_format=ResponseFormat("text")), BUDGET)
    assert "response_format" not in body(emu)


async def test_max_tokens_field_option(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    gen = GenerationConfig(max_tokens=9)
    await oa.chat(model(max_tokens_field="max_completion_tokens"), req(generation=gen), BUDGET)
    assert body(emu)["max_completion_tokens"] == 9 and "max_tokens" not in body(emu)
    adapter = OpenAIAdapter(Endpoint(emu.base_url, KEY, (("max_tokens_field", "max_completion_tokens"),)))
    try:
        await adapter.chat(model(), req(generation=gen), BUDGET)
    finally:
        await adapter.aclose()
    assert body(emu)["max_completion_tokens"] == 9 and "max_tokens" not in body(emu)


async def test_api_openai_com_gets_max_completion_tokens_and_no_top_k() -> None:
    # No HTTP here: the real host cannot be reached from tests; the body is what would be sent.
    adapter = OpenAIAdapter(Endpoint("https://api.openai.com/v1", KEY))
    try:
        raw = adapter._chat_body(model(), req(generation=GenerationConfig(max_tokens=5, top_k=3)), False)
    finally:
        await adapter.aclose()
    assert b'"max_completion_tokens":5' in raw and b"max_tokens" not in raw.replace(
        b"max_completion_tokens", b""
    )
    assert b"top_k" not in raw


async def test_stream_asks_for_usage(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    events = await collect(oa.stream_chat(model(), req(), BUDGET))
    assert body(emu)["stream"] is True
    assert body(emu)["stream_options"] == {"include_usage": True}
    end = events[-1]
    assert isinstance(end, StreamEnd) and end.usage.prompt_tokens == 11 and end.usage.completion_tokens == 4
    assert (end.response_id, end.upstream_model) == ("resp_emulated_1", "emulated-model")


async def test_no_key_no_authorization_header(emu: OpenAIEmulator) -> None:
    emu.require_auth = False  # e.g. a local vLLM / Ollama
    adapter = OpenAIAdapter(Endpoint(emu.base_url, ""))
    try:
        result = await adapter.chat(model(), req(), BUDGET)
    finally:
        await adapter.aclose()
    assert result.message.text() == "Hello, world!"
    assert "authorization" not in emu.requests[-1].headers


async def test_organization_and_project_headers(emu: OpenAIEmulator) -> None:
    options = (("organization", "org-1"), ("project", "proj-1"))
    adapter = OpenAIAdapter(Endpoint(emu.base_url, KEY, options))
    try:
        await adapter.chat(model(), req(), BUDGET)
    finally:
        await adapter.aclose()
    headers = emu.requests[-1].headers
    assert (headers["openai-organization"], headers["openai-project"]) == ("org-1", "proj-1")


# -- response parsing: OpenAI-compatible quirks ---------------------------------------------------


async def test_reasoning_field_named_reasoning(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.reasoning_field = "reasoning"  # vLLM >= 0.11, Ollama /v1, OpenRouter
    emu.script = Script(reasoning_chunks=["Hm", "m."], text_chunks=["42"], reasoning_tokens=3)
    result = await oa.chat(model(), req(), BUDGET)
    assert isinstance(result.message.parts[0], ReasoningPart)
    assert result.message.parts[0].text == "Hmm."
    assert result.message.text() == "42"
    assert result.usage.reasoning_tokens == 3
    events = await collect(oa.stream_chat(model(), req(), BUDGET))
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == "Hmm."
    assert text_of(events) == "42"
    assert isinstance(events[-1], StreamEnd) and events[-1].usage.reasoning_tokens == 3


@pytest.mark.parametrize("interleave", [False, True])
async def test_null_ids_on_later_fragments(emu: OpenAIEmulator, oa: OpenAIAdapter, interleave: bool) -> None:
    emu.null_later_fragments = True
    emu.script = Script(
        text_chunks=["Let me check."],
        tool_calls=[ToolCallScript("call_a", "f", ['{"x"', ": 1}"]), ToolCallScript("call_b", "g", ["{}"])],
        interleave_tool_calls=interleave,
        finish="tool_calls",
    )
    events = await collect(oa.stream_chat(model(), req(), BUDGET))
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    firsts = {}
    for d in deltas:
        if d.index not in firsts:
            firsts[d.index] = (d.id, d.name)
        else:
            assert (d.id, d.name) == ("", ""), "id and name come only on the first delta of a call"
    assert firsts == {0: ("call_a", "f"), 1: ("call_b", "g")}
    args = {i: "".join(d.arguments for d in deltas if d.index == i) for i in firsts}
    assert args == {0: '{"x": 1}', 1: "{}"}
    assert text_of(events) == "Let me check."
    assert isinstance(events[-1], StreamEnd) and events[-1].finish_reason is FinishReason.TOOL_CALLS


async def test_whole_tool_calls_in_one_chunk(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.whole_tool_calls = True  # Ollama /v1
    emu.script = Script(
        text_chunks=[],
        tool_calls=[ToolCallScript("call_a", "f", ['{"x"', ": 1}"]), ToolCallScript("call_b", "g", ["{}"])],
        finish="tool_calls",
    )
    events = await collect(oa.stream_chat(model(), req(), BUDGET))
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert deltas == [ToolCallDelta(0, "call_a", "f", '{"x": 1}'), ToolCallDelta(1, "call_b", "g", "{}")]


class _NoIndex(OpenAIEmulator):
    """Some compatible servers omit `index` (whole calls per chunk, or fragments keyed by position)."""

    def tool_fragments(self, script: Script) -> list[dict[str, Any]]:
        frags = super().tool_fragments(script)
        for f in frags:
            f.pop("index")
        return frags


@pytest.mark.parametrize("whole", [True, False], ids=["whole", "fragments"])
async def test_tool_calls_without_index(whole: bool) -> None:
    async with _NoIndex() as e:
        assert isinstance(e, _NoIndex)
        e.whole_tool_calls = whole
        e.script = Script(
            text_chunks=[],
            tool_calls=[
                ToolCallScript("call_a", "f", ["{", "}"]),
                ToolCallScript("call_b", "g", ['{"y":', "2}"]),
            ],
            finish="tool_calls",
        )
        adapter = OpenAIAdapter(Endpoint(e.base_url, KEY))
        try:
            events = await collect(adapter.stream_chat(model(), req(), BUDGET))
        finally:
            await adapter.aclose()
    deltas = [d for d in events if isinstance(d, ToolCallDelta)]
    assert [(d.index, d.id, d.name) for d in deltas if d.id] == [(0, "call_a", "f"), (1, "call_b", "g")]
    assert "".join(d.arguments for d in deltas if d.index == 0) == "{}"
    assert "".join(d.arguments for d in deltas if d.index == 1) == '{"y":2}'


class _NameLater(OpenAIEmulator):
    """The id comes alone first; the name arrives on a later fragment next to a null id."""

    def tool_fragments(self, script: Script) -> list[dict[str, Any]]:
        return [
            {"index": 0, "id": "call_x", "type": "function", "function": {"arguments": ""}},
            {"index": 0, "id": None, "type": None, "function": {"name": "f", "arguments": '{"a"'}},
            {"index": 0, "id": None, "function": {"name": None, "arguments": ":1}"}},
        ]


async def test_tool_call_name_after_id() -> None:
    async with _NameLater() as e:
        e.script = Script(
            text_chunks=[], tool_calls=[ToolCallScript("unused", "unused", [])], finish="tool_calls"
        )
        adapter = OpenAIAdapter(Endpoint(e.base_url, KEY))
        try:
            events = await collect(adapter.stream_chat(model(), req(), BUDGET))
        finally:
            await adapter.aclose()
    deltas = [d for d in events if isinstance(d, ToolCallDelta)]
    assert deltas == [ToolCallDelta(0, "call_x", "f", '{"a"'), ToolCallDelta(0, "", "", ":1}")]


class _NoName(OpenAIEmulator):
    def tool_fragments(self, script: Script) -> list[dict[str, Any]]:
        return [{"index": 0, "id": "call_x", "type": "function", "function": {"arguments": "{}"}}]


async def test_tool_call_without_name_is_bad_response() -> None:
    async with _NoName() as e:
        e.script = Script(
            text_chunks=[], tool_calls=[ToolCallScript("unused", "unused", [])], finish="tool_calls"
        )
        adapter = OpenAIAdapter(Endpoint(e.base_url, KEY))
        try:
            with pytest.raises(GatewayError) as info:
                await collect(adapter.stream_chat(model(), req(), BUDGET))
        finally:
            await adapter.aclose()
    assert info.value.reason == Reason.PROVIDER_BAD_RESPONSE


class _DeepSeekUsage(OpenAIEmulator):
    def usage(self, script: Script) -> dict[str, Any]:
        return {
            "prompt_tokens": script.prompt_tokens,
            "completion_tokens": script.completion_tokens,
            "total_tokens": script.prompt_tokens + script.completion_tokens,
            "prompt_cache_hit_tokens": script.cached_tokens,
            "prompt_cache_miss_tokens": script.prompt_tokens - script.cached_tokens,
            "completion_tokens_details": None,
        }


async def test_deepseek_cache_hit_tokens() -> None:
    async with _DeepSeekUsage() as e:
        e.script = Script(prompt_tokens=50, cached_tokens=32, completion_tokens=5)
        adapter = OpenAIAdapter(Endpoint(e.base_url, KEY))
        try:
            result = await adapter.chat(model(), req(), BUDGET)
            events = await collect(adapter.stream_chat(model(), req(), BUDGET))
        finally:
            await adapter.aclose()
    end = events[-1]
    assert isinstance(end, StreamEnd)
    for usage in (result.usage, end.usage):
        assert (usage.prompt_tokens, usage.cached_prompt_tokens, usage.reasoning_tokens) == (50, 32, 0)


@pytest.mark.parametrize("mode", ["every", "finish"])
async def test_usage_on_other_chunks(emu: OpenAIEmulator, oa: OpenAIAdapter, mode: str) -> None:
    emu.usage_mode = mode  # vLLM continuous_usage_stats (running totals), or on the finish chunk
    emu.script = Script(prompt_tokens=30, completion_tokens=12, cached_tokens=8)
    events = await collect(oa.stream_chat(model(), req(), BUDGET))
    ends = [e for e in events if isinstance(e, StreamEnd)]
    assert len(ends) == 1 and ends[0] is events[-1]
    usage = ends[0].usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.cached_prompt_tokens) == (30, 12, 8)


async def test_no_usage_at_all(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.usage_mode = "none"  # a server that ignores stream_options
    events = await collect(oa.stream_chat(model(), req(), BUDGET))
    assert text_of(events) == "Hello, world!"
    # Estimated from the text: "hi" is 1 token + 4 for the message, the answer 13 characters.
    assert isinstance(events[-1], StreamEnd)
    assert events[-1].usage == Usage(5, 4, estimated=True)


async def test_keepalive_comments_are_ignored(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.keepalive = True
    emu.script = Script(crlf=True)
    events = await collect(oa.stream_chat(model(), req(), BUDGET))
    assert text_of(events) == "Hello, world!"
    assert [type(e) for e in events] == [TextDelta] * 4 + [StreamEnd]


async def test_unknown_finish_reason_is_other(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.finish_override = "error"  # OpenRouter
    result = await oa.chat(model(), req(), BUDGET)
    assert result.finish_reason is FinishReason.OTHER
    events = await collect(oa.stream_chat(model(), req(), BUDGET))
    assert isinstance(events[-1], StreamEnd) and events[-1].finish_reason is FinishReason.OTHER


@pytest.mark.parametrize(
    ("finish", "expected"), [("length", FinishReason.LENGTH), ("content_filter", FinishReason.CONTENT_FILTER)]
)
async def test_finish_reasons(
    emu: OpenAIEmulator, oa: OpenAIAdapter, finish: str, expected: FinishReason
) -> None:
    emu.script = Script(finish=finish)
    assert (await oa.chat(model(), req(), BUDGET)).finish_reason is expected
    events = await collect(oa.stream_chat(model(), req(), BUDGET))
    assert isinstance(events[-1], StreamEnd) and events[-1].finish_reason is expected


async def test_finish_chunk_without_done_is_complete(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.send_done = False
    events = await collect(oa.stream_chat(model(), req(), BUDGET))
    assert isinstance(events[-1], StreamEnd) and events[-1].finish_reason is FinishReason.STOP


async def test_clean_eof_without_done_or_finish_is_unavailable(
    emu: OpenAIEmulator, oa: OpenAIAdapter
) -> None:
    emu.send_done = False
    emu.finish_override = ""  # the finish chunk carries finish_reason null
    events: list[StreamEvent] = []
    with pytest.raises(GatewayError) as info:
        async for e in oa.stream_chat(model(), req(), BUDGET):
            events.append(e)
    assert (info.value.code, info.value.reason) == (Code.UNAVAILABLE, Reason.PROVIDER_UNAVAILABLE)
    assert "terminator" in info.value.message
    assert text_of(events) == "Hello, world!" and not any(isinstance(e, StreamEnd) for e in events)


async def test_done_without_finish_reason_is_stop(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.finish_override = ""
    events = await collect(oa.stream_chat(model(), req(), BUDGET))
    assert isinstance(events[-1], StreamEnd) and events[-1].finish_reason is FinishReason.STOP


async def test_server_that_ignores_stream(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.is_stream_request = lambda body: False  # type: ignore[method-assign]
    emu.script = Script(
        reasoning_chunks=["r"], text_chunks=["t"], tool_calls=[ToolCallScript("c", "f", ["{}"])]
    )
    events = await collect(oa.stream_chat(model(), req(), BUDGET))
    assert events[:3] == [ReasoningDelta("r"), TextDelta("t"), ToolCallDelta(0, "c", "f", "{}")]
    assert isinstance(events[3], StreamEnd) and len(events) == 4


class _Garbled(OpenAIEmulator):
    def render_stream(self, script: Script, body: Any) -> list[bytes]:
        frames = super().render_stream(script, body)
        return [frames[0], b"data: {not json\n\n", *frames[1:]]


async def test_bad_json_chunk_is_bad_response() -> None:
    async with _Garbled() as e:
        adapter = OpenAIAdapter(Endpoint(e.base_url, KEY))
        try:
            with pytest.raises(GatewayError) as info:
                await collect(adapter.stream_chat(model(), req(), BUDGET))
        finally:
            await adapter.aclose()
    assert (info.value.code, info.value.reason) == (Code.INTERNAL, Reason.PROVIDER_BAD_RESPONSE)


class _MidstreamRateLimit(OpenAIEmulator):
    def render_midstream_error(self, script: Script) -> bytes:
        return sse(
            {
                "error": {
                    "message": "slow down",
                    "type": "tokens",
                    "param": None,
                    "code": "rate_limit_exceeded",
                }
            }
        )


async def test_midstream_rate_limit_error() -> None:
    async with _MidstreamRateLimit() as e:
        e.script = Script(text_chunks=list("abcdef"), midstream_error=True)
        adapter = OpenAIAdapter(Endpoint(e.base_url, KEY))
        try:
            with pytest.raises(GatewayError) as info:
                await collect(adapter.stream_chat(model(), req(), BUDGET))
        finally:
            await adapter.aclose()
    assert (info.value.code, info.value.reason) == (Code.RESOURCE_EXHAUSTED, Reason.PROVIDER_RATE_LIMITED)
    assert info.value.metadata["http_status"] == "200"


async def test_content_policy_error(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.script = Script(error_status=400, error_kind="content_filter")
    with pytest.raises(GatewayError) as info:
        await oa.chat(model(), req(), BUDGET)
    assert (info.value.code, info.value.reason) == (Code.INVALID_ARGUMENT, Reason.CONTENT_POLICY_VIOLATION)
    assert info.value.metadata["provider_error_type"] == "content_policy_violation"


class _LegacyVllmErrors(OpenAIEmulator):
    def render_error(self, script: Script) -> tuple[int, dict[str, str], Any]:
        return (
            400,
            {},
            {"object": "error", "message": "too long", "type": "BadRequestError", "param": None, "code": 400},
        )


async def test_vllm_legacy_error_body() -> None:
    async with _LegacyVllmErrors() as e:
        e.script = Script(error_status=400, error_kind="invalid")
        adapter = OpenAIAdapter(Endpoint(e.base_url, KEY))
        try:
            with pytest.raises(GatewayError) as info:
                await adapter.chat(model(), req(), BUDGET)
        finally:
            await adapter.aclose()
    assert (info.value.code, info.value.reason) == (Code.INVALID_ARGUMENT, Reason.PROVIDER_REJECTED)
    assert "too long" in info.value.message


async def test_non_json_error_body(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.render_error = lambda script: (502, {}, "<html>Bad Gateway</html>")  # type: ignore[method-assign]
    emu.script = Script(error_status=502)
    with pytest.raises(GatewayError) as info:
        await oa.chat(model(), req(), BUDGET)
    assert (info.value.code, info.value.metadata["http_status"]) == (Code.UNAVAILABLE, "502")


# -- Azure ----------------------------------------------------------------------------------------


@pytest.fixture
async def az() -> AsyncIterator[AzureOpenAIEmulator]:
    async with AzureOpenAIEmulator() as e:
        yield e  # type: ignore[misc]


def azure(base_url: str, api_version: str | None = "2024-10-21") -> AzureOpenAIAdapter:
    options = (("api_version", api_version),) if api_version else ()
    return AzureOpenAIAdapter(Endpoint(base_url, KEY, options))


@pytest.mark.parametrize("suffix", ["", "/", "/openai"])
async def test_azure_deployment_url_and_api_key(az: AzureOpenAIEmulator, suffix: str) -> None:
    adapter = azure(az.base_url + suffix)
    try:
        result = await adapter.chat(model("my-gpt4o"), req(), BUDGET)
        events = await collect(adapter.stream_chat(model("my-gpt4o"), req(), BUDGET))
    finally:
        await adapter.aclose()
    assert result.message.text() == "Hello, world!"
    for rec in az.requests:
        assert rec.path == "/openai/deployments/my-gpt4o/chat/completions"
        assert rec.query == {"api-version": "2024-10-21"}
        assert rec.headers["api-key"] == KEY and "authorization" not in rec.headers
    # the filter chunk (choices [], id "") and the delta-less annotation chunk are skipped
    assert text_of(events) == "Hello, world!"
    assert [type(e) for e in events] == [TextDelta] * 4 + [StreamEnd]
    end = events[-1]
    assert isinstance(end, StreamEnd) and (end.response_id, end.usage.prompt_tokens) == (
        "resp_emulated_1",
        11,
    )


async def test_azure_default_api_version(az: AzureOpenAIEmulator) -> None:
    adapter = azure(az.base_url, None)
    try:
        await adapter.chat(model("d"), req(generation=GenerationConfig(max_tokens=3, top_k=2)), BUDGET)
    finally:
        await adapter.aclose()
    assert az.requests[-1].query == {"api-version": "2024-10-21"}
    assert body(az)["max_tokens"] == 3 and "top_k" not in body(az)


async def test_azure_v1_form(az: AzureOpenAIEmulator) -> None:
    adapter = azure(az.base_url, "v1")
    try:
        await adapter.chat(model("my-deployment"), req(), BUDGET)
        await adapter.embed(model("my-embedder"), EmbedRequest("e", ["a"]), BUDGET)
    finally:
        await adapter.aclose()
    chat, emb = az.requests
    assert (chat.path, chat.query, chat.body["model"]) == ("/openai/v1/chat/completions", {}, "my-deployment")
    assert (emb.path, emb.body["model"]) == ("/openai/v1/embeddings", "my-embedder")
    assert chat.headers["api-key"] == KEY and "authorization" not in chat.headers


async def test_azure_unknown_deployment(az: AzureOpenAIEmulator) -> None:
    az.deployments = {"exists"}
    adapter = azure(az.base_url)
    try:
        with pytest.raises(GatewayError) as info:
            await adapter.chat(model("missing"), req(), BUDGET)
        assert (await adapter.chat(model("exists"), req(), BUDGET)).message.text() == "Hello, world!"
    finally:
        await adapter.aclose()
    err = info.value
    assert (err.code, err.reason) == (Code.FAILED_PRECONDITION, Reason.PROVIDER_MODEL_NOT_FOUND)
    assert err.metadata["provider_error_type"] == "DeploymentNotFound"


async def test_azure_bad_api_version(az: AzureOpenAIEmulator) -> None:
    adapter = azure(az.base_url, "not-a-version")
    try:
        with pytest.raises(GatewayError) as info:
            await adapter.chat(model("d"), req(), BUDGET)
    finally:
        await adapter.aclose()
    assert (info.value.code, info.value.reason) == (Code.FAILED_PRECONDITION, Reason.PROVIDER_MODEL_NOT_FOUND)
    assert az.requests[-1].query == {"api-version": "not-a-version"}


async def test_azure_content_filter_error(az: AzureOpenAIEmulator) -> None:
    az.script = Script(error_status=400, error_kind="content_filter")
    adapter = azure(az.base_url)
    try:
        with pytest.raises(GatewayError) as info:
            await adapter.chat(model("d"), req(), BUDGET)
    finally:
        await adapter.aclose()
    assert (info.value.code, info.value.reason) == (Code.INVALID_ARGUMENT, Reason.CONTENT_POLICY_VIOLATION)


async def test_azure_rate_limit_uses_retry_after_ms(az: AzureOpenAIEmulator) -> None:
    az.script = Script(
        error_status=429,
        error_kind="rate_limit",
        error_headers={"retry-after-ms": "6000", "retry-after": "6"},
    )
    adapter = azure(az.base_url)
    try:
        with pytest.raises(GatewayError) as info:
            await collect(adapter.stream_chat(model("d"), req(), BUDGET))
    finally:
        await adapter.aclose()
    err = info.value
    assert (err.code, err.reason, err.retryable, err.retry_after) == (
        Code.RESOURCE_EXHAUSTED,
        Reason.PROVIDER_RATE_LIMITED,
        True,
        6.0,
    )


def test_supported_models() -> None:
    specs = {s.upstream_model: s for s in OpenAIAdapter.supported_models()}
    assert Capability.REASONING in specs["o4-mini"].capabilities
    assert Capability.REASONING not in specs["gpt-4o-mini"].capabilities
    assert specs["text-embedding-3-small"].capabilities == {Capability.EMBED}
    assert specs["gpt-image-1"].capabilities == {Capability.IMAGE}
    assert all(s.context_length > 0 for s in specs.values() if Capability.CHAT in s.capabilities)
    assert AzureOpenAIAdapter.supported_models() == []
    assert (OpenAIAdapter.provider, AzureOpenAIAdapter.provider) == ("openai", "azure")
    assert AzureOpenAIAdapter.default_credential_env == "AZURE_OPENAI_API_KEY"


# -- embeddings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["base64", "float"])
async def test_embeddings(emu: OpenAIEmulator, encoding: str) -> None:
    emu.reverse_embeddings = True  # order must come from `index`, not position
    options = (("embedding_encoding", encoding),) if encoding == "float" else ()
    adapter = OpenAIAdapter(Endpoint(emu.base_url, KEY, options))
    try:
        result = await adapter.embed(
            model("text-embedding-3-small"), EmbedRequest("e", ["a b", "c", "d e f"]), BUDGET
        )
    finally:
        await adapter.aclose()
    sent = body(emu)
    assert emu.requests[-1].path == "/v1/embeddings"
    assert sent == {
        "model": "text-embedding-3-small",
        "input": ["a b", "c", "d e f"],
        "encoding_format": encoding,
    }
    assert result.vectors == [embedding_vector(i, 4) for i in range(3)]
    assert result.prompt_tokens == 6


async def test_embeddings_dimensions_and_user(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    result = await oa.embed(model(), EmbedRequest("e", ["x"], dimensions=7, user="u1"), BUDGET)
    assert body(emu)["dimensions"] == 7 and body(emu)["user"] == "u1"
    assert result.vectors == [embedding_vector(0, 7)]


class _ShortEmbeddings(OpenAIEmulator):
    async def handle_embeddings(self, request: web.Request) -> web.StreamResponse:
        resp = await super().handle_embeddings(request)
        assert isinstance(resp, web.Response) and resp.body is not None
        data = orjson.loads(resp.body)  # type: ignore[arg-type]
        data["data"] = data["data"][:-1]
        return web.json_response(data)


async def test_embeddings_count_mismatch_is_bad_response() -> None:
    async with _ShortEmbeddings() as e:
        adapter = OpenAIAdapter(Endpoint(e.base_url, KEY))
        try:
            with pytest.raises(GatewayError) as info:
                await adapter.embed(model(), EmbedRequest("e", ["a", "b"]), BUDGET)
        finally:
            await adapter.aclose()
    assert (info.value.code, info.value.reason) == (Code.INTERNAL, Reason.PROVIDER_BAD_RESPONSE)


async def test_embedding_error_is_classified(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.script = Script(error_status=429, error_kind="quota")
    with pytest.raises(GatewayError) as info:
        await oa.embed(model(), EmbedRequest("e", ["x"]), BUDGET)
    assert (info.value.reason, info.value.retryable) == (Reason.PROVIDER_RATE_LIMITED, False)


# -- images ---------------------------------------------------------------------------------------


async def test_gpt_image_is_always_b64(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    request = ImageRequest("i", "a cat", count=2, size="1024x1024", quality="low", output="uri")
    result = await oa.generate_image(model("gpt-image-1"), request, BUDGET)
    assert emu.requests[-1].path == "/v1/images/generations"
    assert body(emu) == {
        "model": "gpt-image-1",
        "prompt": "a cat",
        "n": 2,
        "size": "1024x1024",
        "quality": "low",
    }
    assert [(img.data, img.mime_type, img.uri) for img in result.images] == [(PNG_1PX, "image/png", None)] * 2


async def test_gpt_image_output_format_sets_mime(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.image_output_format = "jpeg"
    result = await oa.generate_image(model("gpt-image-1"), ImageRequest("i", "a cat"), BUDGET)
    assert [img.mime_type for img in result.images] == ["image/jpeg"]


async def test_dalle_url_output(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    request = ImageRequest("i", "a dog", style="vivid", output="uri", user="u")
    result = await oa.generate_image(model("dall-e-3"), request, BUDGET)
    assert body(emu) == {
        "model": "dall-e-3",
        "prompt": "a dog",
        "n": 1,
        "style": "vivid",
        "response_format": "url",
        "user": "u",
    }
    (img,) = result.images
    assert img.data is None and img.uri == "https://emulated.blob.test/img-0.png?sig=x"
    assert img.revised_prompt == "A detailed rendering of a dog"


async def test_dalle_data_output(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    result = await oa.generate_image(model("dall-e-2"), ImageRequest("i", "x", output="data"), BUDGET)
    assert body(emu)["response_format"] == "b64_json"
    assert [(img.data, img.mime_type) for img in result.images] == [(PNG_1PX, "image/png")]


async def test_azure_images_and_embeddings_use_deployment_urls(az: AzureOpenAIEmulator) -> None:
    adapter = azure(az.base_url)
    try:
        await adapter.generate_image(model("gpt-image-1"), ImageRequest("i", "x"), BUDGET)
        await adapter.embed(model("emb"), EmbedRequest("e", ["x"]), BUDGET)
    finally:
        await adapter.aclose()
    assert [r.path for r in az.requests] == [
        "/openai/deployments/gpt-image-1/images/generations",
        "/openai/deployments/emb/embeddings",
    ]
