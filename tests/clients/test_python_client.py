"""The Python client (`llmgateway.client`) against a live gateway process, plus a small in-process
fake server for what the gateway does not show (the metadata it receives, retries, RetryInfo)."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from llmgateway.client import (
    AsyncGatewayClient,
    ChatResult,
    ErrorReason,
    GatewayClient,
    GatewayError,
    build_message,
    default_service_config,
    fold_speech,
    fold_stream,
    fold_stream_async,
    new_request_id,
)
from llmgateway.config import DEFAULT_MAX_CALL_DURATION_S, Settings
from llmgateway.server import start_server
from llmgateway.v1 import audio_pb2, cache_pb2, chat_pb2, error_reason_pb2, gateway_service_pb2_grpc
from tests.clients.conftest import LiveGateway

REPO = Path(__file__).resolve().parents[2]
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Current weather",
    "parameters": {"type": "object", "properties": {"input": {"type": "string"}}},
}


@pytest.fixture(scope="module")
def client(live_gateway: LiveGateway) -> Iterator[GatewayClient]:
    with GatewayClient(live_gateway.address, api_key=live_gateway.api_key, timeout=10) as c:
        yield c


def test_the_live_gateway_requires_the_api_key(live_gateway: LiveGateway) -> None:
    with GatewayClient(live_gateway.address, timeout=10) as anonymous, pytest.raises(GatewayError) as info:
        anonymous.chat(model="mock/echo", messages="hi")
    assert info.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert info.value.reason == ErrorReason.API_KEY_INVALID
    assert live_gateway.api_key not in str(info.value)


def _events(events: list[chat_pb2.StreamChatResponse]) -> list[str]:
    return [str(e.WhichOneof("event")) for e in events]


def _wait_for_call_log(gateway: LiveGateway, request_id: str) -> dict[str, Any]:
    for _ in range(100):
        for line in gateway.call_logs():
            if line.get("request_id") == request_id:
                return line
        time.sleep(0.05)
    raise AssertionError(f"no call log line for request {request_id}")


# --- sync client against the live gateway -------------------------------------------------------


def test_chat_with_a_plain_string(client: GatewayClient) -> None:
    response = client.chat(model="mock/echo", messages="hello there")
    assert response.message.content[0].text == "Echo: hello there"
    assert response.model == "mock/echo" and response.provider == "mock"
    assert response.request_id and response.usage.total_tokens > 0


def test_dict_messages_build_the_same_request_as_messages(client: GatewayClient) -> None:
    request = chat_pb2.ChatRequest(
        model="mock/echo",
        messages=[
            chat_pb2.Message(role=chat_pb2.ROLE_SYSTEM, content=[chat_pb2.ContentPart(text="be brief")]),
            chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.ContentPart(text="one two")]),
        ],
        generation=chat_pb2.GenerationConfig(max_tokens=2),
    )
    from_request = client.chat(request)
    from_dicts = client.chat(
        model="mock/echo",
        messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": ["one two"]}],
        max_tokens=2,
    )
    assert from_dicts.message == from_request.message
    assert from_dicts.message.content[0].text == "Echo: one "  # max_tokens=2 reached the server
    assert from_dicts.finish_reason == chat_pb2.FINISH_REASON_LENGTH


def test_chat_result_parses_tool_calls(client: GatewayClient) -> None:
    result = client.chat_result(model="mock/echo", messages="weather in Paris", tools=[WEATHER_TOOL])
    assert result.finish_reason_name == "TOOL_CALLS"
    [call] = result.tool_calls
    assert (call.id, call.name) == ("call_mock_1", "get_weather")
    assert call.parsed_arguments == {"input": "weather in Paris"}
    assert json.loads(call.arguments) == call.parsed_arguments


def test_stream_events_fold_into_the_text(client: GatewayClient) -> None:
    events = list(client.stream_chat(model="mock/echo", messages="one two three"))
    kinds = _events(events)
    assert kinds[0] == "start" and kinds[-1] == "end" and kinds.count("text_delta") >= 3
    result = fold_stream(events)
    assert result.text == "Echo: one two three"
    assert result.complete and result.finish_reason == chat_pb2.FINISH_REASON_STOP
    assert result.model == "mock/echo" and result.provider == "mock" and result.request_id
    assert result.usage.completion_tokens == kinds.count("text_delta")


def test_stream_fold_reasoning_tool_call_and_usage(client: GatewayClient) -> None:
    result = client.stream_chat_result(
        model="mock/echo",
        messages=[{"role": "user", "content": "weather in Paris"}],
        tools=[WEATHER_TOOL],
        reasoning_effort="low",
    )
    assert result.reasoning == "The user said 3 words; I will echo them."
    assert result.text == ""
    [call] = result.tool_calls
    assert (call.id, call.name) == ("call_mock_1", "get_weather")
    assert call.arguments == '{"input":"weather in Paris"}'
    assert call.parsed_arguments == {"input": "weather in Paris"}
    assert result.finish_reason_name == "TOOL_CALLS"
    assert result.usage.reasoning_tokens > 0
    assert result.usage.total_tokens == result.usage.prompt_tokens + result.usage.completion_tokens
    assert not result.usage.estimated  # the mock reports its counts
    # The folded answer goes back as the assistant turn; a tool result then gets an answer.
    follow_up = client.chat_result(
        model="mock/echo",
        messages=[
            {"role": "user", "content": "weather in Paris"},
            result.to_message(),
            {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
        ],
        tools=[WEATHER_TOOL],
    )
    assert follow_up.text == "Tool call call_mock_1 returned: sunny"


def test_embed(client: GatewayClient) -> None:
    response = client.embed(model="mock/embed", inputs=["first", "second"])
    assert [e.index for e in response.embeddings] == [0, 1]
    assert all(len(e.values) == 8 for e in response.embeddings)
    assert response.embeddings[0].values != response.embeddings[1].values
    assert abs(sum(v * v for v in response.embeddings[0].values) - 1) < 1e-5
    assert len(client.embed(model="mock/embed", inputs="one text").embeddings) == 1


def test_generate_image(client: GatewayClient) -> None:
    response = client.generate_image(model="mock/image", prompt="a red square", count=2)
    assert len(response.images) == 2
    assert all(i.data.startswith(b"\x89PNG") and i.mime_type == "image/png" for i in response.images)
    by_uri = client.generate_image(model="mock/image", prompt="a red square", output="uri")
    assert by_uri.images[0].uri.startswith("data:image/png;base64,")


def test_speech_and_its_transcription(client: GatewayClient, tmp_path: Path) -> None:
    spoken = client.synthesize_speech_result(model="mock/speech", input="Hello from Python.", format="wav")
    assert spoken.complete and spoken.audio[:4] == b"RIFF" and spoken.audio[8:12] == b"WAVE"
    assert (spoken.model, spoken.mime_type, spoken.format) == (
        "mock/speech",
        "audio/wav",
        audio_pb2.AUDIO_FORMAT_WAV,
    )
    assert spoken.input_characters == len("Hello from Python.") and spoken.request_id
    heard = client.transcribe(model="mock/transcribe", audio=spoken.audio, language="en")
    assert (heard.text, heard.language) == ("Hello from Python.", "en")
    assert [s.text for s in heard.segments] == ["Hello from Python."]
    recording = tmp_path / "hello.wav"
    recording.write_bytes(spoken.audio)
    assert client.transcribe(model="mock/transcribe", audio=recording).text == "Hello from Python."
    events = list(client.synthesize_speech(model="mock/speech", input="Hi.", format="pcm", speed=2))
    kinds = _events(events)
    assert kinds[0] == "start" and kinds[-1] == "end" and set(kinds[1:-1]) == {"audio"}
    assert events[0].start.sample_rate_hz == 16_000
    assert fold_speech(events).audio == b"".join(e.audio.data for e in events[1:-1])


def test_bad_speech_raises_with_the_field(client: GatewayClient) -> None:
    with pytest.raises(GatewayError) as info:
        list(client.synthesize_speech(model="mock/speech", input="x" * 5000))
    assert info.value.reason == ErrorReason.INVALID_REQUEST
    assert [field for field, _ in info.value.field_violations] == ["input"]
    with pytest.raises(GatewayError) as info:
        client.transcribe(model="mock/transcribe", audio=b"not audio")
    assert [field for field, _ in info.value.field_violations] == ["mime_type"]


def test_list_models_follows_every_page(client: GatewayClient, live_gateway: LiveGateway) -> None:
    everything = [m.id for m in client.list_models(page_size=1000)]
    assert {"mock/echo", "mock/embed", "mock/image", "mock/slow"} <= set(everything)
    before = sum(1 for line in live_gateway.call_logs() if line["method"] == "ListModels")
    paged = [m.id for m in client.list_models(page_size=1)]
    time.sleep(0.2)
    after = sum(1 for line in live_gateway.call_logs() if line["method"] == "ListModels")
    assert paged == everything
    assert after - before >= len(everything)  # one RPC per page
    assert [m.id for m in client.list_models(capability="embed")] == ["mock/embed"]


def test_a_repeated_deterministic_chat_comes_from_the_cache(
    client: GatewayClient, live_gateway: LiveGateway
) -> None:
    ask: dict[str, Any] = {"model": "mock/echo", "messages": "cache me (python)", "temperature": 0}
    first = client.chat_result(**ask)
    assert not first.cached and first.cache.status == cache_pb2.CACHE_STATUS_MISS
    again = client.stream_chat_result(**ask)  # Chat and StreamChat share entries
    assert again.cached and again.text == first.text and again.usage == first.usage and again.cache_age >= 0
    assert _wait_for_call_log(live_gateway, again.request_id)["cache"] == "hit"
    assert client.chat(**ask, cache="bypass").cache.status == cache_pb2.CACHE_STATUS_BYPASS
    with pytest.raises(GatewayError) as info:
        client.chat(**{**ask, "messages": "never asked (python)"}, cache={"mode": "only", "ttl_seconds": 60})
    assert info.value.code == grpc.StatusCode.NOT_FOUND and info.value.reason == ErrorReason.CACHE_MISS
    vectors = client.embed(model="mock/embed", inputs=["cached (python)"])
    assert (
        client.embed(model="mock/embed", inputs=["cached (python)"], cache="only").embeddings
        == vectors.embeddings
    )


def test_a_session_remembers_and_can_be_read_and_deleted(client: GatewayClient) -> None:
    first = client.chat_result(model="support/bot", messages="My name is Ada (python)")
    assert first.session_id and first.model == "support/bot"
    events = list(client.stream_chat(model="support/bot", messages="And yours?", session_id=first.session_id))
    again = fold_stream(iter(events))
    assert again.session_id == first.session_id and again.complete
    session = client.get_session(first.session_id)
    assert session.model == "support/bot" and session.message_count == 4
    history = list(client.session_messages(first.session_id, page_size=3))
    assert [m.content[0].text for m in history[::2]] == ["My name is Ada (python)", "And yours?"]
    client.delete_session(first.session_id)
    with pytest.raises(GatewayError) as info:
        client.get_session(first.session_id)
    assert info.value.reason == ErrorReason.SESSION_NOT_FOUND and info.value.code == grpc.StatusCode.NOT_FOUND


def test_unknown_model_raises_not_found_with_details(client: GatewayClient) -> None:
    with pytest.raises(GatewayError) as info:
        client.chat(model="nobody/nothing", messages="hi", request_id="trace-unknown-model")
    error = info.value
    assert error.code == grpc.StatusCode.NOT_FOUND
    assert error.reason == ErrorReason.MODEL_NOT_FOUND == "MODEL_NOT_FOUND"
    assert error.error_reason is ErrorReason.MODEL_NOT_FOUND
    assert error.domain == "llmgateway" and error.metadata["model"] == "nobody/nothing"
    assert error.request_id == "trace-unknown-model"
    assert "nobody/nothing" in error.message
    assert isinstance(error.__cause__, grpc.RpcError) and not isinstance(error, grpc.RpcError)


def test_invalid_request_carries_field_violations(client: GatewayClient) -> None:
    with pytest.raises(GatewayError) as info:
        client.chat(
            model="mock/echo",
            messages=[{"role": "user", "content": "hi"}, {"role": "tool", "content": "result"}],
        )
    error = info.value
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT and error.reason == ErrorReason.INVALID_REQUEST
    assert "messages[1].tool_call_id" in [field for field, _ in error.field_violations]
    assert all(description for _, description in error.field_violations)
    assert error.retry_delay is None and error.request_id


def test_stream_failure_raises_from_the_iteration(client: GatewayClient) -> None:
    events = client.stream_chat(model="nobody/nothing", messages="hi")
    with pytest.raises(GatewayError) as info:
        next(events)
    assert info.value.code == grpc.StatusCode.NOT_FOUND and info.value.reason == "MODEL_NOT_FOUND"


def test_a_tiny_deadline_ends_a_slow_stream(client: GatewayClient) -> None:
    received: list[chat_pb2.StreamChatResponse] = []
    started = time.monotonic()
    with pytest.raises(GatewayError) as info:
        for event in client.stream_chat(model="mock/slow", messages="a b c d e f g h", timeout=0.5):
            received.append(event)
    assert info.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert info.value.reason in ("", ErrorReason.PROVIDER_TIMEOUT)  # the local deadline may win
    assert time.monotonic() - started < 1.5
    assert "start" in _events(received) and "end" not in _events(received)
    assert not fold_stream(received).complete


def test_the_client_default_timeout_and_a_per_call_override(live_gateway: LiveGateway) -> None:
    with GatewayClient(live_gateway.address, api_key=live_gateway.api_key, timeout=0.3) as short:
        with pytest.raises(GatewayError) as info:
            short.stream_chat_result(model="mock/slow", messages="a b c d e")
        assert info.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
        result = short.stream_chat_result(model="mock/slow", messages="a b c", timeout=10)
        assert result.text == "Echo: a b c" and result.complete


def test_the_service_config_sets_per_method_deadlines(live_gateway: LiveGateway) -> None:
    config = default_service_config()
    for entry in config["methodConfig"]:
        if entry["name"][0]["method"] == "StreamChat":
            entry["timeout"] = "0.3s"
    with GatewayClient(live_gateway.address, api_key=live_gateway.api_key, service_config=config) as tight:
        with pytest.raises(GatewayError) as info:
            tight.stream_chat_result(model="mock/slow", messages="a b c d e")
        assert info.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
        assert tight.chat(model="mock/echo", messages="hi").message.content[0].text == "Echo: hi"
    with GatewayClient(live_gateway.address, api_key=live_gateway.api_key, service_config=False) as unbounded:
        assert unbounded.stream_chat_result(model="mock/slow", messages="a b c d e").complete


def test_request_ids_reach_the_gateway(live_gateway: LiveGateway) -> None:
    with GatewayClient(live_gateway.address, api_key=live_gateway.api_key, request_id=new_request_id) as c:
        first = c.chat(model="mock/echo", messages="hi")
        second = c.chat(model="mock/echo", messages="hi")
        explicit = c.chat(model="mock/echo", messages="hi", request_id="my-trace-1")
    assert first.request_id != second.request_id and len(first.request_id) == 32
    assert explicit.request_id == "my-trace-1"
    assert _wait_for_call_log(live_gateway, "my-trace-1")["status"] == "OK"
    with GatewayClient(live_gateway.address, api_key=live_gateway.api_key, request_id="fixed-id") as c:
        assert c.stream_chat_result(model="mock/echo", messages="hi").request_id == "fixed-id"


def test_leaving_a_stream_early_cancels_it(client: GatewayClient, live_gateway: LiveGateway) -> None:
    events = client.stream_chat(model="mock/slow", messages="a b c d e f g h i j", request_id="cancel-me-1")
    for event in events:
        assert event.WhichOneof("event") == "start"
        break
    events.close()  # what a `for` loop's frame does when it is left
    started = time.monotonic()
    line = _wait_for_call_log(live_gateway, "cancel-me-1")
    assert line["status"] == "CANCELLED"
    assert time.monotonic() - started < 1.5  # long before the ten paced chunks would have finished


def test_request_message_or_keywords_not_both(client: GatewayClient) -> None:
    with pytest.raises(ValueError, match="not both"):
        client.chat(chat_pb2.ChatRequest(model="mock/echo"), model="mock/echo")
    with pytest.raises(ValueError, match="model is required"):
        client.chat(messages="hi")
    with pytest.raises(ValueError, match="unknown role"):
        client.chat(model="mock/echo", messages=[{"role": "robot", "content": "hi"}])
    # A ChatRequest is accepted by stream_chat (identical fields) and the other way round.
    request = chat_pb2.ChatRequest(model="mock/echo", messages=[build_message({"content": "x"})])
    assert fold_stream(client.stream_chat(request)).text == "Echo: x"
    assert client.chat(chat_pb2.StreamChatRequest.FromString(request.SerializeToString())).message.content


# --- asyncio client against the live gateway ----------------------------------------------------


async def test_async_chat_embed_image_and_models(live_gateway: LiveGateway) -> None:
    async with AsyncGatewayClient(live_gateway.address, api_key=live_gateway.api_key) as c:
        response = await c.chat(model="mock/echo", messages=[{"role": "user", "content": "async hi"}])
        assert response.message.content[0].text == "Echo: async hi"
        result = await c.chat_result(model="mock/echo", messages="weather", tools=[WEATHER_TOOL])
        assert result.tool_calls[0].parsed_arguments == {"input": "weather"}
        embedded = await c.embed(model="mock/embed", inputs=["a", "b", "c"])
        assert len(embedded.embeddings) == 3
        image = await c.generate_image(model="mock/image", prompt="blue")
        assert image.images[0].data.startswith(b"\x89PNG")
        paged = [m.id async for m in c.list_models(page_size=1)]
        whole = [m.id async for m in c.list_models(page_size=1000)]
        assert paged == whole and "mock/slow" in paged


async def test_async_speech_and_transcription(live_gateway: LiveGateway) -> None:
    async with AsyncGatewayClient(live_gateway.address, api_key=live_gateway.api_key) as c:
        events = [e async for e in c.synthesize_speech(model="mock/speech", input="Async hello.")]
        assert _events(events)[0] == "start" and events[0].start.mime_type == "audio/wav"
        spoken = await c.synthesize_speech_result(model="mock/speech", input="Async hello.")
        assert spoken.audio == b"".join(e.audio.data for e in events if e.HasField("audio"))
        heard = await c.transcribe(model="mock/transcribe", audio=spoken.audio)
        assert heard.text == "Async hello." and heard.duration_seconds > 0


async def test_async_stream_and_fold(live_gateway: LiveGateway) -> None:
    async with AsyncGatewayClient(live_gateway.address, api_key=live_gateway.api_key) as c:
        stream = c.stream_chat(model="mock/echo", messages="x y z", reasoning_effort="high")
        events = [e async for e in stream]
        kinds = _events(events)
        assert kinds[0] == "start" and kinds[-1] == "end" and "reasoning_delta" in kinds

        async def replay() -> Any:
            for event in events:
                yield event

        result = await fold_stream_async(replay())
        assert result == fold_stream(events)
        assert result.text == "Echo: x y z" and result.reasoning.startswith("The user said 3 words")
        folded = await c.stream_chat_result(model="mock/echo", messages="weather", tools=[WEATHER_TOOL])
        assert folded.tool_calls[0].parsed_arguments == {"input": "weather"}
        assert folded.finish_reason == chat_pb2.FINISH_REASON_TOOL_CALLS


async def test_async_errors(live_gateway: LiveGateway) -> None:
    async with AsyncGatewayClient(live_gateway.address, api_key=live_gateway.api_key) as c:
        with pytest.raises(GatewayError) as info:
            await c.chat(model="nobody/nothing", messages="hi", request_id="async-trace-1")
        assert info.value.code == grpc.StatusCode.NOT_FOUND
        assert info.value.reason == ErrorReason.MODEL_NOT_FOUND
        assert info.value.request_id == "async-trace-1"
        with pytest.raises(GatewayError) as info:
            await c.embed(model="mock/echo", inputs=["a"])
        assert info.value.reason == ErrorReason.CAPABILITY_NOT_SUPPORTED
        with pytest.raises(GatewayError) as info:
            [e async for e in c.stream_chat(model="mock/echo", messages=[])]
        assert info.value.field_violations and info.value.field_violations[0][0] == "messages"
        with pytest.raises(GatewayError) as info:
            [e async for e in c.stream_chat(model="mock/slow", messages="a b c d e f", timeout=0.4)]
        assert info.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
        assert info.value.request_id  # from the x-request-id header the stream had already sent


# --- what the gateway does not show: an in-process fake server ----------------------------------


class _FakeService(gateway_service_pb2_grpc.GatewayServiceServicer):  # type: ignore[misc]
    """Records each call's metadata; fails `Chat` with UNAVAILABLE `fail_first` times."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.fail_first = 0
        self.status: status_pb2.Status | None = None  # a rich status for Chat to fail with

    def _record(self, method: str, context: grpc.ServicerContext) -> int:
        with self.lock:
            self.calls.append((method, dict(context.invocation_metadata())))  # type: ignore[arg-type]
            return len(self.calls)

    def Chat(self, request: chat_pb2.ChatRequest, context: grpc.ServicerContext) -> chat_pb2.ChatResponse:
        attempt = self._record("Chat", context)
        if self.status is not None:
            context.abort_with_status(rpc_status.to_status(self.status))
        if attempt <= self.fail_first:
            context.abort(grpc.StatusCode.UNAVAILABLE, f"attempt {attempt} fails")
        return chat_pb2.ChatResponse(model=request.model, request_id=f"attempt-{attempt}")

    def StreamChat(self, request: chat_pb2.StreamChatRequest, context: grpc.ServicerContext) -> Any:
        self._record("StreamChat", context)
        context.abort(grpc.StatusCode.UNAVAILABLE, "streams are not retried")
        yield chat_pb2.StreamChatResponse()  # pragma: no cover


@pytest.fixture
def fake() -> Iterator[tuple[_FakeService, str]]:
    service = _FakeService()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    gateway_service_pb2_grpc.add_GatewayServiceServicer_to_server(service, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield service, f"127.0.0.1:{port}"
    server.stop(0)


def _rich_status() -> status_pb2.Status:
    details = [
        error_details_pb2.ErrorInfo(
            reason="PROVIDER_RATE_LIMITED", domain="llmgateway", metadata={"provider": "openai"}
        ),
        error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=1, nanos=500_000_000)),
        error_details_pb2.BadRequest(
            field_violations=[error_details_pb2.BadRequest.FieldViolation(field="f", description="d")]
        ),
    ]
    status = status_pb2.Status(code=grpc.StatusCode.RESOURCE_EXHAUSTED.value[0], message="slow down")
    for detail in details:
        status.details.add().Pack(detail)
    return status


def test_api_key_request_id_and_metadata_are_sent(fake: tuple[_FakeService, str]) -> None:
    service, address = fake
    with GatewayClient(address, api_key="secret-key", metadata={"X-Team": "search"}, request_id="rid-1") as c:
        c.chat(model="m", messages="hi")
        c.chat(model="m", messages="hi", metadata=[("x-extra", "1")], request_id="rid-2")
    (_, first), (_, second) = service.calls
    assert first["authorization"] == "Bearer secret-key" and first["x-team"] == "search"
    assert first["x-request-id"] == "rid-1"
    assert second["x-request-id"] == "rid-2" and second["x-extra"] == "1" and second["x-team"] == "search"
    with GatewayClient(address) as anonymous:
        anonymous.chat(model="m", messages="hi")
    assert "authorization" not in service.calls[-1][1] and "x-request-id" not in service.calls[-1][1]


async def test_async_client_sends_the_api_key(fake: tuple[_FakeService, str]) -> None:
    service, address = fake
    async with AsyncGatewayClient(address, api_key="async-key", metadata=[("x-team", "ads")]) as c:
        await c.chat(model="m", messages="hi")
    [(method, metadata)] = service.calls
    assert method == "Chat" and metadata["authorization"] == "Bearer async-key"
    assert metadata["x-team"] == "ads"


def test_unary_calls_retry_on_unavailable(fake: tuple[_FakeService, str]) -> None:
    service, address = fake
    service.fail_first = 2
    with GatewayClient(address) as c:
        assert c.chat(model="m", messages="hi").request_id == "attempt-3"
    assert [m for m, _ in service.calls] == ["Chat"] * 3
    service.calls.clear()
    service.fail_first = 5
    with GatewayClient(address) as c, pytest.raises(GatewayError) as info:
        c.chat(model="m", messages="hi")
    assert info.value.code == grpc.StatusCode.UNAVAILABLE and info.value.reason == ""
    assert len(service.calls) == 3  # maxAttempts
    service.calls.clear()
    service.fail_first = 1
    with GatewayClient(address, service_config=False) as c, pytest.raises(GatewayError):
        c.chat(model="m", messages="hi")
    assert len(service.calls) == 1


async def test_streams_are_not_retried(fake: tuple[_FakeService, str]) -> None:
    service, address = fake
    async with AsyncGatewayClient(address) as c:
        with pytest.raises(GatewayError) as info:
            await c.stream_chat_result(model="m", messages="hi")
    assert info.value.code == grpc.StatusCode.UNAVAILABLE
    assert [m for m, _ in service.calls] == ["StreamChat"]


def test_retry_info_error_info_and_bad_request_are_parsed(fake: tuple[_FakeService, str]) -> None:
    service, address = fake
    service.status = _rich_status()
    with GatewayClient(address) as c, pytest.raises(GatewayError) as info:
        c.chat(model="m", messages="hi")
    error = info.value
    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED and error.message == "slow down"
    assert error.reason == ErrorReason.PROVIDER_RATE_LIMITED and error.metadata == {"provider": "openai"}
    assert error.retry_delay == pytest.approx(1.5)
    assert error.field_violations == [("f", "d")]
    assert error.request_id is None  # the fake sends no x-request-id header


# --- TLS ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    d = tmp_path_factory.mktemp("client-pki")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "1", "-subj", "/CN=client-test-ca")  # fmt: skip
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name in ("server", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}")  # fmt: skip
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "1", "-extfile", "san.ext")  # fmt: skip
    return d


async def test_mutual_tls_with_certificate_files(pki: Path) -> None:
    tls = {"cert_file": pki / "server.pem", "key_file": pki / "server.key", "client_ca_file": pki / "ca.pem"}
    running = await start_server(Settings(server={"address": "127.0.0.1:0", "tls": tls, "uvloop": False}))
    try:
        async with AsyncGatewayClient(
            f"localhost:{running.port}",
            root_certificates=pki / "ca.pem",
            private_key=pki / "client.key",
            certificate_chain=(pki / "client.pem").read_bytes(),
        ) as c:
            assert (await c.chat_result(model="mock/echo", messages="over tls")).text == "Echo: over tls"
        async with AsyncGatewayClient(f"localhost:{running.port}", root_certificates=pki / "ca.pem") as c:
            with pytest.raises(GatewayError) as info:  # no client certificate
                await c.chat(model="mock/echo", messages="hi", timeout=5)
            assert info.value.code == grpc.StatusCode.UNAVAILABLE
    finally:
        await running.stop(0)


# --- offline: fold, builders, reasons, the service config ---------------------------------------


def _event(**kw: Any) -> chat_pb2.StreamChatResponse:
    return chat_pb2.StreamChatResponse(**kw)


def test_fold_interleaved_tool_calls_and_invalid_arguments() -> None:
    events = [
        _event(start=chat_pb2.StreamStart(model="m", provider="p", request_id="r", id="resp-1")),
        _event(reasoning_delta=chat_pb2.ReasoningDelta(text="thinking ")),
        _event(reasoning_delta=chat_pb2.ReasoningDelta(text="more", signature="sig")),
        _event(text_delta=chat_pb2.TextDelta(text="Calling ")),
        _event(tool_call_delta=chat_pb2.ToolCallDelta(index=1, id="c2", name="b", arguments_fragment='{"x"')),
        _event(tool_call_delta=chat_pb2.ToolCallDelta(index=0, id="c1", name="a", arguments_fragment="{not")),
        _event(tool_call_delta=chat_pb2.ToolCallDelta(index=1, arguments_fragment=": [1, 2]}")),
        _event(tool_call_delta=chat_pb2.ToolCallDelta(index=0, arguments_fragment=" json")),
        _event(text_delta=chat_pb2.TextDelta(text="tools")),
        _event(
            end=chat_pb2.StreamEnd(
                finish_reason=chat_pb2.FINISH_REASON_TOOL_CALLS, usage=chat_pb2.Usage(total_tokens=7)
            )
        ),
    ]
    result = fold_stream(events)
    assert (result.model, result.provider, result.request_id, result.id) == ("m", "p", "r", "resp-1")
    assert result.text == "Calling tools" and result.reasoning == "thinking more"
    assert result.reasoning_signature == "sig"
    assert [(c.id, c.name, c.arguments, c.parsed_arguments) for c in result.tool_calls] == [
        ("c1", "a", "{not json", None),
        ("c2", "b", '{"x": [1, 2]}', {"x": [1, 2]}),
    ]
    assert result.usage.total_tokens == 7 and result.complete
    assert not fold_stream(events[:-1]).complete
    message = result.to_message()
    assert message.role == chat_pb2.ROLE_ASSISTANT and [c.id for c in message.tool_calls] == ["c1", "c2"]
    assert message.content[0].reasoning.signature == "sig" and message.content[1].text == "Calling tools"
    assert ChatResult().finish_reason_name == "UNSPECIFIED"


def test_message_builder() -> None:
    message = build_message(
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "see"}, {"image": {"uri": "https://x/cat.png"}}],
            "tool_calls": [{"id": "c1", "name": "f", "arguments": {"a": 1}}],
        }
    )
    assert message.role == chat_pb2.ROLE_ASSISTANT
    assert message.content[0].text == "see" and message.content[1].image.uri == "https://x/cat.png"
    assert json.loads(message.tool_calls[0].arguments) == {"a": 1}
    tool_result = build_message({"role": "ROLE_TOOL", "tool_call_id": "c1", "content": "ok"})
    assert tool_result.role == chat_pb2.ROLE_TOOL and tool_result.tool_call_id == "c1"
    with pytest.raises(ValueError, match="unknown message keys"):
        build_message({"role": "user", "text": "hi"})


def test_error_reason_lists_every_proto_reason() -> None:
    from_proto = {
        name.removeprefix("ERROR_REASON_")
        for name in error_reason_pb2.DESCRIPTOR.enum_types_by_name["ErrorReason"].values_by_name
        if name != "ERROR_REASON_UNSPECIFIED"
    }
    assert {r.value for r in ErrorReason} == from_proto


def test_service_config_copies_are_identical() -> None:
    shared = REPO / "clients" / "service_config.json"
    bundled = REPO / "clients" / "python" / "src" / "llmgateway" / "client" / "service_config.json"
    assert shared.read_bytes() == bundled.read_bytes()
    assert default_service_config() == json.loads(shared.read_text())


def test_service_config_retries_unary_methods_only() -> None:
    methods = {}
    for entry in default_service_config()["methodConfig"]:
        for name in entry["name"]:
            assert name["service"] in ("llmgateway.v1.GatewayService", "llmgateway.v1.SessionService")
            methods[name["method"]] = entry
    assert {m: e["timeout"] for m, e in methods.items()} == {
        "Chat": "120s",
        "StreamChat": "600s",
        "Embed": "30s",
        "GenerateImage": "120s",
        "Transcribe": "120s",
        "SynthesizeSpeech": "300s",
        "ListModels": "10s",
        "GetSession": "10s",
        "ListSessionMessages": "10s",
        "DeleteSession": "10s",
    }
    # the server's own bound on a call without a deadline is the same
    assert {m: float(t[:-1]) for m, t in {m: e["timeout"] for m, e in methods.items()}.items()} == (
        DEFAULT_MAX_CALL_DURATION_S
    )
    for method in ("StreamChat", "SynthesizeSpeech", "DeleteSession"):
        assert "retryPolicy" not in methods[method]
    for method in (
        "Chat",
        "Embed",
        "GenerateImage",
        "Transcribe",
        "ListModels",
        "GetSession",
        "ListSessionMessages",
    ):
        policy = methods[method]["retryPolicy"]
        assert policy["retryableStatusCodes"] == ["UNAVAILABLE"] and policy["maxAttempts"] == 3
