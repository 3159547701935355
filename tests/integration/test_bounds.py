"""The wire bounds (api/bounds.py) through the real server: each failure issue 9 names gets
INVALID_ARGUMENT with the field, fast, and the server keeps answering; error details fit
the client's metadata limit; unknown enum numbers, malformed URLs and over-long ids are
field violations; the largest allowed requests are served."""

from __future__ import annotations

import socket
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from llmgateway.api import bounds
from llmgateway.v1 import chat_pb2, embedding_pb2, image_pb2, model_pb2
from tests.helpers import ASSISTANT_CALL, Details, chat, stream, tool, user, with_image


async def _fails(call: Any) -> Details:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    return Details(info.value)


async def _invalid(call: Any, field: str) -> Details:
    details = await _fails(call)
    assert (details.code, details.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST")
    assert field in details.fields, details.fields
    return details


# -- the mock embedding: any `dimensions` froze the server -----------------------------------------
async def test_huge_dimensions_are_refused_and_the_server_keeps_answering(gateway) -> None:
    request = embedding_pb2.EmbedRequest(model="mock/embed", inputs=["a"], dimensions=2_000_000_000)
    await _invalid(gateway.Embed(request, timeout=5), "dimensions")
    health = health_pb2_grpc.HealthStub(gateway.channel)
    assert (await health.Check(health_pb2.HealthCheckRequest(), timeout=5)).status == 1


async def test_largest_allowed_embedding_is_served(gateway) -> None:
    inputs = bounds.EMBED_VALUES // bounds.DIMENSIONS
    request = embedding_pb2.EmbedRequest(
        model="mock/embed", inputs=["x"] * inputs, dimensions=bounds.DIMENSIONS
    )
    response = await gateway.Embed(request, timeout=10)
    assert [len(e.values) for e in response.embeddings] == [bounds.DIMENSIONS] * inputs
    assert abs(sum(v * v for v in response.embeddings[0].values) - 1.0) < 1e-4


@pytest.mark.parametrize(
    ("inputs", "dimensions", "field"),
    [
        (1, 0, "dimensions"),
        (1, -1, "dimensions"),
        (1, bounds.DIMENSIONS + 1, "dimensions"),
        (bounds.EMBED_VALUES // bounds.DIMENSIONS + 1, bounds.DIMENSIONS, "dimensions"),
        (bounds.EMBED_INPUTS + 1, None, "inputs"),
    ],
)
async def test_embed_bounds(gateway, inputs: int, dimensions: int | None, field: str) -> None:
    request = embedding_pb2.EmbedRequest(model="mock/embed", inputs=["x"] * inputs, dimensions=dimensions)
    await _invalid(gateway.Embed(request, timeout=5), field)


# -- very many messages, many tools with large schemas ------------------------------------------------
def _parts(n: int) -> list[chat_pb2.ContentPart]:
    return [chat_pb2.ContentPart(text="x")] * n


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"messages": [user("x")] * (bounds.MESSAGES + 1)}, "messages"),
        (
            {
                "messages": [
                    chat_pb2.Message(role=chat_pb2.ROLE_USER, content=_parts(bounds.CONTENT_PARTS + 1))
                ]
            },
            "messages",
        ),
        ({"tools": [tool({"type": "object"}, f"t{i}") for i in range(bounds.TOOLS + 1)]}, "tools"),
        (
            {"generation": chat_pb2.GenerationConfig(stop=["s"] * (bounds.STOP_SEQUENCES + 1))},
            "generation.stop",
        ),
        ({"generation": chat_pb2.GenerationConfig(stop=["s" * (bounds.STOP + 1)])}, "generation.stop[0]"),
        (
            {"tools": [chat_pb2.Tool(name="f", description="d" * (bounds.TOOL_DESCRIPTION + 1))]},
            "tools[0].description",
        ),
    ],
    ids=["messages", "content parts", "tools", "stop sequences", "stop length", "tool description"],
)
@pytest.mark.parametrize("method", ["Chat", "StreamChat"])
async def test_chat_count_bounds(gateway, method: str, fields: dict[str, Any], field: str) -> None:
    request = {"model": "mock/echo", "messages": [user("hi")], **fields}
    if method == "Chat":
        await _invalid(gateway.Chat(chat_pb2.ChatRequest(**request), timeout=5), field)
    else:
        await _invalid(_drain(gateway.StreamChat(chat_pb2.StreamChatRequest(**request), timeout=5)), field)


async def _drain(events: Any) -> None:
    async for _ in events:
        pass


def _wide(values: int) -> dict[str, Any]:
    """An object schema of `values` JSON values in all (two per property, two at the top)."""
    return {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range((values - 2) // 2)}}


def _deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"not": value}
    return value


@pytest.mark.parametrize(
    ("parameters", "why"),
    [
        (_deep(bounds.SCHEMA_DEPTH + 1), "levels deep"),
        (
            {"type": "object", "properties": {f"p{i}": {} for i in range(bounds.SCHEMA_PROPERTIES + 1)}},
            "keys",
        ),
        ({"type": "object", "description": "d" * bounds.SCHEMA_BYTES}, "bytes"),
    ],
    ids=["depth", "keys", "bytes"],
)
async def test_schema_bounds(gateway, parameters: dict[str, Any], why: str) -> None:
    details = await _invalid(gateway.Chat(chat(tools=[tool(parameters)]), timeout=5), "tools[0].parameters")
    assert why in details.bad_request.field_violations[0].description


async def test_schema_values_are_counted_over_every_schema_of_a_request(gateway) -> None:
    half = bounds.SCHEMA_NODES // 2
    within = [tool(_wide(half), "a"), tool(_wide(half), "b")]
    assert (await gateway.Chat(chat(tools=within), timeout=10)).message.tool_calls
    over = [*within, tool({"type": "object", "properties": {"x": {}}}, "c")]
    await _invalid(gateway.Chat(chat(tools=over), timeout=5), "tools[2].parameters")


async def test_a_schema_too_deep_to_parse_is_a_violation_of_the_request(gateway) -> None:
    request = chat("mock/echo")
    level = request.tools.add(name="f").parameters
    for _ in range(60):  # past the parser's nesting limit: the edge refuses the bytes
        level = level.fields["a"].struct_value
    call = gateway.channel.unary_unary("/llmgateway.v1.GatewayService/Chat")
    details = await _fails(call(request.SerializeToString(), timeout=5))
    assert (details.code, details.fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["request"])


async def test_an_unknown_schema_dialect_is_a_violation_and_never_fetched(gateway) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/schema"
    try:
        tools = [tool({"$schema": url, "type": "object"})]
        details = await _invalid(gateway.Chat(chat(tools=tools), timeout=5), "tools[0].parameters")
        assert "$schema" in details.bad_request.field_violations[0].description
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()


async def test_known_schema_dialects_are_accepted(gateway) -> None:
    for dialect in (
        "http://json-schema.org/draft-07/schema#",
        "https://json-schema.org/draft/2020-12/schema",
    ):
        tools = [tool({"$schema": dialect, "type": "object", "properties": {"a": {"type": "string"}}})]
        assert (await gateway.Chat(chat(tools=tools), timeout=5)).message.tool_calls


# -- unknown enum numbers, malformed URLs, over-long ids ----------------------------------------------
CHAT_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown role", {"messages": [chat_pb2.Message(role=42, content=_parts(1))]}, "messages[0].role"),
    (
        "unknown image detail",
        {"messages": [with_image(uri="https://e.com/a.png", detail=9)]},
        "messages[0].content[1].image.detail",
    ),
    ("unknown tool choice mode", {"tool_choice": chat_pb2.ToolChoice(mode=17)}, "tool_choice.mode"),
    (
        "unknown reasoning effort",
        {"generation": chat_pb2.GenerationConfig(reasoning_effort=99)},
        "generation.reasoning_effort",
    ),
    ("unknown response format", {"response_format": chat_pb2.ResponseFormat(type=5)}, "response_format.type"),
    (
        "URL with a broken host",
        {"messages": [with_image(uri="http://[::1/cat.png")]},
        "messages[0].content[1].image.uri",
    ),
    (
        "URL with a port out of range",
        {"messages": [with_image(uri="https://h:99999/a.png")]},
        "messages[0].content[1].image.uri",
    ),
    (
        "over-long URL",
        {"messages": [with_image(uri="https://e.com/" + "a" * bounds.IMAGE_URL)]},
        "messages[0].content[1].image.uri",
    ),
    ("over-long model id", {"model": "m/" + "x" * bounds.MODEL_ID}, "model"),
    (
        "over-long tool call id",
        {
            "messages": [
                user("q"),
                chat_pb2.Message(
                    role=chat_pb2.ROLE_ASSISTANT,
                    tool_calls=[chat_pb2.ToolCall(id="c" * (bounds.ID + 1), name="f")],
                ),
            ]
        },
        "messages[1].tool_calls[0].id",
    ),
    (
        "over-long tool result id",
        {
            "messages": [
                user("q"),
                ASSISTANT_CALL,
                chat_pb2.Message(
                    role=chat_pb2.ROLE_TOOL, tool_call_id="c" * (bounds.ID + 1), content=_parts(1)
                ),
            ]
        },
        "messages[2].tool_call_id",
    ),
    ("over-long user", {"user": "u" * (bounds.USER + 1)}, "user"),
    (
        "too many images",
        {
            "messages": [
                chat_pb2.Message(
                    role=chat_pb2.ROLE_USER,
                    content=[chat_pb2.ContentPart(image=chat_pb2.ImagePart(uri="https://e.com/a.png"))]
                    * (bounds.IMAGES + 1),
                )
            ]
        },
        "messages",
    ),
]


@pytest.mark.parametrize(("name", "fields", "field"), CHAT_CASES, ids=[c[0] for c in CHAT_CASES])
async def test_bad_chat_fields(gateway, name: str, fields: dict[str, Any], field: str) -> None:
    request = {"model": "mock/echo", "messages": [user("hi")], **fields}
    await _invalid(gateway.Chat(chat_pb2.ChatRequest(**request), timeout=5), field)


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (image_pb2.GenerateImageRequest(model="mock/image", prompt="p", output=7), "output"),
        (image_pb2.GenerateImageRequest(model="mock/image", prompt="p", count=0), "count"),
        (
            image_pb2.GenerateImageRequest(model="mock/image", prompt="p", count=bounds.IMAGE_COUNT + 1),
            "count",
        ),
        (image_pb2.GenerateImageRequest(model="mock/image", prompt="p" * (bounds.PROMPT + 1)), "prompt"),
        (image_pb2.GenerateImageRequest(model="mock/image", prompt="p", size="9" * 40), "size"),
    ],
    ids=["unknown output", "no images", "too many images", "long prompt", "long size"],
)
async def test_bad_image_fields(gateway, request_: image_pb2.GenerateImageRequest, field: str) -> None:
    await _invalid(gateway.GenerateImage(request_, timeout=5), field)


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (model_pb2.ListModelsRequest(capability=99), "capability"),
        (model_pb2.ListModelsRequest(page_size=-1), "page_size"),
        (model_pb2.ListModelsRequest(page_token="t" * (bounds.PAGE_TOKEN + 1)), "page_token"),
        (model_pb2.ListModelsRequest(provider="p" * (bounds.PROVIDER + 1)), "provider"),
    ],
    ids=["unknown capability", "negative page size", "long page token", "long provider"],
)
async def test_bad_list_models_fields(gateway, request_: model_pb2.ListModelsRequest, field: str) -> None:
    await _invalid(gateway.ListModels(request_, timeout=5), field)


async def test_a_page_size_above_the_limit_is_lowered(gateway) -> None:
    page = await gateway.ListModels(model_pb2.ListModelsRequest(page_size=2**31 - 1), timeout=5)
    assert [m.id for m in page.models] == [
        "mock/echo",
        "mock/embed",
        "mock/image",
        "mock/speech",
        "mock/transcribe",
    ]


async def test_an_unsupported_capability_names_the_model_field(gateway) -> None:
    request = embedding_pb2.EmbedRequest(model="mock/echo", inputs=["a"])
    details = await _fails(gateway.Embed(request, timeout=5))
    assert (details.code, details.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "CAPABILITY_NOT_SUPPORTED")
    assert details.fields == ["model"]


# -- error details within the client's metadata limit ------------------------------------------------
async def test_thousands_of_violations_fit_the_clients_metadata_limit(gateway) -> None:
    messages = [chat_pb2.Message(role=99, name="n" * 300, content=_parts(1))] * bounds.MESSAGES
    details = await _invalid(gateway.Chat(chat("mock/echo", *messages), timeout=5), "messages[0].role")
    violations = details.bad_request.field_violations
    assert len(violations) <= 21
    assert "more violations" in violations[-1].description
    # the call got its trailers at all: a client refuses more than 8 KiB of metadata


async def test_echoed_values_are_cut(gateway) -> None:
    details = await _fails(gateway.Chat(chat("é" * 5000), timeout=5))
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT
    assert all(len(v.description) <= 256 for v in details.bad_request.field_violations)


# -- the largest allowed chat request ------------------------------------------------------------------
async def test_the_largest_allowed_conversation_is_served(gateway) -> None:
    per_message = bounds.CONTENT_PARTS // bounds.MESSAGES
    messages = [chat_pb2.Message(role=chat_pb2.ROLE_USER, content=_parts(per_message))] * bounds.MESSAGES
    stop = ["s" * bounds.STOP] * bounds.STOP_SEQUENCES
    response = await gateway.Chat(
        chat("mock/echo", *messages, generation=chat_pb2.GenerationConfig(stop=stop)), timeout=10
    )
    assert response.message.content[0].text.startswith("Echo: x")
    events = [e async for e in gateway.StreamChat(stream("mock/echo", *messages), timeout=10)]
    assert events[-1].WhichOneof("event") == "end"
