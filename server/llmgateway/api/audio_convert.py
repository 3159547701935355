"""Protobuf <-> domain conversion of Transcribe and SynthesizeSpeech."""

from __future__ import annotations

from llmgateway.api import bounds
from llmgateway.api.convert import NOBODY
from llmgateway.api.money import cost_message
from llmgateway.core import types as t
from llmgateway.core.audio import SPEECH_FORMATS
from llmgateway.core.calls import Call
from llmgateway.v1 import audio_pb2

_FORMATS = {
    audio_pb2.AUDIO_FORMAT_MP3: "mp3",
    audio_pb2.AUDIO_FORMAT_OPUS: "opus",
    audio_pb2.AUDIO_FORMAT_AAC: "aac",
    audio_pb2.AUDIO_FORMAT_FLAC: "flac",
    audio_pb2.AUDIO_FORMAT_WAV: "wav",
    audio_pb2.AUDIO_FORMAT_PCM: "pcm",
}
_FORMATS_OUT = {v: k for k, v in _FORMATS.items()}


def transcribe_request(pb: audio_pb2.TranscribeRequest) -> t.TranscribeRequest:
    bounds.check_transcribe(pb)
    return t.TranscribeRequest(
        model=pb.model,
        audio=pb.audio,
        mime_type=pb.mime_type,
        language=pb.language,
        prompt=pb.prompt,
        temperature=pb.temperature if pb.HasField("temperature") else None,
    )


def transcribe_response(result: t.TranscribeResult, call: Call) -> audio_pb2.TranscribeResponse:
    served = call.served or NOBODY
    usage = result.usage
    billed = usage is not None or result.audio_s > 0
    return audio_pb2.TranscribeResponse(
        model=served.model or call.model,
        provider=served.provider,
        text=result.text,
        language=result.language,
        duration_seconds=result.duration_s,
        segments=[
            audio_pb2.TranscriptSegment(start_seconds=s.start_s, end_seconds=s.end_s, text=s.text)
            for s in result.segments
        ],
        usage={
            "input_tokens": usage.prompt_tokens if usage is not None else 0,
            "output_tokens": usage.completion_tokens if usage is not None else 0,
            "audio_seconds": result.audio_s,
        }
        if billed
        else None,
        request_id=call.request_id,
        upstream_model=served.upstream_model,
        attempts=served.attempts,
        deployment=served.deployment,
        cost=cost_message(call),
    )


def speech_request(pb: audio_pb2.SynthesizeSpeechRequest) -> t.SpeechRequest:
    bounds.check_speech(pb)
    fmt = _FORMATS.get(pb.format) if pb.format else None
    return t.SpeechRequest(
        model=pb.model,
        input=pb.input,
        voice=pb.voice,
        format=fmt,
        speed=pb.speed if pb.HasField("speed") else None,
        instructions=pb.instructions,
    )


def speech_event(e: t.SpeechEvent, call: Call) -> audio_pb2.SynthesizeSpeechResponse:
    """One speech stream event as sent; the start event names what served the call."""
    if isinstance(e, t.AudioChunk):
        return audio_pb2.SynthesizeSpeechResponse(audio={"data": e.data})
    if isinstance(e, t.SpeechStart):
        served = e.served or NOBODY
        return audio_pb2.SynthesizeSpeechResponse(
            start={
                "model": served.model or call.model,
                "provider": served.provider,
                "upstream_model": served.upstream_model,
                "request_id": call.request_id,
                "attempts": served.attempts,
                "deployment": served.deployment,
                "format": _FORMATS_OUT.get(e.format, audio_pb2.AUDIO_FORMAT_UNSPECIFIED),
                "mime_type": SPEECH_FORMATS.get(e.format, "application/octet-stream"),
                "sample_rate_hz": e.sample_rate_hz,
            }
        )
    return audio_pb2.SynthesizeSpeechResponse(
        end={"input_characters": e.input_characters, "audio_bytes": e.audio_bytes, "cost": cost_message(call)}
    )
