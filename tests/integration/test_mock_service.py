"""Every RPC end to end against the built-in mock provider, through the generated stubs."""

from __future__ import annotations

import grpc
import orjson
import pytest
from google.protobuf import struct_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from llmgateway.v1 import chat_pb2, embedding_pb2, image_pb2, model_pb2
from tests.helpers import Details, chat, stream, user


async def test_health_is_serving(gateway) -> None:
    health = health_pb2_grpc.HealthStub(gateway.channel)
    for service in ("", "llmgateway.v1.GatewayService"):
        response = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert response.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_the_services(gateway) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(gateway.channel)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = set()
    async for response in responses:
        names = {s.name for s in response.list_services_response.service}
        break
    assert {"llmgateway.v1.GatewayService", "grpc.health.v1.Health"} <= names


async def test_chat_echoes_and_returns_the_request_id(gateway) -> None:
    call = gateway.Chat(chat("mock/echo", user("hello there")))
    response = await call
    trailers = dict(await call.trailing_metadata())
    assert response.message.role == chat_pb2.ROLE_ASSISTANT
    assert response.message.content[0].text == "Echo: hello there"
    assert response.finish_reason == chat_pb2.FINISH_REASON_STOP
    assert (response.model, response.provider, response.upstream_model) == ("mock/echo", "mock", "echo")
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens > 0
    assert response.request_id and trailers["x-request-id"] == response.request_id
    assert "x-request-id" not in dict(await call.initial_metadata())  # unary: no separate header batch


async def test_caller_request_id_is_kept(gateway) -> None:
    call = gateway.Chat(chat(), metadata=(("x-request-id", "trace-abc-123"),))
    response = await call
    assert response.request_id == "trace-abc-123"
    assert dict(await call.trailing_metadata())["x-request-id"] == "trace-abc-123"


async def test_streams_send_the_request_id_as_a_header(gateway) -> None:
    call = gateway.StreamChat(stream(), metadata=(("x-request-id", "trace-stream-1"),))
    headers = dict(await call.initial_metadata())
    assert headers["x-request-id"] == "trace-stream-1" and headers["x-registry-revision"]
    events = [e async for e in call]
    assert events[0].start.request_id == "trace-stream-1"


async def test_errors_carry_the_request_id_in_trailers(gateway) -> None:
    call = gateway.Chat(chat("nope/none"), metadata=(("x-request-id", "trace-err-1"),))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    assert dict(info.value.trailing_metadata())["x-request-id"] == "trace-err-1"


async def test_stream_has_one_start_then_deltas_then_one_end(gateway) -> None:
    events = [e async for e in gateway.StreamChat(stream("mock/echo", user("one two three")))]
    kinds = [e.WhichOneof("event") for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert kinds.count("start") == 1 and kinds.count("end") == 1
    assert set(kinds[1:-1]) == {"text_delta"}
    assert "".join(e.text_delta.text for e in events) == "Echo: one two three"
    assert events[0].start.model == "mock/echo" and events[0].start.request_id
    assert events[-1].end.finish_reason == chat_pb2.FINISH_REASON_STOP
    assert events[-1].end.usage.completion_tokens == 4


def _weather_tool() -> chat_pb2.Tool:
    params = struct_pb2.Struct()
    params.update({"type": "object", "properties": {"input": {"type": "string"}}, "required": ["input"]})
    return chat_pb2.Tool(name="lookup", description="Look something up", parameters=params)


async def test_tool_call_round_trip(gateway) -> None:
    first = await gateway.Chat(chat("mock/echo", user("find cats"), tools=[_weather_tool()]))
    assert first.finish_reason == chat_pb2.FINISH_REASON_TOOL_CALLS
    call = first.message.tool_calls[0]
    assert call.name == "lookup" and orjson.loads(call.arguments) == {"input": "find cats"}
    result = chat_pb2.Message(
        role=chat_pb2.ROLE_TOOL, tool_call_id=call.id, content=[chat_pb2.ContentPart(text="3 cats")]
    )
    second = await gateway.Chat(
        chat("mock/echo", user("find cats"), first.message, result, tools=[_weather_tool()])
    )
    assert second.message.content[0].text == f"Tool call {call.id} returned: 3 cats"


async def test_stream_tool_call_deltas_fold_into_the_call(gateway) -> None:
    events = [
        e async for e in gateway.StreamChat(stream("mock/echo", user("find dogs"), tools=[_weather_tool()]))
    ]
    deltas = [e.tool_call_delta for e in events if e.WhichOneof("event") == "tool_call_delta"]
    assert deltas[0].id and deltas[0].name == "lookup"
    assert all(not d.id and not d.name for d in deltas[1:])
    assert orjson.loads("".join(d.arguments_fragment for d in deltas)) == {"input": "find dogs"}
    assert events[-1].end.finish_reason == chat_pb2.FINISH_REASON_TOOL_CALLS


async def test_reasoning_is_streamed_before_text(gateway) -> None:
    req = stream(
        "mock/echo", generation=chat_pb2.GenerationConfig(reasoning_effort=chat_pb2.REASONING_EFFORT_LOW)
    )
    kinds = [e.WhichOneof("event") async for e in gateway.StreamChat(req)]
    assert kinds.index("reasoning_delta") < kinds.index("text_delta")
    response = await gateway.Chat(chat("mock/echo", generation=req.generation))
    assert response.message.content[0].WhichOneof("part") == "reasoning"
    assert response.usage.reasoning_tokens > 0


async def test_max_tokens_truncates_with_length(gateway) -> None:
    response = await gateway.Chat(
        chat("mock/echo", user("a b c d e f"), generation=chat_pb2.GenerationConfig(max_tokens=2))
    )
    assert response.finish_reason == chat_pb2.FINISH_REASON_LENGTH
    assert response.message.content[0].text == "Echo: a "


async def test_vision_part_is_accepted(gateway) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    msg = chat_pb2.Message(
        role=chat_pb2.ROLE_USER,
        content=[
            chat_pb2.ContentPart(text="what is this?"),
            chat_pb2.ContentPart(image=chat_pb2.ImagePart(data=png)),
        ],
    )
    response = await gateway.Chat(chat("mock/echo", msg))
    assert "[image image/png 28 bytes]" in response.message.content[0].text


async def test_embed_returns_one_unit_vector_per_input(gateway) -> None:
    response = await gateway.Embed(embedding_pb2.EmbedRequest(model="mock/embed", inputs=["a", "b", "a"]))
    assert [e.index for e in response.embeddings] == [0, 1, 2]
    assert all(len(e.values) == 8 for e in response.embeddings)
    assert list(response.embeddings[0].values) == list(response.embeddings[2].values)
    assert list(response.embeddings[0].values) != list(response.embeddings[1].values)
    assert abs(sum(v * v for v in response.embeddings[1].values) - 1.0) < 1e-5


async def test_generate_image_returns_png_bytes_or_uri(gateway) -> None:
    response = await gateway.GenerateImage(
        image_pb2.GenerateImageRequest(model="mock/image", prompt="a cat", count=2)
    )
    assert len(response.images) == 2
    assert all(i.data.startswith(b"\x89PNG") and i.mime_type == "image/png" for i in response.images)
    response = await gateway.GenerateImage(
        image_pb2.GenerateImageRequest(model="mock/image", prompt="a cat", output=image_pb2.IMAGE_OUTPUT_URI)
    )
    assert response.images[0].uri.startswith("data:image/png;base64,")


async def test_list_models_paginates_and_filters(gateway) -> None:
    seen: list[str] = []
    token = ""
    while True:
        page = await gateway.ListModels(model_pb2.ListModelsRequest(page_size=1, page_token=token))
        seen += [m.id for m in page.models]
        token = page.next_page_token
        if not token:
            break
    assert seen == ["mock/echo", "mock/embed", "mock/image", "mock/speech", "mock/transcribe"]
    page = await gateway.ListModels(model_pb2.ListModelsRequest(capability=model_pb2.CAPABILITY_EMBED))
    assert [m.id for m in page.models] == ["mock/embed"]
    page = await gateway.ListModels(model_pb2.ListModelsRequest(capability=model_pb2.CAPABILITY_SPEECH))
    speech = [(m.id, list(m.capabilities)) for m in page.models]
    assert speech == [("mock/speech", [model_pb2.CAPABILITY_SPEECH])]
    page = await gateway.ListModels(model_pb2.ListModelsRequest(provider="nobody"))
    assert list(page.models) == [] and page.next_page_token == ""


@pytest.mark.parametrize("token", ["%%%", "bm9wZQ"])
async def test_list_models_rejects_a_foreign_page_token(gateway, token: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.ListModels(model_pb2.ListModelsRequest(page_token=token))
    details = Details(info.value)
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT and details.fields == ["page_token"]
