"""Transcribe and SynthesizeSpeech through the real server and the generated stubs: the
mock provider's WAV round trip, bounds and bad input, capabilities, and the OpenAI
adapter behind the gateway (retries and fallbacks before the first audio, none after it,
a cancelled synthesis closing the upstream request)."""

from __future__ import annotations

import struct
from typing import Any

import grpc
import pytest

from llmgateway.v1 import audio_pb2
from tests.emulators.base import Script
from tests.emulators.openai import OpenAIEmulator
from tests.emulators.openai_audio import speech_audio
from tests.helpers import Details
from tests.integration.test_resilience import FAST_RETRY, KEY_ENV, failed, model

TEXT = "Hello there. How are you today?"


def say(text: str = TEXT, model: str = "mock/speech", **kw: Any) -> audio_pb2.SynthesizeSpeechRequest:
    return audio_pb2.SynthesizeSpeechRequest(model=model, input=text, **kw)


def hear(audio: bytes, model: str = "mock/transcribe", **kw: Any) -> audio_pb2.TranscribeRequest:
    return audio_pb2.TranscribeRequest(model=model, audio=audio, **kw)


async def synthesize(gateway: Any, request: audio_pb2.SynthesizeSpeechRequest) -> list[Any]:
    return [e async for e in gateway.SynthesizeSpeech(request, timeout=10)]


def audio_of(events: list[Any]) -> bytes:
    return b"".join(e.audio.data for e in events if e.HasField("audio"))


async def speech_fails(gateway: Any, request: audio_pb2.SynthesizeSpeechRequest) -> Details:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await synthesize(gateway, request)
    return Details(info.value)


# -- the mock provider ---------------------------------------------------------------------


async def test_speech_streams_start_audio_end_and_transcribes_back(gateway: Any) -> None:
    call = gateway.SynthesizeSpeech(say(), timeout=10, metadata=(("x-request-id", "speech-1"),))
    headers = dict(await call.initial_metadata())
    events = [e async for e in call]
    kinds = [e.WhichOneof("event") for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end" and set(kinds[1:-1]) == {"audio"}
    assert len(kinds) > 3  # the WAV header, then several chunks of samples
    start = events[0].start
    assert (start.model, start.provider, start.upstream_model, start.deployment) == (
        "mock/speech",
        "mock",
        "speech",
        "primary",
    )
    assert (start.format, start.mime_type, start.sample_rate_hz) == (
        audio_pb2.AUDIO_FORMAT_WAV,
        "audio/wav",
        0,
    )
    assert start.request_id == headers["x-request-id"] == "speech-1" and start.attempts == 1
    wav = audio_of(events)
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    assert struct.unpack_from("<I", wav, 4)[0] == len(wav) - 8
    end = events[-1].end
    assert (end.input_characters, end.audio_bytes) == (len(TEXT), len(wav))

    heard = await gateway.Transcribe(hear(wav, language="en"), timeout=10)
    assert (heard.model, heard.provider, heard.text, heard.language) == (
        "mock/transcribe",
        "mock",
        TEXT,
        "en",
    )
    assert heard.duration_seconds == pytest.approx(len(TEXT) * 0.02)
    assert [s.text for s in heard.segments] == ["Hello there.", "How are you today?"]
    assert heard.segments[0].start_seconds == 0 and heard.segments[-1].end_seconds == pytest.approx(
        heard.duration_seconds
    )
    assert heard.usage.audio_seconds == pytest.approx(heard.duration_seconds) and heard.request_id


async def test_pcm_speech_has_no_header_and_names_its_rate(gateway: Any) -> None:
    events = await synthesize(gateway, say("Hi.", format=audio_pb2.AUDIO_FORMAT_PCM, speed=0.5))
    start = events[0].start
    assert (start.format, start.mime_type, start.sample_rate_hz) == (
        audio_pb2.AUDIO_FORMAT_PCM,
        "audio/pcm",
        16_000,
    )
    assert len(audio_of(events)) == 3 * 0.02 / 0.5 * 16_000 * 2  # 16-bit samples, slowed down


async def test_a_recording_the_mock_cannot_read_is_described(gateway: Any) -> None:
    heard = await gateway.Transcribe(hear(b"ID3" + bytes(100)), timeout=5)
    assert heard.text == "A recording of 103 bytes (audio/mpeg)."
    assert (heard.duration_seconds, len(heard.segments)) == (0, 1)


async def test_a_format_the_mock_does_not_make_is_a_field_violation(gateway: Any) -> None:
    details = await speech_fails(gateway, say(format=audio_pb2.AUDIO_FORMAT_MP3))
    assert (details.code, details.fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["format"])


async def test_a_model_without_the_capability_is_refused(gateway: Any) -> None:
    details = await failed(gateway.Transcribe(hear(b"RIFF0000WAVE", model="mock/speech"), timeout=5))
    assert (details.code, details.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "CAPABILITY_NOT_SUPPORTED")
    details = await speech_fails(gateway, say(model="mock/echo"))
    assert (details.code, details.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "CAPABILITY_NOT_SUPPORTED")
    details = await speech_fails(gateway, say(model="nobody/none"))
    assert (details.code, details.reason) == (grpc.StatusCode.NOT_FOUND, "MODEL_NOT_FOUND")


# -- bounds and bad input --------------------------------------------------------------------

WAV = b"RIFF\x04\x00\x00\x00WAVE"


@pytest.mark.parametrize(
    ("request_", "fields"),
    [
        (hear(b""), ["audio"]),
        (hear(b"plain bytes"), ["mime_type"]),
        (hear(b"plain bytes", mime_type="text/plain"), ["mime_type"]),
        (hear(WAV, mime_type="audio/" + "x" * 200), ["mime_type"]),
        (hear(WAV, language="english please"), ["language"]),
        (hear(WAV, prompt="p" * 4097), ["prompt"]),
        (hear(WAV, temperature=1.5), ["temperature"]),
        (hear(WAV, model=""), ["model"]),
        (hear(WAV, model="m" * 201), ["model"]),
    ],
)
async def test_bad_transcription_requests_name_the_field(
    gateway: Any, request_: audio_pb2.TranscribeRequest, fields: list[str]
) -> None:
    details = await failed(gateway.Transcribe(request_, timeout=5))
    assert (details.code, details.reason, details.fields) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_REQUEST",
        fields,
    )


@pytest.mark.parametrize(
    ("request_", "fields"),
    [
        (say(""), ["input"]),
        (say("   "), ["input"]),
        (say("x" * 4097), ["input"]),
        (say(voice="not a voice"), ["voice"]),
        (say(voice="v" * 65), ["voice"]),
        (say(format=99), ["format"]),  # type: ignore[arg-type]
        (say(speed=0.1), ["speed"]),
        (say(speed=float("nan")), ["speed"]),
        (say(instructions="i" * 4097), ["instructions"]),
        (say(model=""), ["model"]),
    ],
)
async def test_bad_speech_requests_name_the_field(
    gateway: Any, request_: audio_pb2.SynthesizeSpeechRequest, fields: list[str]
) -> None:
    details = await speech_fails(gateway, request_)
    assert (details.code, details.reason, details.fields) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_REQUEST",
        fields,
    )


async def test_audio_beyond_the_request_size_is_refused_before_it_is_parsed(gateway_factory: Any) -> None:
    gateway = await gateway_factory(include_default_models=True, server={"max_request_bytes": 64 * 1024})
    details = await failed(gateway.Transcribe(hear(WAV + bytes(64 * 1024)), timeout=5))
    assert (details.code, details.fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["request"])
    heard = await gateway.Transcribe(hear(WAV + bytes(60 * 1024)), timeout=5)
    assert heard.text.startswith("A recording of")


# -- the OpenAI adapter behind the gateway -----------------------------------------------------


@pytest.fixture
async def openai_emu() -> Any:
    async with OpenAIEmulator() as emu:
        yield emu


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-speech-test-key")


def audio_model(mid: str, url: str, upstream: str, capability: str, **kw: Any) -> dict[str, Any]:
    return model(mid, url, upstream_model=upstream, capabilities=[capability], **kw)


async def openai_gateway(gateway_factory: Any, url: str, **kw: Any) -> Any:
    return await gateway_factory(
        include_default_models=True,
        models=[
            audio_model("up/whisper", url, "whisper-1", "transcribe", **kw),
            audio_model("up/tts", url, "tts-1", "speech", **kw),
        ],
    )


async def test_openai_transcription_and_speech_through_the_gateway(
    gateway_factory: Any, openai_emu: Any
) -> None:
    gateway = await openai_gateway(gateway_factory, openai_emu.base_url)
    heard = await gateway.Transcribe(hear(WAV, model="up/whisper", prompt="Zoë"), timeout=5)
    assert (heard.model, heard.provider, heard.upstream_model) == ("up/whisper", "openai", "whisper-1")
    assert (heard.text, heard.language, heard.duration_seconds) == (
        "Hello there. How are you?",
        "english",
        3.0,
    )
    assert [(s.start_seconds, s.end_seconds) for s in heard.segments] == [(0.0, 1.4), (1.4, 3.0)]
    assert heard.usage.audio_seconds == 3 and heard.usage.input_tokens == 0
    upload = openai_emu.requests[-1].body
    assert upload["files"]["file"] == {"filename": "audio.wav", "content_type": "audio/wav", "data": WAV}
    assert upload["fields"]["prompt"] == ["Zoë"]

    events = await synthesize(gateway, say(model="up/tts", voice="nova", format=audio_pb2.AUDIO_FORMAT_OPUS))
    start = events[0].start
    assert (start.model, start.format, start.mime_type) == (
        "up/tts",
        audio_pb2.AUDIO_FORMAT_OPUS,
        "audio/ogg",
    )
    assert audio_of(events) == speech_audio("opus", 4096)
    assert events[-1].end.audio_bytes == 4096
    assert openai_emu.requests[-1].body["voice"] == "nova"


async def test_a_failed_upload_is_retried(gateway_factory: Any, openai_emu: Any) -> None:
    gateway = await openai_gateway(gateway_factory, openai_emu.base_url)
    openai_emu.scripts = [Script(error_status=500, error_kind="server")]
    heard = await gateway.Transcribe(hear(WAV, model="up/whisper"), timeout=5)
    assert heard.attempts == 2 and heard.text
    first, second = openai_emu.requests[-2:]
    assert first.body["files"] == second.body["files"]  # the whole form, sent again


async def test_speech_falls_back_before_its_first_audio(gateway_factory: Any, openai_emu: Any) -> None:
    gateway = await openai_gateway(gateway_factory, openai_emu.base_url, fallbacks=["mock/speech"])
    openai_emu.script = Script(error_status=503, error_kind="overloaded")
    events = await synthesize(gateway, say(model="up/tts", format=audio_pb2.AUDIO_FORMAT_WAV))
    start = events[0].start
    # three attempts at the upstream (two retries), then the fallback
    assert (start.model, start.provider, start.attempts) == ("mock/speech", "mock", 4)
    assert len(openai_emu.requests) == 3 and audio_of(events)[:4] == b"RIFF"


async def test_speech_failing_after_its_first_audio_ends_the_stream(
    gateway_factory: Any, openai_emu: Any
) -> None:
    gateway = await openai_gateway(gateway_factory, openai_emu.base_url, fallbacks=["mock/speech"])
    openai_emu.script = Script(truncate=True)
    received = []
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for event in gateway.SynthesizeSpeech(say(model="up/tts"), timeout=5):
            received.append(event.WhichOneof("event"))
    assert received[0] == "start" and "audio" in received and "end" not in received
    details = Details(info.value)
    assert (details.code, details.reason) == (grpc.StatusCode.UNAVAILABLE, "PROVIDER_UNAVAILABLE")
    assert len(openai_emu.requests) == 1  # neither retried nor sent to the fallback


async def test_a_cancelled_synthesis_closes_the_upstream_request(
    gateway_factory: Any, openai_emu: Any
) -> None:
    gateway = await openai_gateway(gateway_factory, openai_emu.base_url, retry=FAST_RETRY)
    openai_emu.script = Script(stall_after_first_event=30)
    call = gateway.SynthesizeSpeech(say(model="up/tts"), timeout=30)
    async for event in call:
        if event.HasField("audio"):
            call.cancel()
            break
    assert await openai_emu.wait_for_disconnect()
    assert openai_emu.completed_streams == 0
