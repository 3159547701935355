"""OpenAI's audio endpoints, mixed into the OpenAI and Azure emulators.

- `POST /audio/transcriptions`: multipart/form-data (`file` with a file name whose extension
  names the format, `model`, `response_format`, `language`, `prompt`, `temperature`); answers
  `json` or `verbose_json` as OpenAI does (Whisper bills by duration, the gpt-4o models by
  tokens and refuse `verbose_json`). The parsed form is recorded as the request body:
  `{"content_type": ..., "fields": {name: [values]}, "files": {name: {filename, content_type,
  data}}}`.
- `POST /audio/speech`: JSON (`model`, `input`, `voice`, `response_format`, `speed`,
  `instructions`); answers the audio itself with chunked transfer encoding, `speech_chunks`
  writes, stalled, truncated or failing as the script says.

Wire shapes: /work/shared/reference/wire-protocols.md section 13.
"""

from __future__ import annotations

import struct
from typing import Any

from aiohttp import web

TRANSCRIPTION_EXTENSIONS = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
VOICES = frozenset(
    {"alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse"}
)
AUDIO_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
_MAGIC = {"mp3": b"ID3\x04\x00\x00", "opus": b"OggS\x00\x02", "aac": b"\xff\xf1\x50\x80", "flac": b"fLaC"}


def speech_audio(fmt: str, size: int) -> bytes:
    """Deterministic audio bytes of `size` in the format's shape (a real WAV header for wav)."""
    if fmt == "wav":
        header = (
            b"RIFF"
            + struct.pack("<I", size - 8)
            + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, 24000, 48000, 2, 16)
        )
        header += b"data" + struct.pack("<I", size - len(header) - 8)
    else:
        header = _MAGIC.get(fmt, b"")
    return header + bytes((i * 7) % 256 for i in range(size - len(header)))


def _error(message: str, param: str | None = None, code: str | None = None) -> web.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
    return web.json_response(body, status=400)


class AudioEndpoints:
    """Audio handlers for an OpenAI-family emulator (uses its `reject`, `record`,
    `remember`, `next_script`, `render_error`, `stream` and `_sleep`)."""

    transcript_segments: list[tuple[float, float, str]] = [
        (0.0, 1.4, " Hello there."),
        (1.4, 3.0, " How are you?"),
    ]
    transcript_language = "english"
    transcript_duration = 3.0
    speech_chunks = 4
    speech_chunk_bytes = 1024

    def audio_routes(self, prefix: str) -> list[web.RouteDef]:
        return [
            web.post(f"{prefix}/audio/transcriptions", self.handle_transcriptions),
            web.post(f"{prefix}/audio/speech", self.handle_speech),
        ]

    async def _scripted(
        self: Any, request: web.Request, read_body: Any
    ) -> tuple[Any, Any, web.Response | None]:
        """The body (recorded), the script, and a response that ends the call early: the
        emulator's own refusals, a stall before the headers, a scripted error."""
        rejected = self.reject(request)
        body = await read_body(request)
        script = self.next_script()
        if rejected is not None:
            return body, script, rejected
        if script.stall_before_headers:
            await self._sleep(script.stall_before_headers)
        if script.error_status is not None:
            status, headers, err = self.render_error(script)
            return body, script, web.json_response(err, status=status, headers=headers)
        return body, script, None

    async def record_form(self: Any, request: web.Request) -> dict[str, Any]:
        content_type = request.headers.get("Content-Type", "")
        fields: dict[str, list[str]] = {}
        files: dict[str, dict[str, Any]] = {}
        if content_type.startswith("multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = {
                        "filename": value.filename,
                        "content_type": value.content_type,
                        "data": value.file.read(),
                    }
                else:
                    fields.setdefault(name, []).append(str(value))
        else:
            await request.read()
        body = {"content_type": content_type, "fields": fields, "files": files}
        self.remember(request, body)
        return body

    # -- /audio/transcriptions -----------------------------------------------------------
    async def handle_transcriptions(self: Any, request: web.Request) -> web.StreamResponse:
        body, script, early = await self._scripted(request, self.record_form)
        if early is not None:
            return early
        if script.garbage_body:
            return web.Response(body=b"{not json", content_type="application/json")
        problem = self.transcription_problem(body)
        if problem is not None:
            return problem
        fields = {name: values[0] for name, values in body["fields"].items()}
        model = fields["model"]
        text = "".join(s[2] for s in self.transcript_segments).strip()
        if model.startswith("gpt-4o"):
            usage: dict[str, Any] = {
                "type": "tokens",
                "input_tokens": 14,
                "input_token_details": {"text_tokens": 0, "audio_tokens": 14},
                "output_tokens": 9,
                "total_tokens": 23,
            }
        else:
            usage = {"type": "duration", "seconds": round(self.transcript_duration)}
        if fields.get("response_format", "json") != "verbose_json":
            return web.json_response({"text": text, "usage": usage})
        segments = [
            {
                "id": i,
                "seek": 0,
                "start": start,
                "end": end,
                "text": seg,
                "tokens": [50364 + i, 2425, 456],
                "temperature": float(fields.get("temperature", 0.0)),
                "avg_logprob": -0.28,
                "compression_ratio": 1.27,
                "no_speech_prob": 0.0035,
            }
            for i, (start, end, seg) in enumerate(self.transcript_segments)
        ]
        answer = {
            "task": "transcribe",
            "language": self.transcript_language,
            "duration": self.transcript_duration,
            "text": text,
            "segments": segments,
            "usage": usage,
        }
        return web.json_response(answer)

    def transcription_problem(self, body: dict[str, Any]) -> web.Response | None:
        """OpenAI's 400s for a malformed transcription request."""
        if not body["content_type"].startswith("multipart/form-data"):
            return _error("Invalid Content-Type header, expected multipart/form-data.")
        upload = body["files"].get("file")
        if upload is None:
            return _error("1 validation error for Request\nbody -> file\n  field required", "file")
        extension = upload["filename"].rpartition(".")[2].lower()
        if extension not in TRANSCRIPTION_EXTENSIONS:
            return _error(f"Invalid file format. Supported formats: {list(TRANSCRIPTION_EXTENSIONS)}")
        fields = body["fields"]
        if "model" not in fields:
            return _error("you must provide a model parameter", "model")
        model, fmt = fields["model"][0], fields.get("response_format", ["json"])[0]
        if model.startswith("gpt-4o") and fmt not in ("json", "text"):
            return _error(
                f"response_format '{fmt}' is not compatible with model '{model}'. "
                "Use 'json' or 'text' instead.",
                "response_format",
                "unsupported_value",
            )
        return None

    # -- /audio/speech -------------------------------------------------------------------
    async def handle_speech(self: Any, request: web.Request) -> web.StreamResponse:
        body, script, early = await self._scripted(request, self.record)
        if early is not None:
            return early
        problem = self.speech_problem(body)
        if problem is not None:
            return problem
        fmt = body.get("response_format", "mp3")
        audio = speech_audio(fmt, self.speech_chunks * self.speech_chunk_bytes)
        size = self.speech_chunk_bytes
        frames = [audio[i : i + size] for i in range(0, len(audio), size)]
        return await self.stream(request, script, frames, AUDIO_TYPES[fmt])

    def speech_problem(self, body: Any) -> web.Response | None:
        if not isinstance(body, dict) or not isinstance(body.get("input"), str) or "model" not in body:
            return _error("you must provide a model and an input", "input")
        if len(body["input"]) > 4096:
            return _error(
                "Invalid 'input': string too long. Expected a string with maximum length 4096.",
                "input",
                "string_above_max_length",
            )
        if body.get("voice") not in VOICES:
            return _error(f"Invalid value for 'voice': {body.get('voice')!r}.", "voice", "invalid_value")
        if body.get("response_format", "mp3") not in AUDIO_TYPES:
            return _error("Invalid value for 'response_format'.", "response_format", "invalid_value")
        speed = body.get("speed", 1.0)
        if not 0.25 <= speed <= 4.0:
            return _error("Invalid 'speed': must be between 0.25 and 4.0.", "speed", "invalid_value")
        if "instructions" in body and body["model"].startswith("tts-1"):
            return _error(
                "Instructions are not supported for this model.", "instructions", "unsupported_value"
            )
        return None
