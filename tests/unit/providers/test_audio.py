"""The mock provider's audio helpers and the OpenAI transcription parser, on hostile input."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from llmgateway.core.errors import GatewayError, Reason
from llmgateway.providers import mock_audio
from llmgateway.providers.openai.audio import parse_transcription, transcription_format


def test_the_mock_wav_carries_its_text_and_duration() -> None:
    size = mock_audio.speech_bytes(len("Zoë said hi."), 1.0)
    wav = mock_audio.wav_header("Zoë said hi.", size) + b"".join(mock_audio.tone(size))
    assert len(wav) == struct.unpack_from("<I", wav, 4)[0] + 8
    assert mock_audio.read_wav(wav) == ("Zoë said hi.", pytest.approx(12 * 0.02))
    assert all(len(c) <= mock_audio.CHUNK_BYTES for c in mock_audio.tone(size))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"RIFF",
        b"RIFF\x00\x00\x00\x00WAVE",
        b"RIFF\x00\x00\x00\x00WAVEfmt \xff\xff\xff\xff",  # a chunk larger than the file
        b"RIFF\x00\x00\x00\x00WAVE" + b"JUNK\x00\x00\x00\x00" * 10_000,  # more chunks than read
        b"RIFF\x00\x00\x00\x00WAVEdata\x04\x00\x00\x00abcd",  # data before its format
        b"RIFF\x00\x00\x00\x00WAVELIST\x0c\x00\x00\x00INFOICMT\xff\xfe\x00\x00",  # a comment not UTF-8
    ],
)
def test_reading_a_broken_wav_never_fails(data: bytes) -> None:
    comment, duration = mock_audio.read_wav(data)
    assert duration == 0.0 and (comment is None or isinstance(comment, str))


def test_segments_follow_the_sentences() -> None:
    segments = mock_audio.segments("One. Two three! Four", 2.0)
    assert [(s.text, round(s.start_s, 3), round(s.end_s, 3)) for s in segments] == [
        ("One.", 0.0, 0.5),
        ("Two three!", 0.5, 1.6),  # a segment ends where the next begins
        ("Four", 1.6, 2.0),
    ]
    assert mock_audio.segments("", 1.0) == []


@pytest.mark.parametrize(
    ("upstream", "option", "expected"),
    [
        ("whisper-1", "", "verbose_json"),
        ("Systran/faster-whisper-large-v3", "", "verbose_json"),
        ("gpt-4o-transcribe", "", "json"),
        ("gpt-4o-transcribe", "verbose_json", "verbose_json"),
    ],
)
def test_the_transcription_format_follows_the_model(upstream: str, option: str, expected: str) -> None:
    assert transcription_format(upstream, option) == expected


@pytest.mark.parametrize(
    "obj",
    [
        None,
        [],
        {"text": 3},
        {"segments": []},
        {"text": "x", "segments": [{"start": 0}]},
        {"text": "x", "segments": [{"start": 0, "end": 1, "text": 5}]},
        {"text": "x", "segments": "abc"},
    ],
)
def test_a_transcription_of_the_wrong_shape_is_a_bad_response(obj: Any) -> None:
    with pytest.raises(GatewayError) as info:
        parse_transcription("openai", obj)
    assert info.value.reason == Reason.PROVIDER_BAD_RESPONSE


def test_odd_numbers_in_a_transcription_are_read_as_nothing() -> None:
    result = parse_transcription(
        "openai",
        {
            "text": "hi",
            "duration": float("nan"),
            "language": 7,
            "segments": [{"start": -1, "end": True, "text": " hi "}],
            "usage": {"type": "tokens", "input_tokens": -5, "output_tokens": "9"},
        },
    )
    assert (result.duration_s, result.language) == (0.0, "")
    assert [(s.start_s, s.end_s, s.text) for s in result.segments] == [(0.0, 0.0, "hi")]
    assert result.usage is not None and (result.usage.prompt_tokens, result.usage.completion_tokens) == (0, 0)
