"""Provider-neutral request, response and stream event types.

The api layer converts protobuf to these and back; adapters translate them to
and from each provider's wire format. Plain slotted dataclasses: they are built
on the hot path, once per request and once per streamed event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    UNSPECIFIED = "unspecified"
    SYSTEM = "system"
    DEVELOPER = "developer"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


class FinishReason(StrEnum):
    UNSPECIFIED = "unspecified"
    STOP = "stop"
    LENGTH = "length"
    TOOL_CALLS = "tool_calls"
    CONTENT_FILTER = "content_filter"
    OTHER = "other"


@dataclass(slots=True)
class TextPart:
    text: str


@dataclass(slots=True)
class ImagePart:
    """An image given inline (`data` + `mime_type`) or by `uri` (https or data: URI)."""

    data: bytes | None = None
    uri: str | None = None
    mime_type: str = ""
    detail: str | None = None  # "auto" | "low" | "high"


@dataclass(slots=True)
class ReasoningPart:
    text: str = ""
    signature: str = ""
    redacted_data: str = ""


ContentPart = TextPart | ImagePart | ReasoningPart


@dataclass(slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text exactly as the model produced it


@dataclass(slots=True)
class Message:
    role: Role
    parts: list[ContentPart] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str = ""
    name: str = ""

    def text(self) -> str:
        """The concatenated text parts."""
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))


@dataclass(slots=True)
class Tool:
    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})
    strict: bool = False


@dataclass(slots=True)
class ToolChoice:
    mode: str = "auto"  # "auto" | "none" | "required" | "function"
    function_name: str = ""


@dataclass(slots=True)
class GenerationConfig:
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    reasoning_effort: str | None = None  # "minimal" | "low" | "medium" | "high"
    reasoning_budget_tokens: int | None = None


@dataclass(slots=True)
class ResponseFormat:
    type: str = "text"  # "text" | "json_object" | "json_schema"
    schema_name: str = ""
    schema: dict[str, Any] | None = None
    strict: bool = False


@dataclass(slots=True)
class ChatRequest:
    model: str
    messages: list[Message]
    tools: list[Tool] = field(default_factory=list)
    tool_choice: ToolChoice | None = None
    generation: GenerationConfig = field(default_factory=GenerationConfig)
    response_format: ResponseFormat | None = None
    parallel_tool_calls: bool | None = None
    user: str = ""
    session_id: str = ""  # the conversation to continue (virtual models with memory)


@dataclass(slots=True)
class Usage:
    """What a call used, as the provider billed it, normalised: `prompt_tokens` counts
    every input token, the ones read from (`cached_prompt_tokens`) and written to
    (`cache_write_tokens`) the provider's prompt cache included; `completion_tokens`
    every output token, `reasoning_tokens` included. Media calls count `images` (of
    `image_size`/`image_quality` as asked), transcribed `audio_seconds` and synthesized
    `characters`. A Usage set on a call is replaced, never changed in place."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_prompt_tokens: int = 0
    reasoning_tokens: int = 0
    cache_write_tokens: int = 0
    # The provider sent no counts: these come from the text (providers/estimate.py).
    estimated: bool = False
    images: int = 0
    image_size: str = ""
    image_quality: str = ""
    audio_seconds: float = 0.0
    characters: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(slots=True)
class ChatResult:
    message: Message
    finish_reason: FinishReason
    usage: Usage
    response_id: str = ""
    upstream_model: str = ""


@dataclass(slots=True)
class Served:
    """Which upstream answered a call: the registry model (a fallback's id when one
    served), its provider and deployment, the provider's own model name and response id,
    and how many upstream attempts the call took."""

    model: str
    provider: str
    deployment: str
    upstream_model: str
    response_id: str = ""
    attempts: int = 1


# Stream events. An adapter may open its stream with a StreamStart carrying the
# provider's response id and model (known before any token); the service always
# yields a StreamStart first, with `served` filled in, then the adapter's deltas.
@dataclass(slots=True)
class StreamStart:
    response_id: str = ""
    upstream_model: str = ""
    served: Served | None = None


@dataclass(slots=True)
class TextDelta:
    text: str


@dataclass(slots=True)
class ReasoningDelta:
    text: str = ""
    signature: str = ""
    redacted_data: str = ""


@dataclass(slots=True)
class ToolCallDelta:
    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass(slots=True)
class StreamEnd:
    finish_reason: FinishReason
    usage: Usage
    response_id: str = ""
    upstream_model: str = ""


StreamEvent = StreamStart | TextDelta | ReasoningDelta | ToolCallDelta | StreamEnd


@dataclass(slots=True)
class EmbedRequest:
    model: str
    inputs: list[str]
    dimensions: int | None = None
    user: str = ""


@dataclass(slots=True)
class EmbedResult:
    vectors: list[list[float]]
    prompt_tokens: int = 0


@dataclass(slots=True)
class ImageRequest:
    model: str
    prompt: str
    count: int = 1
    size: str = ""
    quality: str = ""
    style: str = ""
    output: str | None = None  # "data" | "uri" | None (provider default)
    user: str = ""


@dataclass(slots=True)
class GeneratedImage:
    data: bytes | None = None
    uri: str | None = None
    mime_type: str = ""
    revised_prompt: str = ""


@dataclass(slots=True)
class ImageResult:
    images: list[GeneratedImage]
    size: str = ""  # as the provider made them, when it says (what per-image prices key on)
    quality: str = ""


@dataclass(slots=True)
class TranscribeRequest:
    model: str
    audio: bytes
    mime_type: str = ""  # canonical audio type (validation recognises it from the bytes when empty)
    language: str = ""
    prompt: str = ""
    temperature: float | None = None


@dataclass(slots=True)
class TranscriptSegment:
    start_s: float
    end_s: float
    text: str


@dataclass(slots=True)
class TranscribeResult:
    text: str
    language: str = ""
    duration_s: float = 0.0
    segments: list[TranscriptSegment] = field(default_factory=list)
    usage: Usage | None = None  # token counts, when the provider bills by tokens
    audio_s: float = 0.0  # billed seconds of audio, when the provider bills by duration


@dataclass(slots=True)
class SpeechRequest:
    model: str
    input: str
    voice: str = ""
    format: str | None = None  # "mp3" | "opus" | "aac" | "flac" | "wav" | "pcm" | None (provider default)
    speed: float | None = None
    instructions: str = ""


# Speech stream events. An adapter opens its stream with a SpeechStart naming the
# format it produces, then yields AudioChunks; the service yields a SpeechStart with
# `served` filled in, the chunks and one SpeechEnd.
@dataclass(slots=True)
class SpeechStart:
    format: str = ""
    sample_rate_hz: int = 0  # of "pcm" audio
    served: Served | None = None


@dataclass(slots=True)
class AudioChunk:
    data: bytes


@dataclass(slots=True)
class SpeechEnd:
    input_characters: int = 0
    audio_bytes: int = 0


SpeechEvent = SpeechStart | AudioChunk | SpeechEnd
