"""A deterministic built-in provider so the gateway runs and demos with no keys.

- chat/stream: echoes the last user message ("Echo: ..."), mentions image parts,
  and reports a tool result; with tools given (and no tool result yet) it calls
  the chosen or first tool with `{"input": <last user text>}` (its first
  `MAX_TOOL_INPUT` characters); with a reasoning
  effort or budget set it first "thinks"; `max_tokens` truncates (finish LENGTH), and
  so does the mock's own output limit of `MAX_OUTPUT_TOKENS` words. Usage counts words
  (a prompt's as its spaces plus one).
  The model option `chunk_delay_ms` paces streamed events (for demos and drain tests).
- embed: a unit vector derived from a hash of each input, 8 dimensions unless the
  request asks for others; built in linear time, in slices that yield to the event loop.
- generate_image: a small solid-colour PNG whose colour derives from the prompt.
- synthesize_speech: a short WAV (or raw PCM) of a tone, 20 ms per character, that
  carries the text; transcribe: gives that text back, with one segment per sentence,
  and describes any other recording (providers/mock_audio.py).

Every step is linear in the request and bounded by the wire bounds (api/bounds.py), so the
default models cannot stall the server.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import math
import re
import struct
import time
import zlib
from collections.abc import AsyncGenerator
from itertools import islice

import orjson

from llmgateway.core.deadline import Budget
from llmgateway.core.errors import invalid_request, provider_timeout
from llmgateway.core.models import CHAT_CAPABILITIES, Capability, Model, ModelSpec
from llmgateway.core.types import (
    AudioChunk,
    ChatRequest,
    ChatResult,
    EmbedRequest,
    EmbedResult,
    FinishReason,
    GeneratedImage,
    ImagePart,
    ImageRequest,
    ImageResult,
    Message,
    ReasoningDelta,
    ReasoningPart,
    Role,
    SpeechEvent,
    SpeechRequest,
    SpeechStart,
    StreamEnd,
    StreamEvent,
    StreamStart,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    TranscribeRequest,
    TranscribeResult,
    Usage,
)
from llmgateway.providers import mock_audio
from llmgateway.providers.base import BaseAdapter

EMBEDDING_DIMENSIONS = 8
MAX_OUTPUT_TOKENS = 4096
MAX_TOOL_INPUT = 16384  # characters of the user's text the mock's tool call repeats
# Vector values computed between two yields to the event loop (~0.5 ms of work).
EMBED_SLICE = 4096
_TOKEN = re.compile(r"\S+\s*|\s+")
_CENTRED = [b - 127.5 for b in range(256)]  # a hash byte as a vector value before scaling
_SQUARES = [x * x for x in _CENTRED]


def _tokens(text: str, limit: int = MAX_OUTPUT_TOKENS) -> list[str]:
    """The first `limit` + 1 tokens (words with their trailing space): enough to tell
    whether the text is longer than the limit, without splitting all of it."""
    return [m.group() for m in islice(_TOKEN.finditer(text), limit + 1)]


def _words(text: str) -> str:
    """How many words `text` has, counted up to the output limit (no list of all of them)."""
    count = len(text.split(maxsplit=MAX_OUTPUT_TOKENS))
    return str(count) if count <= MAX_OUTPUT_TOKENS else f"more than {MAX_OUTPUT_TOKENS}"


def _count_words(text: str) -> int:
    """Words of a prompt, estimated as its spaces plus one: one pass at C speed, no list."""
    return text.count(" ") + 1 if text else 0


class _Answer:
    """What the mock says to a request, computed once and rendered as a result or a stream."""

    def __init__(self, request: ChatRequest) -> None:
        self.reasoning = ""
        self.tool_call: ToolCall | None = None
        self.finish = FinishReason.STOP
        last = request.messages[-1]
        last_user = next((m for m in reversed(request.messages) if m.role is Role.USER), last)
        user_text = last_user.text()
        gen = request.generation
        if gen.reasoning_effort or gen.reasoning_budget_tokens:
            self.reasoning = f"The user said {_words(user_text)} words; I will echo them."
        wants_tool = (
            request.tools
            and last.role is not Role.TOOL
            and (request.tool_choice is None or request.tool_choice.mode != "none")
        )
        if wants_tool:
            name = request.tools[0].name
            if request.tool_choice and request.tool_choice.mode == "function":
                name = request.tool_choice.function_name
            tool_input = user_text[:MAX_TOOL_INPUT]
            self.tool_call = ToolCall("call_mock_1", name, orjson.dumps({"input": tool_input}).decode())
            self.finish = FinishReason.TOOL_CALLS
            self.text = ""
        elif last.role is Role.TOOL:
            self.text = f"Tool call {last.tool_call_id} returned: {last.text()}"
        else:
            images = [p for p in last_user.parts if isinstance(p, ImagePart)]
            notes = "".join(
                f" [image {p.mime_type or 'uri'} {len(p.data)} bytes]" if p.data else f" [image {p.uri}]"
                for p in images
            )
            self.text = f"Echo: {user_text}{notes}"
        if request.response_format is not None and request.response_format.type != "text" and self.text:
            self.text = orjson.dumps({"echo": self.text}).decode()
        limit = min(gen.max_tokens or MAX_OUTPUT_TOKENS, MAX_OUTPUT_TOKENS)
        self.tokens = _tokens(self.text, limit)
        if len(self.tokens) > limit:
            self.tokens = self.tokens[:limit]
            self.text = "".join(self.tokens)
            self.finish = FinishReason.LENGTH
        prompt_words = sum(
            _count_words(p.text) for m in request.messages for p in m.parts if isinstance(p, TextPart)
        )
        completion = len(self.tokens) + len(_tokens(self.reasoning)) + (8 if self.tool_call else 0)
        self.usage = Usage(
            prompt_tokens=prompt_words,
            completion_tokens=completion,
            reasoning_tokens=len(_tokens(self.reasoning)),
        )


class MockAdapter(BaseAdapter):
    provider = "mock"
    default_base_url = "mock://local"

    @classmethod
    def supported_models(cls) -> list[ModelSpec]:
        return [
            ModelSpec("echo", CHAT_CAPABILITIES | {Capability.REASONING}, 32768, "Mock echo chat model"),
            ModelSpec("embed", frozenset({Capability.EMBED}), 8192, "Mock 8-dimensional embeddings"),
            ModelSpec("image", frozenset({Capability.IMAGE}), 0, "Mock PNG image generator"),
            ModelSpec("transcribe", frozenset({Capability.TRANSCRIBE}), 0, "Mock transcription"),
            ModelSpec("speech", frozenset({Capability.SPEECH}), 0, "Mock WAV speech"),
        ]

    async def chat(self, model: Model, request: ChatRequest, budget: Budget) -> ChatResult:
        answer = _Answer(request)
        parts: list[TextPart | ImagePart | ReasoningPart] = []
        if answer.reasoning:
            parts.append(ReasoningPart(answer.reasoning))
        if answer.text:
            parts.append(TextPart(answer.text))
        message = Message(Role.ASSISTANT, parts, [answer.tool_call] if answer.tool_call else [])
        return ChatResult(message, answer.finish, answer.usage, "mock-1", model.upstream_model)

    async def stream_chat(
        self, model: Model, request: ChatRequest, budget: Budget
    ) -> AsyncGenerator[StreamEvent, None]:
        answer = _Answer(request)
        delay = float(model.options.get("chunk_delay_ms", 0)) / 1000.0
        deadline = time.monotonic() + budget.total
        yield StreamStart("mock-1", model.upstream_model)
        for token in _tokens(answer.reasoning):
            yield ReasoningDelta(token)
        for token in answer.tokens:
            if delay:
                await self._pace(delay, deadline)
            yield TextDelta(token)
        if answer.tool_call is not None:
            call = answer.tool_call
            half = len(call.arguments) // 2
            yield ToolCallDelta(0, call.id, call.name, call.arguments[:half])
            yield ToolCallDelta(0, arguments=call.arguments[half:])
        yield StreamEnd(answer.finish, answer.usage, "mock-1", model.upstream_model)

    async def _pace(self, delay: float, deadline: float) -> None:
        """Paced like a real upstream, so bounded by the same total budget."""
        remaining = deadline - time.monotonic()
        if remaining < delay:
            await asyncio.sleep(max(remaining, 0.0))
            raise provider_timeout(self.provider, "total")
        await asyncio.sleep(delay)

    async def embed(self, model: Model, request: EmbedRequest, budget: Budget) -> EmbedResult:
        size = request.dimensions or EMBEDDING_DIMENSIONS
        vectors: list[list[float]] = []
        work = 0
        for text in request.inputs:
            vectors.append(_unit_vector(text, size))
            work += size
            if work >= EMBED_SLICE:  # let other calls run; a cancelled call stops here
                work = 0
                await asyncio.sleep(0)
        return EmbedResult(vectors, sum(map(_count_words, request.inputs)))

    async def generate_image(self, model: Model, request: ImageRequest, budget: Budget) -> ImageResult:
        images = []
        for i in range(request.count):
            png = _solid_png(hashlib.sha256(f"{request.prompt}:{i}".encode()).digest()[:3])
            if request.output == "uri":
                images.append(GeneratedImage(uri="data:image/png;base64," + base64.b64encode(png).decode()))
            else:
                images.append(GeneratedImage(data=png, mime_type="image/png"))
        return ImageResult(images)

    async def transcribe(self, model: Model, request: TranscribeRequest, budget: Budget) -> TranscribeResult:
        text, duration = mock_audio.read_wav(request.audio)
        if text is None:
            text = f"A recording of {len(request.audio)} bytes ({request.mime_type})."
        return TranscribeResult(
            text,
            request.language or "en",
            duration,
            mock_audio.segments(text, duration),
            audio_s=duration,
        )

    async def synthesize_speech(
        self, model: Model, request: SpeechRequest, budget: Budget
    ) -> AsyncGenerator[SpeechEvent, None]:
        fmt = request.format or "wav"
        if fmt not in ("wav", "pcm"):
            raise invalid_request([("format", "the mock makes AUDIO_FORMAT_WAV or AUDIO_FORMAT_PCM only")])
        delay = float(model.options.get("chunk_delay_ms", 0)) / 1000.0
        deadline = time.monotonic() + budget.total
        size = mock_audio.speech_bytes(len(request.input), request.speed or 1.0)
        yield SpeechStart(fmt, mock_audio.SAMPLE_RATE_HZ if fmt == "pcm" else 0)
        if fmt == "wav":
            yield AudioChunk(mock_audio.wav_header(request.input, size))
        for chunk in mock_audio.tone(size):
            if delay:
                await self._pace(delay, deadline)
            yield AudioChunk(chunk)


def _unit_vector(text: str, size: int) -> list[float]:
    """`size` values from an extendable-output hash of `text` (linear in both), normalised;
    the loops over the values run in C (map over lookup tables)."""
    raw = hashlib.shake_256(text.encode("utf-8", "surrogatepass")).digest(size)
    scale = 1.0 / math.sqrt(sum(map(_SQUARES.__getitem__, raw)))  # never 0: no byte is 127.5
    return list(map(scale.__mul__, map(_CENTRED.__getitem__, raw)))


def _solid_png(rgb: bytes, side: int = 8) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + rgb * side for _ in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
