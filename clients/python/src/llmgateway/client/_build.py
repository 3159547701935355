"""Builds request messages from convenient Python values (shared by the sync and asyncio clients)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias, TypedDict, TypeVar, cast

from llmgateway.v1 import audio_pb2, cache_pb2, chat_pb2, embedding_pb2, image_pb2, model_pb2

MessageLike: TypeAlias = chat_pb2.Message | Mapping[str, Any]
"""A `Message`, or a dict such as `{"role": "user", "content": "hi"}`."""
MessagesLike: TypeAlias = str | Sequence[MessageLike]
"""Messages, or a plain string for a single user turn."""
ToolLike: TypeAlias = chat_pb2.Tool | Mapping[str, Any]
"""A `Tool`, or `{"name": ..., "description": ..., "parameters": <JSON schema>, "strict": bool}`."""
ToolChoiceLike: TypeAlias = chat_pb2.ToolChoice | str
"""A `ToolChoice`, "auto" / "none" / "required", or the name of the function to call."""
ResponseFormatLike: TypeAlias = chat_pb2.ResponseFormat | str | Mapping[str, Any]
"""A `ResponseFormat`, "text" / "json_object", or a JSON schema (dict) the answer must follow."""
ReasoningEffortLike: TypeAlias = str | int
""""minimal" / "low" / "medium" / "high", or a `ReasoningEffort` value."""
AudioLike: TypeAlias = bytes | str | os.PathLike[str]
"""Audio bytes, or the path of a file to read them from."""
AudioFormatLike: TypeAlias = str | int
""""mp3" / "opus" / "aac" / "flac" / "wav" / "pcm", or an `AudioFormat` value."""
CacheLike: TypeAlias = cache_pb2.CacheControl | str | Mapping[str, Any]
"""A `CacheControl`, a mode ("default" / "bypass" / "refresh" / "only"), or
`{"mode": ..., "ttl_seconds": ...}`."""

_ROLES = {
    "system": chat_pb2.ROLE_SYSTEM,
    "user": chat_pb2.ROLE_USER,
    "assistant": chat_pb2.ROLE_ASSISTANT,
    "tool": chat_pb2.ROLE_TOOL,
    "developer": chat_pb2.ROLE_DEVELOPER,
}
_TOOL_CHOICE_MODES = {
    "auto": chat_pb2.TOOL_CHOICE_MODE_AUTO,
    "none": chat_pb2.TOOL_CHOICE_MODE_NONE,
    "required": chat_pb2.TOOL_CHOICE_MODE_REQUIRED,
}
_GENERATION_FIELDS = (
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "reasoning_effort",
    "reasoning_budget_tokens",
)

ChatRequestT = TypeVar("ChatRequestT", chat_pb2.ChatRequest, chat_pb2.StreamChatRequest)


def _role(value: Any) -> chat_pb2.Role:
    if isinstance(value, int):
        return cast(chat_pb2.Role, value)
    name = str(value).lower().removeprefix("role_")
    if name not in _ROLES:
        raise ValueError(f"unknown role {value!r}; use one of {sorted(_ROLES)}")
    return _ROLES[name]


def _part(value: Any) -> chat_pb2.ContentPart:
    if isinstance(value, chat_pb2.ContentPart):
        return value
    if isinstance(value, str):
        return chat_pb2.ContentPart(text=value)
    if isinstance(value, Mapping):
        part = dict(value)
        if part.get("type") == "text":  # OpenAI-style {"type": "text", "text": ...}
            part.pop("type")
        return chat_pb2.ContentPart(**part)
    raise TypeError(f"cannot make a content part of {type(value).__name__}")


def _tool_call(value: Any) -> chat_pb2.ToolCall:
    if isinstance(value, chat_pb2.ToolCall):
        return value
    arguments = value.get("arguments", "")
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments)
    return chat_pb2.ToolCall(id=value.get("id", ""), name=value.get("name", ""), arguments=arguments)


def message(value: MessageLike) -> chat_pb2.Message:
    """A `Message` from a dict: `role` ("system", "user", "assistant", "tool", "developer"),
    `content` (a string or a list of strings / `ContentPart` dicts such as
    `{"image": {"uri": "https://..."}}`), and optionally `tool_calls` (dicts with `id`, `name`
    and `arguments` as a JSON string or a dict), `tool_call_id` and `name`."""
    if isinstance(value, chat_pb2.Message):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"a message must be a Message or a dict, not {type(value).__name__}")
    unknown = set(value) - {"role", "content", "tool_calls", "tool_call_id", "name"}
    if unknown:
        raise ValueError(f"unknown message keys: {sorted(unknown)}")
    content = value.get("content") or []
    parts = [_part(content)] if isinstance(content, str) else [_part(p) for p in content]
    return chat_pb2.Message(
        role=_role(value.get("role", "user")),
        content=parts,
        tool_calls=[_tool_call(c) for c in value.get("tool_calls") or ()],
        tool_call_id=value.get("tool_call_id", ""),
        name=value.get("name", ""),
    )


def messages(value: MessagesLike) -> list[chat_pb2.Message]:
    if isinstance(value, str):
        return [chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.ContentPart(text=value)])]
    return [message(m) for m in value]


def tool(value: ToolLike) -> chat_pb2.Tool:
    if isinstance(value, chat_pb2.Tool):
        return value
    result = chat_pb2.Tool(
        name=value["name"], description=value.get("description", ""), strict=bool(value.get("strict"))
    )
    result.parameters.update(dict(value.get("parameters") or {"type": "object", "properties": {}}))
    return result


def tool_choice(value: ToolChoiceLike) -> chat_pb2.ToolChoice:
    if isinstance(value, chat_pb2.ToolChoice):
        return value
    if value in _TOOL_CHOICE_MODES:
        return chat_pb2.ToolChoice(mode=_TOOL_CHOICE_MODES[value])
    return chat_pb2.ToolChoice(function_name=value)


def response_format(value: ResponseFormatLike, schema_name: str = "response") -> chat_pb2.ResponseFormat:
    if isinstance(value, chat_pb2.ResponseFormat):
        return value
    if isinstance(value, str):
        kinds = {
            "text": chat_pb2.RESPONSE_FORMAT_TYPE_TEXT,
            "json_object": chat_pb2.RESPONSE_FORMAT_TYPE_JSON_OBJECT,
        }
        if value not in kinds:
            raise ValueError(f"unknown response format {value!r}; use 'text', 'json_object' or a schema")
        return chat_pb2.ResponseFormat(type=kinds[value])
    result = chat_pb2.ResponseFormat(type=chat_pb2.RESPONSE_FORMAT_TYPE_JSON_SCHEMA, schema_name=schema_name)
    result.schema.update(dict(value))
    return result


def reasoning_effort(value: ReasoningEffortLike) -> chat_pb2.ReasoningEffort:
    if isinstance(value, int):
        return cast(chat_pb2.ReasoningEffort, value)
    name = "REASONING_EFFORT_" + value.upper().removeprefix("REASONING_EFFORT_")
    return cast(chat_pb2.ReasoningEffort, chat_pb2.ReasoningEffort.Value(name))


def cache(value: CacheLike) -> cache_pb2.CacheControl:
    if isinstance(value, cache_pb2.CacheControl):
        return value
    fields = {"mode": value} if isinstance(value, str) else dict(value)
    unknown = set(fields) - {"mode", "ttl_seconds"}
    if unknown:
        raise ValueError(f"unknown cache keys: {sorted(unknown)}")
    control = cache_pb2.CacheControl(mode=cache_mode(fields.get("mode", "default")))
    if fields.get("ttl_seconds") is not None:
        control.ttl_seconds = int(fields["ttl_seconds"])
    return control


def cache_mode(value: str | int) -> cache_pb2.CacheMode:
    if isinstance(value, int):
        return cast(cache_pb2.CacheMode, value)
    name = value.upper().removeprefix("CACHE_MODE_")
    if name == "DEFAULT":
        return cache_pb2.CACHE_MODE_UNSPECIFIED
    return cast(cache_pb2.CacheMode, cache_pb2.CacheMode.Value("CACHE_MODE_" + name))


def generation(params: Mapping[str, Any]) -> chat_pb2.GenerationConfig | None:
    """A `GenerationConfig` from the keyword arguments that are not None (None when all are)."""
    given = {k: v for k, v in params.items() if v is not None}
    if not given:
        return None
    unknown = set(given) - set(_GENERATION_FIELDS)
    if unknown:
        raise ValueError(f"unknown generation parameters: {sorted(unknown)}")
    if "reasoning_effort" in given:
        given["reasoning_effort"] = reasoning_effort(given["reasoning_effort"])
    if isinstance(given.get("stop"), str):
        given["stop"] = [given["stop"]]
    return chat_pb2.GenerationConfig(**given)


class ChatOptions(TypedDict, total=False):
    """Keyword arguments of `chat` and `stream_chat` (instead of a request message)."""

    model: str
    messages: MessagesLike
    tools: Sequence[ToolLike]
    tool_choice: ToolChoiceLike
    generation: chat_pb2.GenerationConfig
    max_tokens: int
    temperature: float
    top_p: float
    top_k: int
    stop: str | Sequence[str]
    seed: int
    presence_penalty: float
    frequency_penalty: float
    reasoning_effort: ReasoningEffortLike
    reasoning_budget_tokens: int
    response_format: ResponseFormatLike
    parallel_tool_calls: bool
    user: str
    cache: CacheLike
    session_id: str


def chat_request(
    cls: type[ChatRequestT],
    request: chat_pb2.ChatRequest | chat_pb2.StreamChatRequest | None,
    options: ChatOptions,
) -> ChatRequestT:
    """A `ChatRequest` or `StreamChatRequest`: the given request (converted between the two, which
    share field numbers), or one built from the keyword arguments. Not both."""
    given: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    if request is not None:
        if given:
            raise ValueError("pass either a request message or keyword arguments, not both")
        if isinstance(request, cls):
            return request
        return cls.FromString(request.SerializeToString())
    unknown = set(given) - set(ChatOptions.__annotations__)
    if unknown:
        raise TypeError(f"unknown chat arguments: {sorted(unknown)}")
    if not given.get("model"):
        raise ValueError("model is required")
    if given.get("messages") is None:
        raise ValueError("messages is required")
    built = cls(model=given["model"], messages=messages(given["messages"]))
    built.tools.extend(tool(t) for t in given.get("tools", ()))
    if "tool_choice" in given:
        built.tool_choice.CopyFrom(tool_choice(given["tool_choice"]))
    config = generation({k: v for k, v in given.items() if k in _GENERATION_FIELDS})
    if config is not None and "generation" in given:
        raise ValueError("pass either generation= or individual generation parameters, not both")
    if config is not None or "generation" in given:
        built.generation.CopyFrom(config or given["generation"])
    if "response_format" in given:
        built.response_format.CopyFrom(response_format(given["response_format"]))
    if "parallel_tool_calls" in given:
        built.parallel_tool_calls = given["parallel_tool_calls"]
    built.user = given.get("user", "")
    if "cache" in given:
        built.cache.CopyFrom(cache(given["cache"]))
    built.session_id = given.get("session_id", "")
    return built


def embed_request(
    request: embedding_pb2.EmbedRequest | None,
    *,
    model: str | None,
    inputs: str | Sequence[str] | None,
    dimensions: int | None,
    user: str | None,
    cache_control: CacheLike | None = None,
) -> embedding_pb2.EmbedRequest:
    if request is not None:
        if any(v is not None for v in (model, inputs, dimensions, user, cache_control)):
            raise ValueError("pass either a request message or keyword arguments, not both")
        return request
    if not model or inputs is None:
        raise ValueError("model and inputs are required")
    built = embedding_pb2.EmbedRequest(
        model=model, inputs=[inputs] if isinstance(inputs, str) else list(inputs), user=user or ""
    )
    if dimensions is not None:
        built.dimensions = dimensions
    if cache_control is not None:
        built.cache.CopyFrom(cache(cache_control))
    return built


def image_request(
    request: image_pb2.GenerateImageRequest | None,
    *,
    model: str | None,
    prompt: str | None,
    count: int | None,
    size: str | None,
    quality: str | None,
    style: str | None,
    output: str | int | None,
    user: str | None,
) -> image_pb2.GenerateImageRequest:
    if request is not None:
        if any(v is not None for v in (model, prompt, count, size, quality, style, output, user)):
            raise ValueError("pass either a request message or keyword arguments, not both")
        return request
    if not model or not prompt:
        raise ValueError("model and prompt are required")
    built = image_pb2.GenerateImageRequest(
        model=model, prompt=prompt, size=size or "", quality=quality or "", style=style or "", user=user or ""
    )
    if count is not None:
        built.count = count
    if isinstance(output, str):
        output = image_pb2.ImageOutput.Value("IMAGE_OUTPUT_" + output.upper().removeprefix("IMAGE_OUTPUT_"))
    if output is not None:
        built.output = cast(image_pb2.ImageOutput, output)
    return built


def transcribe_request(
    request: audio_pb2.TranscribeRequest | None,
    *,
    model: str | None,
    audio: AudioLike | None,
    mime_type: str | None,
    language: str | None,
    prompt: str | None,
    temperature: float | None,
) -> audio_pb2.TranscribeRequest:
    if request is not None:
        if any(v is not None for v in (model, audio, mime_type, language, prompt, temperature)):
            raise ValueError("pass either a request message or keyword arguments, not both")
        return request
    if not model or audio is None:
        raise ValueError("model and audio are required")
    data = audio if isinstance(audio, bytes) else Path(audio).read_bytes()
    built = audio_pb2.TranscribeRequest(
        model=model, audio=data, mime_type=mime_type or "", language=language or "", prompt=prompt or ""
    )
    if temperature is not None:
        built.temperature = temperature
    return built


def audio_format(value: AudioFormatLike) -> audio_pb2.AudioFormat:
    if isinstance(value, int):
        return cast(audio_pb2.AudioFormat, value)
    name = "AUDIO_FORMAT_" + value.upper().removeprefix("AUDIO_FORMAT_")
    return cast(audio_pb2.AudioFormat, audio_pb2.AudioFormat.Value(name))


class SpeechOptions(TypedDict, total=False):
    """Keyword arguments of `synthesize_speech` (instead of a request message)."""

    model: str
    input: str
    voice: str
    format: AudioFormatLike
    speed: float
    instructions: str


def speech_request(
    request: audio_pb2.SynthesizeSpeechRequest | None, options: SpeechOptions
) -> audio_pb2.SynthesizeSpeechRequest:
    given: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    if request is not None:
        if given:
            raise ValueError("pass either a request message or keyword arguments, not both")
        return request
    if not given.get("model") or not given.get("input"):
        raise ValueError("model and input are required")
    if "format" in given:
        given["format"] = audio_format(given["format"])
    return audio_pb2.SynthesizeSpeechRequest(**given)


def list_models_request(
    request: model_pb2.ListModelsRequest | None,
    *,
    page_size: int | None,
    provider: str | None,
    capability: str | int | None,
) -> model_pb2.ListModelsRequest:
    if request is not None:
        if any(v is not None for v in (page_size, provider, capability)):
            raise ValueError("pass either a request message or keyword arguments, not both")
        return request
    built = model_pb2.ListModelsRequest(page_size=page_size or 0, provider=provider or "")
    if isinstance(capability, str):
        capability = model_pb2.Capability.Value(
            "CAPABILITY_" + capability.upper().removeprefix("CAPABILITY_")
        )
    if capability is not None:
        built.capability = cast(model_pb2.Capability, capability)
    return built
