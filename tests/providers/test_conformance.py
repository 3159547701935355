"""The same cases over every HTTP adapter, each against its wire-exact loopback emulator.

Each emulator additionally implements two readers of a recorded request body,
`images_in_request(body) -> list[tuple[str, str]]` (("data", "<mime>;<b64>") or
("url", url)) and `tools_in_request(body) -> list[tuple[str, dict]]`, so that the
translation of vision parts and tool schemas is checked the same way everywhere.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from llmgateway.core.deadline import Budget, Timeouts
from llmgateway.core.errors import Code, GatewayError, Reason
from llmgateway.core.types import (
    ChatRequest,
    FinishReason,
    ImagePart,
    Message,
    ReasoningDelta,
    ReasoningPart,
    Role,
    StreamEnd,
    StreamEvent,
    StreamStart,
    TextDelta,
    TextPart,
    Tool,
    ToolCallDelta,
)
from tests.emulators.base import Script, ToolCallScript
from tests.providers.targets import TARGETS, Target

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG_1PX).decode()
API_KEY = "test-key-0123456789"


@pytest.fixture(params=TARGETS, ids=lambda t: t.name)
def target(request: pytest.FixtureRequest) -> Target:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def env(target: Target) -> AsyncIterator[tuple[Target, Any, Any]]:
    async with target.make_emulator() as emu:
        adapter = target.make_adapter(emu.base_url, API_KEY)
        try:
            yield target, emu, adapter
        finally:
            await adapter.aclose()


def request(*messages: Message, **kw: Any) -> ChatRequest:
    msgs = list(messages) or [Message(Role.USER, [TextPart("Say hello")])]
    return ChatRequest(model="x/emulated", messages=msgs, **kw)


def budget(target: Target, **timeouts: float) -> Budget:
    return Budget.for_call(
        Timeouts(**{"connect": 2, "first_token": 5, "idle": 5, "total": 10, **timeouts}), None
    )


async def collect(agen: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [e async for e in agen]


def two_tools(interleave: bool = False) -> Script:
    return Script(
        text_chunks=[],
        tool_calls=[
            ToolCallScript("call_1", "get_weather", ['{"ci', 'ty": "Par', 'is"}']),
            ToolCallScript("call_2", "get_time", ['{"tz":', ' "CET"}']),
        ],
        interleave_tool_calls=interleave,
        finish="tool_calls",
    )


def fold_tool_calls(events: list[StreamEvent]) -> dict[int, list[str]]:
    calls: dict[int, list[str]] = {}
    for e in events:
        if isinstance(e, ToolCallDelta):
            if e.index not in calls:
                assert e.id and e.name, "the first delta of a tool call carries its id and name"
                calls[e.index] = [e.id, e.name, ""]
            calls[e.index][2] += e.arguments
    return calls


async def test_text_chat(env: Any) -> None:
    target, emu, adapter = env
    result = await adapter.chat(target.model(), request(), budget(target))
    assert result.message.role is Role.ASSISTANT
    assert result.message.text() == "Hello, world!"
    assert result.finish_reason is FinishReason.STOP
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (11, 4)
    assert emu.requests[-1].body is not None


async def test_text_stream(env: Any) -> None:
    target, emu, adapter = env
    events = await collect(adapter.stream_chat(target.model(), request(), budget(target)))
    # The provider's response id and model open the stream, before any token.
    response_id = emu.script.response_id if target.response_ids else ""
    assert events[0] == StreamStart(response_id, emu.script.upstream_model)
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Hello, world!"
    assert isinstance(events[-1], StreamEnd)
    assert sum(isinstance(e, StreamEnd) for e in events) == 1
    assert events[-1].finish_reason is FinishReason.STOP
    assert (events[-1].usage.prompt_tokens, events[-1].usage.completion_tokens) == (11, 4)


async def test_crlf_framing(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(crlf=True)
    events = await collect(adapter.stream_chat(target.model(), request(), budget(target)))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Hello, world!"
    assert isinstance(events[-1], StreamEnd)


async def test_tool_calls_chat(env: Any) -> None:
    target, emu, adapter = env
    emu.script = two_tools()
    tools = [Tool("get_weather", "Weather", {"type": "object", "properties": {"city": {"type": "string"}}})]
    result = await adapter.chat(target.model(), request(tools=tools), budget(target))
    assert [(c.id, c.name, c.arguments) for c in result.message.tool_calls] == [
        ("call_1", "get_weather", '{"city": "Paris"}'),
        ("call_2", "get_time", '{"tz": "CET"}'),
    ]
    assert result.finish_reason is FinishReason.TOOL_CALLS
    assert emu.tools_in_request(emu.requests[-1].body) == [("get_weather", tools[0].parameters)]


@pytest.mark.parametrize("interleave", [False, True], ids=["sequential", "interleaved"])
async def test_tool_calls_stream(env: Any, interleave: bool) -> None:
    target, emu, adapter = env
    emu.script = two_tools(interleave)
    events = await collect(adapter.stream_chat(target.model(), request(), budget(target)))
    assert fold_tool_calls(events) == {
        0: ["call_1", "get_weather", '{"city": "Paris"}'],
        1: ["call_2", "get_time", '{"tz": "CET"}'],
    }
    assert isinstance(events[-1], StreamEnd) and events[-1].finish_reason is FinishReason.TOOL_CALLS


async def test_reasoning(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(
        reasoning_chunks=["Let me ", "think."], reasoning_signature="sig-1", text_chunks=["42"]
    )
    result = await adapter.chat(target.model(), request(), budget(target))
    reasoning = [p for p in result.message.parts if isinstance(p, ReasoningPart)]
    assert [r.text for r in reasoning] == ["Let me think."]
    assert result.message.text() == "42"
    events = await collect(adapter.stream_chat(target.model(), request(), budget(target)))
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == "Let me think."
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "42"
    first_text = next(i for i, e in enumerate(events) if isinstance(e, TextDelta))
    assert all(i < first_text for i, e in enumerate(events) if isinstance(e, ReasoningDelta) and e.text)


async def test_cached_and_reasoning_usage(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(prompt_tokens=20, cached_tokens=5, completion_tokens=10, reasoning_tokens=4)
    result = await adapter.chat(target.model(), request(), budget(target))
    events = await collect(adapter.stream_chat(target.model(), request(), budget(target)))
    for usage in (result.usage, events[-1].usage):
        assert usage.prompt_tokens == 20
        assert usage.cached_prompt_tokens == (5 if target.reports_cached_tokens else 0)
        assert usage.completion_tokens == 10
        assert usage.total_tokens == 30
        assert not usage.estimated


async def test_missing_usage_is_estimated(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(no_usage=True)
    result = await adapter.chat(target.model(), request(), budget(target))
    events = await collect(adapter.stream_chat(target.model(), request(), budget(target)))
    # "Say hello": 9 characters (3 tokens) + 4 for the message; "Hello, world!": 13 characters.
    for usage in (result.usage, events[-1].usage):
        assert (usage.prompt_tokens, usage.completion_tokens, usage.estimated) == (7, 4, True)


async def test_vision_parts_are_translated(env: Any) -> None:
    target, emu, adapter = env
    inline = [
        ImagePart(data=PNG_1PX, mime_type="image/png"),
        ImagePart(uri=f"data:image/png;base64,{PNG_B64}"),
    ]
    by_url = ImagePart(uri="https://example.test/cat.jpg")
    msg = Message(Role.USER, [TextPart("What is in these?"), *inline, by_url])
    if not target.image_urls:
        with pytest.raises(GatewayError) as info:
            await adapter.chat(target.model(), request(msg), budget(target))
        assert info.value.field_violations[0][0] == "messages[0].parts[3].uri"
        msg.parts.pop()
    await adapter.chat(target.model(), request(msg), budget(target))
    expected = [("data", f"image/png;{PNG_B64}")] * 2 + [("url", by_url.uri)] * target.image_urls
    assert emu.images_in_request(emu.requests[-1].body) == expected


async def test_api_key_is_sent_and_not_in_errors(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(error_status=401, error_kind="auth")
    with pytest.raises(GatewayError) as info:
        await adapter.chat(target.model(), request(), budget(target))
    assert API_KEY in " ".join(emu.requests[-1].headers.values())
    err = info.value
    assert (err.code, err.reason) == (Code.INTERNAL, Reason.PROVIDER_AUTH_FAILED)
    assert API_KEY not in err.message and API_KEY not in repr(err.metadata)


ERROR_TABLE = [
    # kind, status, headers, code, reason, retryable, retry_after
    (
        "rate_limit",
        429,
        {"retry-after": "2"},
        Code.RESOURCE_EXHAUSTED,
        Reason.PROVIDER_RATE_LIMITED,
        True,
        2.0,
    ),
    (
        "rate_limit",
        429,
        {"retry-after-ms": "1500"},
        Code.RESOURCE_EXHAUSTED,
        Reason.PROVIDER_RATE_LIMITED,
        True,
        1.5,
    ),
    ("quota", 429, {}, Code.RESOURCE_EXHAUSTED, Reason.PROVIDER_RATE_LIMITED, False, None),
    (
        "overloaded",
        529,
        {"x-should-retry": "true"},
        Code.UNAVAILABLE,
        Reason.PROVIDER_UNAVAILABLE,
        True,
        None,
    ),
    ("server", 500, {}, Code.UNAVAILABLE, Reason.PROVIDER_UNAVAILABLE, True, None),
    ("server", 503, {}, Code.UNAVAILABLE, Reason.PROVIDER_UNAVAILABLE, True, None),
    ("invalid", 400, {}, Code.INVALID_ARGUMENT, Reason.PROVIDER_REJECTED, False, None),
    ("context_length", 400, {}, Code.INVALID_ARGUMENT, Reason.CONTEXT_LENGTH_EXCEEDED, False, None),
    ("not_found", 404, {}, Code.FAILED_PRECONDITION, Reason.PROVIDER_MODEL_NOT_FOUND, False, None),
    ("auth", 403, {}, Code.INTERNAL, Reason.PROVIDER_AUTH_FAILED, False, None),
]


@pytest.mark.parametrize(
    ("kind", "status", "headers", "code", "reason", "retryable", "retry_after"), ERROR_TABLE
)
@pytest.mark.parametrize("streaming", [False, True], ids=["chat", "stream"])
async def test_error_mapping(
    env: Any,
    kind: str,
    status: int,
    headers: dict[str, str],
    code: Code,
    reason: str,
    retryable: bool,
    retry_after: float | None,
    streaming: bool,
) -> None:
    target, emu, adapter = env
    if kind in target.unsupported_error_kinds:
        pytest.skip(f"{target.name} has no structured signal for {kind}")
    emu.script = Script(error_status=status, error_kind=kind, error_headers=headers)
    with pytest.raises(GatewayError) as info:
        if streaming:
            await collect(adapter.stream_chat(target.model(), request(), budget(target)))
        else:
            await adapter.chat(target.model(), request(), budget(target))
    err = info.value
    assert (err.code, err.reason, err.retryable) == (code, reason, retryable)
    assert err.retry_after == retry_after
    assert err.metadata["http_status"] == str(status)


async def test_midstream_error_fails_the_stream(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(text_chunks=["a", "b", "c", "d", "e", "f"], midstream_error=True)
    events: list[StreamEvent] = []
    with pytest.raises(GatewayError) as info:
        async for e in adapter.stream_chat(target.model(), request(), budget(target)):
            events.append(e)
    assert info.value.code is Code.UNAVAILABLE
    assert info.value.reason == Reason.PROVIDER_UNAVAILABLE
    assert not any(isinstance(e, StreamEnd) for e in events)


async def test_truncated_stream_is_an_error(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(truncate=True)
    with pytest.raises(GatewayError) as info:
        await collect(adapter.stream_chat(target.model(), request(), budget(target)))
    assert info.value.code is Code.UNAVAILABLE


async def test_garbage_body_is_bad_response(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(garbage_body=True)
    with pytest.raises(GatewayError) as info:
        await adapter.chat(target.model(), request(), budget(target))
    assert (info.value.code, info.value.reason) == (Code.INTERNAL, Reason.PROVIDER_BAD_RESPONSE)


async def test_stall_mid_stream_hits_idle_timeout(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(stall_after_first_event=5)
    started = time.monotonic()
    with pytest.raises(GatewayError) as info:
        await collect(adapter.stream_chat(target.model(), request(), budget(target, idle=0.3)))
    assert (info.value.code, info.value.reason) == (Code.DEADLINE_EXCEEDED, Reason.PROVIDER_TIMEOUT)
    assert time.monotonic() - started < 4
    assert await emu.wait_for_disconnect()


async def test_closing_the_stream_closes_the_upstream_request(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(stall_after_first_event=5)
    stream = adapter.stream_chat(target.model(), request(), budget(target))
    await anext(stream)
    await stream.aclose()
    assert await emu.wait_for_disconnect(within=2.0)
    assert emu.completed_streams == 0


@pytest.mark.parametrize("stall", ["stall_before_headers", "stall_mid_body"])
async def test_cancelling_a_unary_call_closes_the_upstream_request(env: Any, stall: str) -> None:
    target, emu, adapter = env
    emu.script = Script(**{stall: 5})
    task = asyncio.create_task(adapter.chat(target.model(), request(), budget(target)))
    for _ in range(100):
        if emu.requests:
            break
        await asyncio.sleep(0.01)
    assert emu.requests, "the upstream never saw the request"
    await asyncio.sleep(0.1)  # headers and half the body have arrived (stall_mid_body)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await emu.wait_for_disconnect(within=2.0)


async def test_truncated_unary_body_is_an_error(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(truncate=True)
    with pytest.raises(GatewayError) as info:
        await adapter.chat(target.model(), request(), budget(target))
    assert (info.value.code, info.value.reason) == (Code.UNAVAILABLE, Reason.PROVIDER_UNAVAILABLE)
    emu.script = Script()
    result = await adapter.chat(target.model(), request(), budget(target))
    assert result.message.text() == "Hello, world!"  # a fresh connection replaced the broken one


async def test_slow_unary_body_is_bounded_by_total(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(stall_mid_body=5)
    with pytest.raises(GatewayError) as info:
        await adapter.chat(target.model(), request(), budget(target, total=0.4))
    assert (info.value.code, info.value.reason) == (Code.DEADLINE_EXCEEDED, Reason.PROVIDER_TIMEOUT)
    assert await emu.wait_for_disconnect(within=2.0)


async def test_total_timeout_bounds_a_slow_answer(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(stall_before_headers=5)
    with pytest.raises(GatewayError) as info:
        await adapter.chat(target.model(), request(), budget(target, total=0.3, first_token=0.3))
    assert info.value.code is Code.DEADLINE_EXCEEDED


async def test_a_slow_unary_answer_is_bounded_by_total_not_idle(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(stall_before_headers=0.5)
    result = await adapter.chat(target.model(), request(), budget(target, idle=0.1, first_token=0.1, total=5))
    assert result.message.text() == "Hello, world!"


async def test_the_first_chunk_gets_the_first_token_budget(env: Any) -> None:
    target, emu, adapter = env
    emu.script = Script(stall_before_first_event=0.5)
    events = await collect(
        adapter.stream_chat(target.model(), request(), budget(target, idle=0.1, first_token=3))
    )
    assert isinstance(events[-1], StreamEnd)
    emu.script = Script(stall_before_first_event=1.5)
    with pytest.raises(GatewayError) as info:
        await collect(adapter.stream_chat(target.model(), request(), budget(target, idle=3, first_token=0.6)))
    assert info.value.metadata["timeout"] == "first token"
