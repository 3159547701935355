"""Joins `SynthesizeSpeech` events into the audio and what the stream said about it."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass

from llmgateway.v1 import audio_pb2


@dataclass
class SpeechResult:
    """The whole audio of a speech stream and its `start` facts."""

    audio: bytes = b""
    mime_type: str = ""
    format: audio_pb2.AudioFormat = audio_pb2.AUDIO_FORMAT_UNSPECIFIED
    sample_rate_hz: int = 0
    """Samples per second of `AUDIO_FORMAT_PCM` audio (0 when the format carries its own)."""
    model: str = ""
    provider: str = ""
    upstream_model: str = ""
    request_id: str = ""
    input_characters: int = 0
    complete: bool = False
    """True once the `end` event arrived."""


class SpeechFolder:
    """Collects speech events one at a time; `result()` is the audio so far."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._result = SpeechResult()

    def add(self, event: audio_pb2.SynthesizeSpeechResponse) -> None:
        kind = event.WhichOneof("event")
        if kind == "audio":
            self._chunks.append(event.audio.data)
        elif kind == "start":
            s, r = event.start, self._result
            r.mime_type, r.format, r.sample_rate_hz = s.mime_type, s.format, s.sample_rate_hz
            r.model, r.provider, r.upstream_model, r.request_id = (
                s.model,
                s.provider,
                s.upstream_model,
                s.request_id,
            )
        elif kind == "end":
            self._result.input_characters = event.end.input_characters
            self._result.complete = True

    def result(self) -> SpeechResult:
        self._result.audio = b"".join(self._chunks)
        return self._result


def fold_speech(events: Iterable[audio_pb2.SynthesizeSpeechResponse]) -> SpeechResult:
    folder = SpeechFolder()
    for event in events:
        folder.add(event)
    return folder.result()


async def fold_speech_async(events: AsyncIterable[audio_pb2.SynthesizeSpeechResponse]) -> SpeechResult:
    folder = SpeechFolder()
    async for event in events:
        folder.add(event)
    return folder.result()
