"""OpenAI audio wire formats: the `/audio/transcriptions` form and its JSON answer,
and the `/audio/speech` request (its answer is the audio itself)."""

from __future__ import annotations

import math
from typing import Any

import orjson

from llmgateway.core.audio import RECORDING_TYPES
from llmgateway.core.errors import bad_response
from llmgateway.core.types import SpeechRequest, TranscribeRequest, TranscribeResult, TranscriptSegment, Usage
from llmgateway.providers.http import Form, FormFile

DEFAULT_VOICE = "alloy"
DEFAULT_SPEECH_FORMAT = "mp3"
PCM_SAMPLE_RATE_HZ = 24_000  # OpenAI's `pcm`: 24 kHz 16-bit little-endian mono
VERBOSE = "verbose_json"


def transcription_format(upstream_model: str, option: str) -> str:
    """`verbose_json` (segments, language, duration) where the model gives it: Whisper
    models; the gpt-4o transcription models answer `json` only. The model option
    `transcription_format` decides for other servers."""
    if option:
        return option
    return VERBOSE if "whisper" in upstream_model.lower() else "json"


def transcription_form(upstream_model: str, request: TranscribeRequest, response_format: str) -> Form:
    fields = [("model", upstream_model), ("response_format", response_format)]
    if request.language:
        fields.append(("language", request.language))
    if request.prompt:
        fields.append(("prompt", request.prompt))
    if request.temperature is not None:
        fields.append(("temperature", f"{request.temperature:g}"))
    # OpenAI tells the format of an upload by its file name.
    name = f"audio.{RECORDING_TYPES[request.mime_type]}"
    return Form(tuple(fields), (FormFile("file", name, request.mime_type, request.audio),))


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0.0
    return max(float(value), 0.0)


def parse_transcription(provider: str, obj: Any) -> TranscribeResult:
    """A `json` or `verbose_json` transcription."""
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise bad_response(provider, "the transcription has no text")
    try:
        segments = [_segment(s) for s in obj.get("segments") or ()]
    except (KeyError, TypeError):
        raise bad_response(provider, "the transcription's segments have an unexpected shape") from None
    language = obj.get("language")
    result = TranscribeResult(
        obj["text"],
        language if isinstance(language, str) else "",
        _seconds(obj.get("duration")),
        segments,
    )
    usage = obj.get("usage")
    if isinstance(usage, dict):
        if usage.get("type") == "tokens":
            result.usage = Usage(_tokens(usage.get("input_tokens")), _tokens(usage.get("output_tokens")))
        elif usage.get("type") == "duration":
            result.audio_s = _seconds(usage.get("seconds"))
    return result


def _segment(s: Any) -> TranscriptSegment:
    text = s["text"]
    if not isinstance(text, str):
        raise TypeError("text")
    return TranscriptSegment(_seconds(s["start"]), _seconds(s["end"]), text.strip())


def _tokens(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def speech_body(upstream_model: str, request: SpeechRequest, fmt: str) -> bytes:
    body: dict[str, Any] = {
        "model": upstream_model,
        "input": request.input,
        "voice": request.voice or DEFAULT_VOICE,
        "response_format": fmt,
    }
    if request.speed is not None:
        body["speed"] = request.speed
    if request.instructions:
        body["instructions"] = request.instructions
    return orjson.dumps(body)
