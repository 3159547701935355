"""The OpenAI adapter's audio endpoints over real HTTP against the loopback emulator
(tests/emulators/openai_audio.py): the multipart transcription upload on both transports,
the streamed speech, errors through the one classifier, stalls, truncation and a cancelled
synthesis that closes the upstream request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from llmgateway.core.deadline import Budget, Timeouts
from llmgateway.core.errors import Code, GatewayError, Reason
from llmgateway.core.models import Capability, Model
from llmgateway.core.ports import Endpoint
from llmgateway.core.types import AudioChunk, SpeechEvent, SpeechRequest, SpeechStart, TranscribeRequest
from llmgateway.providers.http import AiohttpClient
from llmgateway.providers.httpx_client import HttpxClient
from llmgateway.providers.openai import AzureOpenAIAdapter, OpenAIAdapter
from tests.emulators.base import Script
from tests.emulators.openai import AzureOpenAIEmulator, OpenAIEmulator
from tests.emulators.openai_audio import speech_audio

KEY = "sk-test-0123456789abcdef"
BUDGET = Budget.for_call(Timeouts(connect=2, first_token=5, idle=5, total=10), None)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) + b"\r\n--x\r\n"


def model(upstream: str, **options: str) -> Model:
    return Model(
        id="t/audio",
        provider="openai",
        upstream_model=upstream,
        adapter_class="llmgateway.providers.openai.OpenAIAdapter",
        capabilities=frozenset({Capability.TRANSCRIBE, Capability.SPEECH}),
        options=options,
    )


def heard(**kw: Any) -> TranscribeRequest:
    return TranscribeRequest("t/audio", kw.pop("audio", WAV), kw.pop("mime_type", "audio/wav"), **kw)


def said(text: str = "Hello there.", **kw: Any) -> SpeechRequest:
    return SpeechRequest("t/audio", text, **kw)


async def events(agen: AsyncIterator[SpeechEvent]) -> list[SpeechEvent]:
    return [e async for e in agen]


@pytest.fixture
async def emu() -> AsyncIterator[OpenAIEmulator]:
    async with OpenAIEmulator() as e:
        yield e  # type: ignore[misc]


@pytest.fixture(params=[AiohttpClient, HttpxClient], ids=["aiohttp", "httpx"])
async def oa(emu: OpenAIEmulator, request: pytest.FixtureRequest) -> AsyncIterator[OpenAIAdapter]:
    adapter = OpenAIAdapter(Endpoint(emu.base_url, KEY))
    await adapter.http.aclose()
    adapter.http = request.param("openai")
    yield adapter
    await adapter.aclose()


def sent(emu: OpenAIEmulator) -> Any:
    return emu.requests[-1]


# -- transcription ---------------------------------------------------------------------------


async def test_whisper_uploads_a_form_and_reads_verbose_segments(
    emu: OpenAIEmulator, oa: OpenAIAdapter
) -> None:
    result = await oa.transcribe(
        model("whisper-1"), heard(language="en", prompt="Names: Zoë.", temperature=0.2), BUDGET
    )
    request = sent(emu)
    assert request.path == "/v1/audio/transcriptions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body["content_type"].startswith("multipart/form-data; boundary=")
    assert request.body["fields"] == {
        "model": ["whisper-1"],
        "response_format": ["verbose_json"],
        "language": ["en"],
        "prompt": ["Names: Zoë."],
        "temperature": ["0.2"],
    }
    assert request.body["files"] == {
        "file": {"filename": "audio.wav", "content_type": "audio/wav", "data": WAV}
    }
    assert result.text == "Hello there. How are you?"
    assert (result.language, result.duration_s, result.audio_s, result.usage) == ("english", 3.0, 3.0, None)
    assert [(s.start_s, s.end_s, s.text) for s in result.segments] == [
        (0.0, 1.4, "Hello there."),
        (1.4, 3.0, "How are you?"),
    ]


async def test_gpt_4o_transcription_asks_for_json_and_reports_tokens(
    emu: OpenAIEmulator, oa: OpenAIAdapter
) -> None:
    result = await oa.transcribe(model("gpt-4o-transcribe"), heard(mime_type="audio/mpeg"), BUDGET)
    fields = sent(emu).body["fields"]
    assert fields == {"model": ["gpt-4o-transcribe"], "response_format": ["json"]}
    assert sent(emu).body["files"]["file"]["filename"] == "audio.mp3"
    assert result.text == "Hello there. How are you?" and result.segments == []
    assert result.usage is not None
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.audio_s) == (14, 9, 0.0)


async def test_a_refused_option_is_the_providers_400(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    """The model option forces verbose_json; OpenAI refuses it for the gpt-4o models."""
    with pytest.raises(GatewayError) as info:
        await oa.transcribe(model("gpt-4o-transcribe", transcription_format="verbose_json"), heard(), BUDGET)
    err = info.value
    assert (err.code, err.reason) == (Code.INVALID_ARGUMENT, Reason.PROVIDER_REJECTED)
    assert err.metadata["provider_error_type"] == "unsupported_value"


@pytest.mark.parametrize(
    ("status", "kind", "reason", "retryable"),
    [
        (401, "auth", Reason.PROVIDER_AUTH_FAILED, False),
        (429, "rate_limit", Reason.PROVIDER_RATE_LIMITED, True),
        (429, "quota", Reason.PROVIDER_RATE_LIMITED, False),
        (500, "server", Reason.PROVIDER_UNAVAILABLE, True),
        (404, "not_found", Reason.PROVIDER_MODEL_NOT_FOUND, False),
    ],
)
async def test_transcription_errors_go_through_the_classifier(
    emu: OpenAIEmulator, oa: OpenAIAdapter, status: int, kind: str, reason: Reason, retryable: bool
) -> None:
    emu.script = Script(error_status=status, error_kind=kind)
    with pytest.raises(GatewayError) as info:
        await oa.transcribe(model("whisper-1"), heard(), BUDGET)
    assert (info.value.reason, info.value.retryable) == (reason, retryable)
    assert KEY[-4:] not in info.value.message  # OpenAI's 401 quotes the key's ends


async def test_a_transcription_that_is_not_json_is_a_bad_response(
    emu: OpenAIEmulator, oa: OpenAIAdapter
) -> None:
    emu.script = Script(garbage_body=True)
    with pytest.raises(GatewayError) as info:
        await oa.transcribe(model("whisper-1"), heard(), BUDGET)
    assert info.value.reason == Reason.PROVIDER_BAD_RESPONSE


async def test_a_stalled_transcription_times_out_at_the_total_budget(
    emu: OpenAIEmulator, oa: OpenAIAdapter
) -> None:
    emu.script = Script(stall_before_headers=5)
    tight = Budget.for_call(Timeouts(connect=2, first_token=0.2, idle=0.2, total=0.5), None)
    with pytest.raises(GatewayError) as info:
        await oa.transcribe(model("whisper-1"), heard(), tight)
    assert (info.value.reason, info.value.metadata["timeout"]) == (Reason.PROVIDER_TIMEOUT, "total")
    assert await emu.wait_for_disconnect()


# -- speech ----------------------------------------------------------------------------------


async def test_speech_posts_json_and_streams_the_audio(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    got = await events(
        oa.synthesize_speech(model("gpt-4o-mini-tts"), said(speed=1.5, instructions="Calm."), BUDGET)
    )
    request = sent(emu)
    assert request.path == "/v1/audio/speech"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "model": "gpt-4o-mini-tts",
        "input": "Hello there.",
        "voice": "alloy",
        "response_format": "mp3",
        "speed": 1.5,
        "instructions": "Calm.",
    }
    assert got[0] == SpeechStart("mp3", 0)
    chunks = got[1:]
    assert all(isinstance(c, AudioChunk) for c in chunks) and len(chunks) >= 1
    assert b"".join(c.data for c in chunks if isinstance(c, AudioChunk)) == speech_audio("mp3", 4096)


async def test_pcm_speech_names_its_sample_rate(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    got = await events(oa.synthesize_speech(model("tts-1"), said(voice="coral", format="pcm"), BUDGET))
    assert sent(emu).body == {
        "model": "tts-1",
        "input": "Hello there.",
        "voice": "coral",
        "response_format": "pcm",
    }
    assert got[0] == SpeechStart("pcm", 24_000)


async def test_a_refused_voice_is_the_providers_400(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    with pytest.raises(GatewayError) as info:
        await events(oa.synthesize_speech(model("tts-1"), said(voice="robot"), BUDGET))
    err = info.value
    assert (err.code, err.reason, err.metadata["provider_error_type"]) == (
        Code.INVALID_ARGUMENT,
        Reason.PROVIDER_REJECTED,
        "invalid_value",
    )


@pytest.mark.parametrize(
    ("status", "kind", "reason"),
    [(401, "auth", Reason.PROVIDER_AUTH_FAILED), (429, "rate_limit", Reason.PROVIDER_RATE_LIMITED)],
)
async def test_speech_errors_go_through_the_classifier(
    emu: OpenAIEmulator, oa: OpenAIAdapter, status: int, kind: str, reason: Reason
) -> None:
    emu.script = Script(error_status=status, error_kind=kind)
    with pytest.raises(GatewayError) as info:
        await events(oa.synthesize_speech(model("tts-1"), said(), BUDGET))
    assert info.value.reason == reason
    assert KEY[-4:] not in info.value.message


@pytest.mark.parametrize(
    ("script", "phase"),
    [
        (Script(stall_before_headers=5), "response headers"),
        (Script(stall_before_first_event=5), "first token"),
        (Script(stall_after_first_event=5), "idle"),
    ],
)
async def test_a_stalled_synthesis_names_the_phase(
    emu: OpenAIEmulator, oa: OpenAIAdapter, script: Script, phase: str
) -> None:
    emu.script = script
    # 1 s: a loaded machine can take more than 0.3 s to send the headers of a prompt answer
    tight = Budget.for_call(Timeouts(connect=2, first_token=1.0, idle=1.0, total=4), None)
    received: list[SpeechEvent] = []
    with pytest.raises(GatewayError) as info:
        async for event in oa.synthesize_speech(model("tts-1"), said(), tight):
            received.append(event)
    assert (info.value.reason, info.value.metadata["timeout"]) == (Reason.PROVIDER_TIMEOUT, phase)
    assert len([e for e in received if isinstance(e, AudioChunk)]) == (1 if phase == "idle" else 0)
    assert await emu.wait_for_disconnect()


async def test_a_truncated_synthesis_fails_after_its_chunks(emu: OpenAIEmulator, oa: OpenAIAdapter) -> None:
    emu.script = Script(truncate=True)
    received: list[SpeechEvent] = []
    with pytest.raises(GatewayError) as info:
        async for event in oa.synthesize_speech(model("tts-1"), said(), BUDGET):
            received.append(event)
    assert (info.value.code, info.value.reason) == (Code.UNAVAILABLE, Reason.PROVIDER_UNAVAILABLE)
    assert isinstance(received[0], SpeechStart) and any(isinstance(e, AudioChunk) for e in received)


async def test_a_cancelled_synthesis_closes_the_upstream_request(
    emu: OpenAIEmulator, oa: OpenAIAdapter
) -> None:
    emu.script = Script(stall_after_first_event=30)
    stream = oa.synthesize_speech(model("tts-1"), said(), BUDGET)
    assert isinstance(await anext(stream), SpeechStart)
    assert isinstance(await anext(stream), AudioChunk)
    await stream.aclose()
    assert await emu.wait_for_disconnect()
    assert emu.completed_streams == 0


# -- Azure -----------------------------------------------------------------------------------


async def test_azure_audio_uses_deployment_urls_and_its_key_header() -> None:
    async with AzureOpenAIEmulator() as emu:
        adapter = AzureOpenAIAdapter(Endpoint(emu.base_url, KEY, (("api_version", "2025-03-01-preview"),)))
        try:
            result = await adapter.transcribe(model("my-whisper"), heard(), BUDGET)
            got = await events(adapter.synthesize_speech(model("my-tts"), said(), BUDGET))
        finally:
            await adapter.aclose()
    upload, speech = emu.requests
    assert upload.path == "/openai/deployments/my-whisper/audio/transcriptions"
    assert speech.path == "/openai/deployments/my-tts/audio/speech"
    for request in (upload, speech):
        assert request.query == {"api-version": "2025-03-01-preview"}
        assert request.headers["api-key"] == KEY and "authorization" not in request.headers
    assert upload.body["fields"]["response_format"] == ["verbose_json"]
    assert result.segments and isinstance(got[-1], AudioChunk)
