"""The policy pipeline through the real server: policies and observers written here
and loaded by dotted path, as a user would, see admit and settle (and the observer
hooks) for every RPC: success, failure before and after the first event, a
cancelled stream; a policy's ready answer serves Chat and a replayed StreamChat."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest

from llmgateway.core.calls import AttemptRecord, Call
from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.pipeline import Admit, Outcome, Request
from llmgateway.core.types import (
    ChatRequest,
    ChatResult,
    FinishReason,
    Message,
    ReasoningPart,
    Role,
    Served,
    TextPart,
    ToolCall,
    Usage,
)
from llmgateway.v1 import audio_pb2, chat_pb2, embedding_pb2, image_pb2
from tests.emulators.base import Script
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import Details, chat, stream

HERE = __name__


@dataclass
class Journal:
    """What the test policies and observer saw, in order."""

    entries: list[tuple[str, ...]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    wire_at_admit: list[bytes] = field(default_factory=list)

    def clear(self) -> None:
        self.entries.clear()
        self.outcomes.clear()
        self.calls.clear()
        self.wire_at_admit.clear()


JOURNAL = Journal()


class Recorder:
    """A user policy: records admit and settle; wants the folded stream."""

    wants_result = True

    def __init__(self, components: Any, name: str = "recorder") -> None:
        self.name = name

    async def admit(self, call: Call, request: Request) -> Admit | None:
        JOURNAL.entries.append((self.name, "admit", call.method))
        JOURNAL.wire_at_admit.append(call.wire_request)
        return None

    async def settle(self, call: Call, outcome: Outcome) -> None:
        kind = "error" if outcome.error else "cancelled" if outcome.cancelled else "ok"
        JOURNAL.entries.append((self.name, "settle", call.method, kind))
        JOURNAL.outcomes.append(outcome)


class Refuser:
    """Refuses any chat whose last message says "refuse"."""

    wants_result = False

    def __init__(self, components: Any) -> None:
        pass

    async def admit(self, call: Call, request: Request) -> Admit | None:
        if isinstance(request, ChatRequest) and request.messages[-1].text() == "refuse":
            raise GatewayError(Reason.PERMISSION_DENIED, "refused by policy")
        return None

    async def settle(self, call: Call, outcome: Outcome) -> None:
        JOURNAL.entries.append(("refuser", "settle", call.method))


READY = ChatResult(
    Message(
        Role.ASSISTANT,
        [
            ReasoningPart("thinking it over", signature="sig-1"),
            TextPart("a ready answer, long enough to chunk"),
        ],
        [ToolCall("call_r", "lookup", '{"q": "x"}')],
    ),
    FinishReason.TOOL_CALLS,
    Usage(prompt_tokens=7, completion_tokens=9),
    response_id="ready-1",
    upstream_model="upstream-ready",
)


class ReadyAnswer:
    """Answers chats that say "ready" itself (like a cache hit would)."""

    wants_result = False

    def __init__(self, components: Any) -> None:
        pass

    async def admit(self, call: Call, request: Request) -> Admit | None:
        if isinstance(request, ChatRequest) and request.messages[-1].text() == "ready":
            call.served = Served("mock/echo", "policy", "cache", "upstream-ready", "ready-1", attempts=0)
            return Admit(answer=READY)
        return None

    async def settle(self, call: Call, outcome: Outcome) -> None:
        JOURNAL.entries.append(("ready", "settle", call.method))


class Watcher:
    """A user observer: every hook, in order."""

    def __init__(self, components: Any) -> None:
        pass

    def call_started(self, call: Call) -> None:
        JOURNAL.entries.append(("watch", "started", call.method))

    def attempt_ended(self, call: Call, attempt: AttemptRecord) -> None:
        JOURNAL.entries.append(("watch", "attempt", call.method, attempt.outcome))

    def first_event(self, call: Call) -> None:
        JOURNAL.entries.append(("watch", "first_event", call.method))

    def call_ended(self, call: Call) -> None:
        JOURNAL.entries.append(("watch", "ended", call.method, call.status))
        JOURNAL.calls.append(call)


@pytest.fixture(autouse=True)
def _journal() -> None:
    JOURNAL.clear()


@pytest.fixture
async def emu() -> Any:
    async with OpenAIEmulator() as emulator:
        yield emulator


@pytest.fixture
async def gateway(gateway_factory: Any, emu: OpenAIEmulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PIPELINE_TEST_API_KEY", "sk-pipeline-test")
    return await gateway_factory(
        pipeline={
            "policies": [
                {"name": f"{HERE}.Recorder", "options": {"name": "first"}},
                f"{HERE}.Refuser",
                f"{HERE}.ReadyAnswer",
                {"name": f"{HERE}.Recorder", "options": {"name": "last"}},
            ],
            "observers": [f"{HERE}.Watcher"],
        },
        models=[
            {
                "id": "emu/chat",
                "provider": "openai",
                "upstream_model": "emulated",
                "base_url": emu.base_url,
                "credential_ref": "PIPELINE_TEST_API_KEY",
                "capabilities": ["chat", "stream"],
                "retry": {"max_retries": 0},
            },
            {
                "id": "emu/tts",
                "provider": "openai",
                "upstream_model": "tts-1",
                "base_url": emu.base_url,
                "credential_ref": "PIPELINE_TEST_API_KEY",
                "capabilities": ["speech"],
                "retry": {"max_retries": 0},
            },
        ],
    )


def entries(*who: str) -> list[tuple[str, ...]]:
    return [e for e in JOURNAL.entries if e[0] in who]


async def test_every_rpc_is_admitted_and_settled_in_order(gateway: Any) -> None:
    await gateway.Chat(chat(), timeout=5)
    [e async for e in gateway.StreamChat(stream(), timeout=5)]
    await gateway.Embed(embedding_pb2.EmbedRequest(model="mock/embed", inputs=["a"]), timeout=5)
    await gateway.GenerateImage(image_pb2.GenerateImageRequest(model="mock/image", prompt="p"), timeout=5)
    speech = audio_pb2.SynthesizeSpeechRequest(model="mock/speech", input="Hi.")
    wav = b"".join([e.audio.data async for e in gateway.SynthesizeSpeech(speech, timeout=5)])
    await gateway.Transcribe(audio_pb2.TranscribeRequest(model="mock/transcribe", audio=wav), timeout=5)
    for method in ("Chat", "StreamChat", "Embed", "GenerateImage", "SynthesizeSpeech", "Transcribe"):
        assert [e for e in entries("first", "last", "refuser", "ready") if e[2] == method] == [
            ("first", "admit", method),
            ("last", "admit", method),
            ("last", "settle", method, "ok"),
            ("ready", "settle", method),
            ("refuser", "settle", method),
            ("first", "settle", method, "ok"),
        ]
    assert [e for e in entries("watch") if e[2] == "StreamChat"] == [
        ("watch", "started", "StreamChat"),
        ("watch", "first_event", "StreamChat"),
        ("watch", "attempt", "StreamChat", "OK"),
        ("watch", "ended", "StreamChat", "OK"),
    ]
    # Policies see the request's bytes as received; the call record that outlives the call
    # (an observer may queue it, as the ledger does) no longer holds them.
    assert JOURNAL.wire_at_admit[0] == chat().SerializeToString() and all(JOURNAL.wire_at_admit)
    assert JOURNAL.calls and all(c.wire_request == b"" for c in JOURNAL.calls)
    # The stream was folded once, for the policies that want it.
    stream_outcome = JOURNAL.outcomes[2]
    assert stream_outcome.complete and isinstance(stream_outcome.result, ChatResult)
    assert stream_outcome.result.message.text() == "Echo: hello there"
    # Speech is not folded: its outcome says only that it completed.
    speech_outcome = JOURNAL.outcomes[8]
    assert speech_outcome.complete and speech_outcome.result is None and speech_outcome.error is None
    assert [e for e in entries("watch") if e[2] == "SynthesizeSpeech"] == [
        ("watch", "started", "SynthesizeSpeech"),
        ("watch", "first_event", "SynthesizeSpeech"),
        ("watch", "attempt", "SynthesizeSpeech", "OK"),
        ("watch", "ended", "SynthesizeSpeech", "OK"),
    ]


async def test_a_refusal_settles_only_the_policies_admitted_before_it(gateway: Any) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Chat(chat("mock/echo", _user("refuse")), timeout=5)
    assert Details(info.value).reason == "PERMISSION_DENIED"
    assert entries("first", "last", "refuser") == [
        ("first", "admit", "Chat"),
        ("first", "settle", "Chat", "error"),
    ]
    assert JOURNAL.outcomes[0].error is not None and JOURNAL.outcomes[0].error.reason == "PERMISSION_DENIED"
    assert ("watch", "ended", "Chat", "PERMISSION_DENIED") in JOURNAL.entries


async def test_a_failure_after_the_first_event_is_settled_with_the_partial_answer(
    gateway: Any, emu: OpenAIEmulator
) -> None:
    emu.script = Script(midstream_error=True)
    received = []
    with pytest.raises(grpc.aio.AioRpcError):
        async for event in gateway.StreamChat(stream("emu/chat"), timeout=5):
            received.append(event.WhichOneof("event"))
    assert received[0] == "start" and "text_delta" in received
    assert entries("last")[-1] == ("last", "settle", "StreamChat", "error")
    outcome = JOURNAL.outcomes[0]
    assert not outcome.complete and outcome.error is not None
    assert isinstance(outcome.result, ChatResult) and outcome.result.message.text()  # what was streamed


async def test_a_cancelled_stream_is_settled_as_cancelled(gateway: Any, emu: OpenAIEmulator) -> None:
    emu.script = Script(text_chunks=["a"] * 5, stall_after_first_event=5)
    call = gateway.StreamChat(stream("emu/chat"), timeout=10)
    async for event in call:
        if event.WhichOneof("event") == "text_delta":
            call.cancel()
            break
    for _ in range(100):
        if len(entries("first")) == 2:
            break
        await asyncio.sleep(0.02)
    assert entries("first", "last") == [
        ("first", "admit", "StreamChat"),
        ("last", "admit", "StreamChat"),
        ("last", "settle", "StreamChat", "cancelled"),
        ("first", "settle", "StreamChat", "cancelled"),
    ]
    assert ("watch", "ended", "StreamChat", "CANCELLED") in JOURNAL.entries
    assert await _disconnected(emu)


@pytest.mark.parametrize(
    "script", [Script(stall_after_first_event=5), Script(truncate=True)], ids=["cancel", "fail"]
)
async def test_a_speech_stream_that_stops_after_its_first_audio_is_settled_so(
    gateway: Any, emu: OpenAIEmulator, script: Script
) -> None:
    emu.script = script
    call = gateway.SynthesizeSpeech(
        audio_pb2.SynthesizeSpeechRequest(model="emu/tts", input="Hi."), timeout=10
    )
    if script.stall_after_first_event:
        async for event in call:
            if event.HasField("audio"):
                call.cancel()
                break
    else:
        with pytest.raises(grpc.aio.AioRpcError):
            [e async for e in call]
    for _ in range(100):
        if len(entries("first")) == 2:
            break
        await asyncio.sleep(0.02)
    kind = "cancelled" if script.stall_after_first_event else "error"
    assert entries("first", "last") == [
        ("first", "admit", "SynthesizeSpeech"),
        ("last", "admit", "SynthesizeSpeech"),
        ("last", "settle", "SynthesizeSpeech", kind),
        ("first", "settle", "SynthesizeSpeech", kind),
    ]
    assert not JOURNAL.outcomes[0].complete and JOURNAL.outcomes[0].result is None


async def test_a_ready_answer_serves_chat_and_a_replayed_stream(gateway: Any, emu: OpenAIEmulator) -> None:
    response = await gateway.Chat(chat("emu/chat", _user("ready")), timeout=5)
    assert response.id == "ready-1" and response.upstream_model == "upstream-ready"
    assert (response.provider, response.deployment) == ("policy", "cache")
    assert [p.text for p in response.message.content if p.WhichOneof("part") == "text"] == [
        "a ready answer, long enough to chunk"
    ]
    assert response.usage.prompt_tokens == 7

    events = [e async for e in gateway.StreamChat(stream("emu/chat", _user("ready")), timeout=5)]
    kinds = [e.WhichOneof("event") for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert events[0].start.id == "ready-1" and events[0].start.provider == "policy"
    assert "".join(e.text_delta.text for e in events if e.HasField("text_delta")) == (
        "a ready answer, long enough to chunk"
    )
    assert (
        "".join(e.reasoning_delta.text for e in events if e.HasField("reasoning_delta")) == "thinking it over"
    )
    assert [e.reasoning_delta.signature for e in events if e.reasoning_delta.signature] == ["sig-1"]
    calls = [e.tool_call_delta for e in events if e.HasField("tool_call_delta")]
    assert (calls[0].id, calls[0].name) == ("call_r", "lookup")
    assert "".join(c.arguments_fragment for c in calls) == '{"q": "x"}'
    assert events[-1].end.finish_reason == chat_pb2.FINISH_REASON_TOOL_CALLS
    assert emu.requests == []  # no upstream call for either
    # The policies after the one that answered were not admitted; the rest settled.
    assert [e for e in entries("first", "last", "ready") if e[2] == "StreamChat"] == [
        ("first", "admit", "StreamChat"),
        ("ready", "settle", "StreamChat"),
        ("first", "settle", "StreamChat", "ok"),
    ]


async def test_the_start_event_names_the_provider_response(gateway: Any, emu: OpenAIEmulator) -> None:
    emu.script = Script(response_id="chatcmpl-xyz", upstream_model="emulated-2026-01-01")
    events = [e async for e in gateway.StreamChat(stream("emu/chat"), timeout=5)]
    start = events[0].start
    assert (start.id, start.upstream_model) == ("chatcmpl-xyz", "emulated-2026-01-01")
    assert (start.model, start.provider, start.deployment, start.attempts) == (
        "emu/chat",
        "openai",
        "primary",
        1,
    )


def _user(text: str) -> chat_pb2.Message:
    return chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.ContentPart(text=text)])


async def _disconnected(emu: OpenAIEmulator) -> bool:
    for _ in range(100):
        if emu.disconnects:
            return True
        await asyncio.sleep(0.02)
    return False
