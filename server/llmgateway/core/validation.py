"""Request validation. Field paths use the protobuf field names, so a caller can
match a BadRequest violation to the field it sent."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs

from llmgateway.core.audio import RECORDING_TYPES, recording_type, sniff_recording_type
from llmgateway.core.errors import invalid_request
from llmgateway.core.types import (
    ChatRequest,
    EmbedRequest,
    ImagePart,
    ImageRequest,
    ReasoningPart,
    Role,
    SpeechRequest,
    TextPart,
    TranscribeRequest,
)

TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]+$")  # its length is a wire bound (api/bounds.py)
IMAGE_URI = re.compile(
    r"^(https?://\S+|data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+)$", re.IGNORECASE
)
IMAGE_MIME_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Schemas are checked against their draft's meta-schema only, never fetched: with a registry
# given, jsonschema_rs refuses to retrieve anything (an unknown `$schema` URL included).
_OFFLINE = jsonschema_rs.Registry([])
_MAX_ECHO = 160  # characters of a validator message quoted in a violation
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")
VOICE = re.compile(r"^[A-Za-z0-9_-]+$")

Violations = list[tuple[str, str]]


def sniff_image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


def schema_problem(schema: dict[str, Any], *, require_object: bool) -> str:
    """Why a JSON Schema is invalid ('' when valid). No cache: the meta-schema check
    (jsonschema_rs, ~0.15 us per schema value) costs less than hashing the schema would."""
    if require_object and schema.get("type", "object") != "object":
        return 'must describe an object ("type": "object")'
    try:
        jsonschema_rs.meta.validate(schema, registry=_OFFLINE)
    except jsonschema_rs.ValidationError as exc:
        where = "/".join(str(p) for p in exc.instance_path)
        message = exc.message if len(exc.message) <= _MAX_ECHO else exc.message[:_MAX_ECHO] + "…"
        return f"not a valid JSON Schema{f' at {where[:_MAX_ECHO]}' if where else ''}: {message}"
    except jsonschema_rs.ReferencingError:
        return "`$schema` must name a JSON Schema draft (4, 6, 7, 2019-09 or 2020-12)"
    return ""


def validate_chat(req: ChatRequest) -> None:
    v: Violations = []
    if not req.model:
        v.append(("model", "is required"))
    if not req.messages:
        v.append(("messages", "at least one message is required"))
    if req.session_id and not SESSION_ID.match(req.session_id):
        v.append(("session_id", "letters, digits and _ -"))
    _check_messages(req, v)
    _check_tools(req, v)
    _check_generation(req, v)
    rf = req.response_format
    if rf is not None and rf.type == "json_schema":
        if not rf.schema:
            v.append(("response_format.schema", "is required for RESPONSE_FORMAT_TYPE_JSON_SCHEMA"))
        else:
            problem = schema_problem(rf.schema, require_object=False)
            if problem:
                v.append(("response_format.schema", problem))
        if rf.schema_name and not TOOL_NAME.match(rf.schema_name):
            v.append(("response_format.schema_name", "letters, digits, _ and -, at most 64 characters"))
    if v:
        raise invalid_request(v)


def _check_messages(req: ChatRequest, v: Violations) -> None:
    call_ids: set[str] = set()
    for i, msg in enumerate(req.messages):
        path = f"messages[{i}]"
        if msg.role is Role.UNSPECIFIED:
            v.append((f"{path}.role", "is required (ROLE_UNSPECIFIED is not a role)"))
        if not msg.parts and not msg.tool_calls:
            v.append((f"{path}.content", "a message needs content (or tool_calls for an assistant)"))
        if msg.tool_calls and msg.role is not Role.ASSISTANT:
            v.append((f"{path}.tool_calls", "only assistant messages carry tool calls"))
        for j, call in enumerate(msg.tool_calls):
            if not call.id:
                v.append((f"{path}.tool_calls[{j}].id", "is required"))
            if not call.name:
                v.append((f"{path}.tool_calls[{j}].name", "is required"))
            call_ids.add(call.id)
        if msg.role is Role.TOOL:
            if not msg.tool_call_id:
                v.append((f"{path}.tool_call_id", "a tool message must name the tool call it answers"))
            elif msg.tool_call_id not in call_ids and not req.session_id:
                # In a session the call may be in the history: the sessions policy
                # checks the conversation it assembles.
                v.append(
                    (f"{path}.tool_call_id", "does not match a tool call of an earlier assistant message")
                )
        for j, part in enumerate(msg.parts):
            ppath = f"{path}.content[{j}]"
            if isinstance(part, ImagePart):
                _check_image(part, msg.role, ppath, v)
            elif isinstance(part, ReasoningPart) and msg.role is not Role.ASSISTANT:
                v.append((f"{ppath}.reasoning", "only assistant messages carry reasoning"))
            elif isinstance(part, TextPart) and part.text is None:
                v.append((f"{ppath}.text", "is required"))


def _check_image(part: ImagePart, role: Role, path: str, v: Violations) -> None:
    if role is not Role.USER:
        v.append((f"{path}.image", "images are accepted in user messages only"))
    if part.data is not None:
        if not part.data:
            v.append((f"{path}.image.data", "is empty"))
        elif not part.mime_type:
            part.mime_type = sniff_image_type(part.data)
            if not part.mime_type:
                v.append((f"{path}.image.mime_type", "is required: the bytes are not PNG, JPEG, GIF or WebP"))
        elif part.mime_type not in IMAGE_MIME_TYPES:
            v.append((f"{path}.image.mime_type", f"must be one of {', '.join(sorted(IMAGE_MIME_TYPES))}"))
    elif part.uri is not None:
        if not IMAGE_URI.match(part.uri) or not _parses(part.uri):
            v.append((f"{path}.image.uri", "must be an http(s) URL or a data:image/...;base64 URI"))
    else:
        v.append((f"{path}.image", "needs either data (bytes) or uri"))


def _parses(uri: str) -> bool:
    """A data: URI, or a URL whose host and port parse (urlsplit raises on `http://[x`)."""
    if uri[:5].lower() == "data:":
        return True
    try:
        parts = urlsplit(uri)
        return bool(parts.hostname) and (parts.port is None or parts.port > 0)
    except ValueError:
        return False


def _check_tools(req: ChatRequest, v: Violations) -> None:
    names: set[str] = set()
    for i, tool in enumerate(req.tools):
        if not TOOL_NAME.match(tool.name):
            v.append((f"tools[{i}].name", "letters, digits, _ and -, 1 to 64 characters"))
        elif tool.name in names:
            v.append((f"tools[{i}].name", f"duplicate tool name {tool.name!r}"))
        names.add(tool.name)
        problem = schema_problem(tool.parameters, require_object=True)
        if problem:
            v.append((f"tools[{i}].parameters", problem))
    choice = req.tool_choice
    if choice is not None:
        if choice.mode == "function" and choice.function_name not in names:
            v.append(("tool_choice.function_name", "names no tool of this request"))
        if choice.mode == "required" and not req.tools:
            v.append(("tool_choice.mode", "TOOL_CHOICE_MODE_REQUIRED needs tools"))


def _check_generation(req: ChatRequest, v: Violations) -> None:
    g = req.generation
    if g.max_tokens is not None and g.max_tokens <= 0:
        v.append(("generation.max_tokens", "must be positive"))
    if g.temperature is not None and not 0.0 <= g.temperature <= 2.0:
        v.append(("generation.temperature", "must be between 0 and 2"))
    if g.top_p is not None and not 0.0 <= g.top_p <= 1.0:
        v.append(("generation.top_p", "must be between 0 and 1"))
    if g.top_k is not None and g.top_k <= 0:
        v.append(("generation.top_k", "must be positive"))
    for name in ("presence_penalty", "frequency_penalty"):
        value = getattr(g, name)
        if value is not None and not -2.0 <= value <= 2.0:
            v.append((f"generation.{name}", "must be between -2 and 2"))
    if any(not s for s in g.stop):
        v.append(("generation.stop", "stop sequences must not be empty"))
    if g.reasoning_budget_tokens is not None and g.reasoning_budget_tokens < 1024:
        v.append(("generation.reasoning_budget_tokens", "must be at least 1024"))


def validate_embed(req: EmbedRequest) -> None:
    v: Violations = []
    if not req.model:
        v.append(("model", "is required"))
    if not req.inputs:
        v.append(("inputs", "at least one input is required"))
    v.extend((f"inputs[{i}]", "must not be empty") for i, text in enumerate(req.inputs) if not text)
    if v:
        raise invalid_request(v)


def validate_image(req: ImageRequest) -> None:
    v: Violations = []
    if not req.model:
        v.append(("model", "is required"))
    if not req.prompt.strip():
        v.append(("prompt", "is required"))
    if v:
        raise invalid_request(v)


def validate_transcribe(req: TranscribeRequest) -> None:
    """Also sets `req.mime_type` to the canonical type (recognised from the bytes when empty).
    Sizes are wire bounds (api/bounds.py), checked before this."""
    v: Violations = []
    if not req.model:
        v.append(("model", "is required"))
    if not req.audio:
        v.append(("audio", "is required"))
    elif req.mime_type:
        req.mime_type = recording_type(req.mime_type)
        if not req.mime_type:
            v.append(("mime_type", f"must be one of {', '.join(RECORDING_TYPES)}"))
    else:
        req.mime_type = sniff_recording_type(req.audio)
        if not req.mime_type:
            v.append(("mime_type", "is required: the bytes are not WAV, MP3, FLAC, Ogg, WebM or MP4"))
    if req.language and not LANGUAGE.match(req.language):
        v.append(("language", "an ISO-639-1 code such as `en`"))
    if req.temperature is not None and not 0.0 <= req.temperature <= 1.0:
        v.append(("temperature", "must be between 0 and 1"))
    if v:
        raise invalid_request(v)


def validate_speech(req: SpeechRequest) -> None:
    """Sizes are wire bounds (api/bounds.py), checked before this."""
    v: Violations = []
    if not req.model:
        v.append(("model", "is required"))
    if not req.input.strip():
        v.append(("input", "is required"))
    if req.voice and not VOICE.match(req.voice):
        v.append(("voice", "letters, digits, _ and -"))
    if req.speed is not None and not 0.25 <= req.speed <= 4.0:
        v.append(("speed", "must be between 0.25 and 4"))
    if v:
        raise invalid_request(v)
