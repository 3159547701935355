"""Invalid requests get INVALID_ARGUMENT (or the routing code) with google.rpc details naming
the field, never INTERNAL and never a hang; they are logged at WARNING without a stack
trace, a bounded number of lines per window."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import grpc
import pytest

from llmgateway.telemetry import logs
from llmgateway.v1 import chat_pb2, embedding_pb2, image_pb2
from tests.helpers import ASSISTANT_CALL, Details, chat, stream, tool, user, with_image

OBJECT = {"type": "object", "properties": {}}

CASES: list[tuple[str, dict[str, Any], str]] = [
    ("no messages", {"messages": []}, "messages"),
    ("no model", {"model": ""}, "model"),
    (
        "unspecified role",
        {"messages": [chat_pb2.Message(content=[chat_pb2.ContentPart(text="x")])]},
        "messages[0].role",
    ),
    ("empty message", {"messages": [chat_pb2.Message(role=chat_pb2.ROLE_USER)]}, "messages[0].content"),
    (
        "tool result without call id",
        {
            "messages": [
                user("q"),
                ASSISTANT_CALL,
                chat_pb2.Message(role=chat_pb2.ROLE_TOOL, content=[chat_pb2.ContentPart(text="r")]),
            ]
        },
        "messages[2].tool_call_id",
    ),
    (
        "tool result for an unknown call",
        {
            "messages": [
                user("q"),
                chat_pb2.Message(
                    role=chat_pb2.ROLE_TOOL, tool_call_id="zz", content=[chat_pb2.ContentPart(text="r")]
                ),
            ]
        },
        "messages[1].tool_call_id",
    ),
    (
        "invalid JSON schema",
        {"tools": [tool({"type": "object", "properties": {"a": {"type": 12}}})]},
        "tools[0].parameters",
    ),
    ("non-object parameters", {"tools": [tool({"type": "string"})]}, "tools[0].parameters"),
    ("bad tool name", {"tools": [tool(OBJECT, name="no spaces allowed")]}, "tools[0].name"),
    ("duplicate tool", {"tools": [tool(OBJECT), tool(OBJECT)]}, "tools[1].name"),
    (
        "tool choice names no tool",
        {"tools": [tool(OBJECT)], "tool_choice": chat_pb2.ToolChoice(function_name="g")},
        "tool_choice.function_name",
    ),
    (
        "negative max tokens",
        {"generation": chat_pb2.GenerationConfig(max_tokens=-5)},
        "generation.max_tokens",
    ),
    ("zero max tokens", {"generation": chat_pb2.GenerationConfig(max_tokens=0)}, "generation.max_tokens"),
    (
        "temperature too high",
        {"generation": chat_pb2.GenerationConfig(temperature=7)},
        "generation.temperature",
    ),
    ("too many stops", {"generation": chat_pb2.GenerationConfig(stop=list("abcde"))}, "generation.stop"),
    (
        "image without source",
        {"messages": [with_image(mime_type="image/png")]},
        "messages[0].content[1].image",
    ),
    (
        "image bytes of unknown type",
        {"messages": [with_image(data=b"not an image")]},
        "messages[0].content[1].image.mime_type",
    ),
    (
        "image with a file uri",
        {"messages": [with_image(uri="file:///etc/passwd")]},
        "messages[0].content[1].image.uri",
    ),
    (
        "json schema format without schema",
        {"response_format": chat_pb2.ResponseFormat(type=chat_pb2.RESPONSE_FORMAT_TYPE_JSON_SCHEMA)},
        "response_format.schema",
    ),
]


@pytest.mark.parametrize(("name", "fields", "field"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("method", ["Chat", "StreamChat"])
async def test_invalid_chat_requests(
    gateway, method: str, name: str, fields: dict[str, Any], field: str
) -> None:
    request = {"model": "mock/echo", "messages": [user("hi")], **fields}
    with pytest.raises(grpc.aio.AioRpcError) as info:
        if method == "Chat":
            await gateway.Chat(chat_pb2.ChatRequest(**request), timeout=5)
        else:
            async for _ in gateway.StreamChat(chat_pb2.StreamChatRequest(**request), timeout=5):
                pytest.fail("no event may be sent for an invalid request")
    details = Details(info.value)
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT
    assert details.reason == "INVALID_REQUEST"
    assert details.error_info is not None and details.error_info.domain == "llmgateway"
    assert field in details.fields


async def test_bad_input_is_logged_at_warning_rate_limited_and_counts_what_it_left_out(
    gateway, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1_000.0]  # the rate limit's clock, moved by hand: no sleeping
    monkeypatch.setattr(logs, "time", SimpleNamespace(monotonic=lambda: now[0]))
    caplog.set_level(logging.DEBUG, logger="llmgateway.bad_input")
    bad = chat_pb2.ChatRequest(model="mock/echo", messages=[])

    async def send(count: int) -> list[logging.LogRecord]:
        seen = len(caplog.records)
        for _ in range(count):
            with pytest.raises(grpc.aio.AioRpcError):
                await gateway.Chat(bad, timeout=5)
        return [r for r in caplog.records[seen:] if r.name == "llmgateway.bad_input"]

    flood = 3 * logs.BAD_INPUT_LINES
    lines = await send(flood)
    assert len(lines) == logs.BAD_INPUT_LINES  # the rest of the window's flood is left out
    assert {(r.levelno, r.getMessage()) for r in lines} == {(logging.WARNING, "invalid request")}
    assert not [r for r in lines if r.exc_info or r.stack_info]
    assert lines[0].violations[0].startswith("messages: ")  # type: ignore[attr-defined]
    assert not [r for r in lines if hasattr(r, "suppressed_before")]

    now[0] += logs.BAD_INPUT_WINDOW_S  # the next window's first line says how many were left out
    (line,) = await send(1)
    assert line.suppressed_before == flood - logs.BAD_INPUT_LINES  # type: ignore[attr-defined]
    (line,) = await send(1)
    assert not hasattr(line, "suppressed_before")  # counted once


async def test_oversized_request(gateway_factory) -> None:
    gateway = await gateway_factory(server={"max_request_bytes": 100_000})
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Chat(chat("mock/echo", user("x" * 200_000)), timeout=5)
    details = Details(info.value)
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT and details.fields == ["request"]


async def test_unknown_model(gateway) -> None:
    for call in (gateway.Chat(chat("nope/nothing"), timeout=5),):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await call
        details = Details(info.value)
        assert (details.code, details.reason) == (grpc.StatusCode.NOT_FOUND, "MODEL_NOT_FOUND")
        assert details.error_info.metadata["model"] == "nope/nothing"


async def test_missing_capability(gateway) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Embed(embedding_pb2.EmbedRequest(model="mock/echo", inputs=["a"]), timeout=5)
    details = Details(info.value)
    assert (details.code, details.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "CAPABILITY_NOT_SUPPORTED")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in gateway.StreamChat(stream("mock/embed"), timeout=5):
            pass
    assert Details(info.value).reason == "CAPABILITY_NOT_SUPPORTED"


async def test_disabled_model(gateway_factory) -> None:
    gateway = await gateway_factory(
        models=[{"id": "mock/off", "provider": "mock", "upstream_model": "echo", "is_available": False}]
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Chat(chat("mock/off"), timeout=5)
    details = Details(info.value)
    assert (details.code, details.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "MODEL_DISABLED")


async def test_unloadable_adapter_fails_that_model_only(gateway_factory) -> None:
    gateway = await gateway_factory(
        models=[
            {"id": "x/broken", "provider": "x", "upstream_model": "m", "adapter_class": "no.such.Adapter"}
        ]
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Chat(chat("x/broken"), timeout=5)
    details = Details(info.value)
    assert details.code == grpc.StatusCode.FAILED_PRECONDITION
    assert details.error_info.metadata["adapter_class"] == "no.such.Adapter"
    assert (await gateway.Chat(chat("mock/echo"), timeout=5)).message.content[0].text


async def test_missing_credential_names_the_variable_not_a_secret(gateway_factory, monkeypatch) -> None:
    monkeypatch.delenv("NO_SUCH_VARIABLE_API_KEY", raising=False)
    gateway = await gateway_factory(
        models=[
            {
                "id": "openai/x",
                "provider": "openai",
                "upstream_model": "m",
                "credential_ref": "NO_SUCH_VARIABLE_API_KEY",
            }
        ]
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Chat(chat("openai/x"), timeout=5)
    details = Details(info.value)
    assert (details.code, details.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "MODEL_MISCONFIGURED")
    assert "NO_SUCH_VARIABLE_API_KEY" in details.message


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (embedding_pb2.EmbedRequest(model="mock/embed"), "inputs"),
        (embedding_pb2.EmbedRequest(model="mock/embed", inputs=["a", ""]), "inputs[1]"),
        (embedding_pb2.EmbedRequest(model="mock/embed", inputs=["a"], dimensions=-1), "dimensions"),
    ],
)
async def test_invalid_embed(gateway, request_: embedding_pb2.EmbedRequest, field: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Embed(request_, timeout=5)
    assert field in Details(info.value).fields


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (image_pb2.GenerateImageRequest(model="mock/image"), "prompt"),
        (image_pb2.GenerateImageRequest(model="mock/image", prompt="p", count=11), "count"),
    ],
)
async def test_invalid_image(gateway, request_: image_pb2.GenerateImageRequest, field: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.GenerateImage(request_, timeout=5)
    assert field in Details(info.value).fields


async def test_deadline_on_a_paced_mock_stream_is_the_gateways_timeout(gateway_factory) -> None:
    gateway = await gateway_factory(
        models=[
            {
                "id": "mock/slow",
                "provider": "mock",
                "upstream_model": "echo",
                "options": {"chunk_delay_ms": "200"},
            }
        ]
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in gateway.StreamChat(stream("mock/slow", user("a b c d e f")), timeout=0.5):
            pass
    details = Details(info.value)
    assert (details.code, details.reason) == (grpc.StatusCode.DEADLINE_EXCEEDED, "PROVIDER_TIMEOUT")
