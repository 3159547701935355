"""Audio formats and the bounds of Transcribe and SynthesizeSpeech requests (the parts
the integration tests cannot reach cheaply: the 25 MiB audio bound, every sniffed type)."""

from __future__ import annotations

import pytest

from llmgateway.api import bounds
from llmgateway.core.audio import recording_type, sniff_recording_type
from llmgateway.core.errors import GatewayError
from llmgateway.core.types import SpeechRequest, TranscribeRequest
from llmgateway.core.validation import validate_speech, validate_transcribe
from llmgateway.v1 import audio_pb2


@pytest.mark.parametrize(
    ("head", "mime_type"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"fLaC\x00\x00\x00\x22", "audio/flac"),
        (b"OggS\x00\x02\x00\x00", "audio/ogg"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "audio/webm"),
        (b"\x00\x00\x00\x20ftypM4A ", "audio/mp4"),
        (b"ID3\x04\x00\x00\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64\x00", "audio/mpeg"),  # MPEG-1 layer III frame
        (b"\xff\xf3\x90\x64\x00", "audio/mpeg"),  # MPEG-2 layer III frame
        (b"\xff\xf1\x50\x80\x00", ""),  # AAC (ADTS): not a transcription format
        (b"RIFF\x00\x00\x00\x00AVI ", ""),
        (b"\x89PNG\r\n\x1a\n", ""),
        (b"", ""),
    ],
)
def test_recordings_are_recognised_by_their_first_bytes(head: bytes, mime_type: str) -> None:
    assert sniff_recording_type(head) == mime_type


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("audio/wav", "audio/wav"),
        ("Audio/X-WAV", "audio/wav"),
        ("audio/ogg; codecs=opus", "audio/ogg"),
        ("audio/mp3", "audio/mpeg"),
        ("audio/x-m4a", "audio/mp4"),
        ("video/webm", "audio/webm"),
        ("audio/aac", ""),
        ("text/plain", ""),
    ],
)
def test_mime_types_are_made_canonical(given: str, canonical: str) -> None:
    assert recording_type(given) == canonical


def test_audio_is_bounded_at_25_mib() -> None:
    limit = bounds.AUDIO_BYTES
    assert limit == 25 * 1024 * 1024
    bounds.check_transcribe(audio_pb2.TranscribeRequest(model="m/t", audio=bytes(limit)))
    with pytest.raises(GatewayError) as info:
        bounds.check_transcribe(audio_pb2.TranscribeRequest(model="m/t", audio=bytes(limit + 1)))
    assert [f for f, _ in info.value.field_violations] == ["audio"]
    recognised = TranscribeRequest("m/t", b"ID3" + bytes(64))
    validate_transcribe(recognised)
    assert recognised.mime_type == "audio/mpeg"  # recognised and set for the adapter


def test_a_given_mime_type_is_made_canonical_for_the_adapter() -> None:
    request = TranscribeRequest("m/t", b"anything", "audio/x-wav")
    validate_transcribe(request)
    assert request.mime_type == "audio/wav"


@pytest.mark.parametrize("language", ["en", "pt-BR", "zh-Hant-TW", "yue"])
def test_language_codes(language: str) -> None:
    validate_transcribe(TranscribeRequest("m/t", b"ID3", language=language))


def test_every_bad_speech_field_is_named_at_once() -> None:
    wire = audio_pb2.SynthesizeSpeechRequest(
        model="m/s", input="x" * 4097, voice="v" * 65, format=99, instructions="i" * 4097
    )
    with pytest.raises(GatewayError) as info:
        bounds.check_speech(wire)
    assert [f for f, _ in info.value.field_violations] == ["input", "instructions", "voice", "format"]
    with pytest.raises(GatewayError) as info:
        validate_speech(SpeechRequest("", " ", voice="a b", speed=5.0))
    assert [f for f, _ in info.value.field_violations] == ["model", "input", "voice", "speed"]


def test_speech_at_its_bounds_is_valid() -> None:
    bounds.check_speech(
        audio_pb2.SynthesizeSpeechRequest(
            model="m/s", input="x" * 4096, voice="v" * 64, instructions="i" * 4096
        )
    )
    validate_speech(SpeechRequest("m/s", "x" * 4096, "v" * 64, "pcm", 0.25, "i" * 4096))
    validate_speech(SpeechRequest("m/s", "x", speed=4.0))
