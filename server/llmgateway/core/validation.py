"""Request validation. Field paths use the protobuf field names, so a caller can
match a BadRequest violation to the field it sent."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, get_args

import jsonschema
import orjson

from llmgateway.core.audio import RECORDING_TYPES, SPEECH_FORMATS, recording_type, sniff_recording_type
from llmgateway.core.errors import invalid_request
from llmgateway.core.models import Name
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
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
IMAGE_URI = re.compile(
    r"^(https?://\S+|data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+)$", re.IGNORECASE
)
IMAGE_MIME_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_MESSAGES = 10_000
MAX_TOOLS = 128
MAX_STOP = 4
MAX_EMBED_INPUTS = 2048
MAX_MODEL_ID = get_args(Name)[1].chars  # the registry's longest model id
# OpenAI's upload limit; the server's maximum request size (`server.max_request_bytes`)
# bounds the whole request before this, so with the defaults it is the tighter bound.
MAX_AUDIO_BYTES = 25 * 1024 * 1024
MAX_MIME_TYPE = 128
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")
MAX_LANGUAGE = 16
MAX_TRANSCRIBE_PROMPT = 4096
MAX_SPEECH_INPUT = 4096  # characters; OpenAI's limit
MAX_INSTRUCTIONS = 4096
VOICE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

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


@lru_cache(maxsize=1024)
def _schema_error(schema_json: bytes) -> str:
    """Why a JSON Schema is invalid ('' when valid); cached since callers resend the same tools."""
    schema = orjson.loads(schema_json)
    try:
        jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator).check_schema(
            schema
        )
    except jsonschema.SchemaError as exc:
        return f"not a valid JSON Schema: {exc.message}"
    return ""


def schema_problem(schema: dict[str, Any], *, require_object: bool) -> str:
    if require_object and schema.get("type", "object") != "object":
        return 'must describe an object ("type": "object")'
    return _schema_error(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS))


def validate_chat(req: ChatRequest) -> None:
    v: Violations = []
    if not req.model:
        v.append(("model", "is required"))
    if not req.messages:
        v.append(("messages", "at least one message is required"))
    elif len(req.messages) > MAX_MESSAGES:
        v.append(("messages", f"at most {MAX_MESSAGES} messages"))
    if req.session_id and not SESSION_ID.match(req.session_id):
        v.append(("session_id", "letters, digits, _ and -, at most 128 characters"))
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
        if not IMAGE_URI.match(part.uri):
            v.append((f"{path}.image.uri", "must be an http(s) URL or a data:image/...;base64 URI"))
    else:
        v.append((f"{path}.image", "needs either data (bytes) or uri"))


def _check_tools(req: ChatRequest, v: Violations) -> None:
    if len(req.tools) > MAX_TOOLS:
        v.append(("tools", f"at most {MAX_TOOLS} tools"))
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
    if len(g.stop) > MAX_STOP:
        v.append(("generation.stop", f"at most {MAX_STOP} stop sequences"))
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
    elif len(req.inputs) > MAX_EMBED_INPUTS:
        v.append(("inputs", f"at most {MAX_EMBED_INPUTS} inputs"))
    v.extend((f"inputs[{i}]", "must not be empty") for i, text in enumerate(req.inputs) if not text)
    if req.dimensions is not None and req.dimensions <= 0:
        v.append(("dimensions", "must be positive"))
    if v:
        raise invalid_request(v)


def validate_image(req: ImageRequest) -> None:
    v: Violations = []
    if not req.model:
        v.append(("model", "is required"))
    if not req.prompt.strip():
        v.append(("prompt", "is required"))
    if not 1 <= req.count <= 10:
        v.append(("count", "must be between 1 and 10"))
    if v:
        raise invalid_request(v)


def _check_model(model: str, v: Violations) -> None:
    if not model:
        v.append(("model", "is required"))
    elif len(model) > MAX_MODEL_ID:
        v.append(("model", f"at most {MAX_MODEL_ID} characters"))


def validate_transcribe(req: TranscribeRequest) -> None:
    """Also sets `req.mime_type` to the canonical type (recognised from the bytes when empty)."""
    v: Violations = []
    _check_model(req.model, v)
    if not req.audio:
        v.append(("audio", "is required"))
    elif len(req.audio) > MAX_AUDIO_BYTES:
        v.append(("audio", f"at most {MAX_AUDIO_BYTES} bytes (split longer recordings)"))
    elif len(req.mime_type) > MAX_MIME_TYPE:
        v.append(("mime_type", f"at most {MAX_MIME_TYPE} characters"))
    elif req.mime_type:
        req.mime_type = recording_type(req.mime_type)
        if not req.mime_type:
            v.append(("mime_type", f"must be one of {', '.join(RECORDING_TYPES)}"))
    else:
        req.mime_type = sniff_recording_type(req.audio)
        if not req.mime_type:
            v.append(("mime_type", "is required: the bytes are not WAV, MP3, FLAC, Ogg, WebM or MP4"))
    if req.language and (len(req.language) > MAX_LANGUAGE or not LANGUAGE.match(req.language)):
        v.append(("language", "an ISO-639-1 code such as `en`, at most 16 characters"))
    if len(req.prompt) > MAX_TRANSCRIBE_PROMPT:
        v.append(("prompt", f"at most {MAX_TRANSCRIBE_PROMPT} characters"))
    if req.temperature is not None and not 0.0 <= req.temperature <= 1.0:
        v.append(("temperature", "must be between 0 and 1"))
    if v:
        raise invalid_request(v)


def validate_speech(req: SpeechRequest) -> None:
    v: Violations = []
    _check_model(req.model, v)
    if not req.input.strip():
        v.append(("input", "is required"))
    elif len(req.input) > MAX_SPEECH_INPUT:
        v.append(("input", f"at most {MAX_SPEECH_INPUT} characters"))
    if req.voice and not VOICE.match(req.voice):
        v.append(("voice", "letters, digits, _ and -, 1 to 64 characters"))
    if req.format is not None and req.format not in SPEECH_FORMATS:
        v.append(("format", "is not an AudioFormat value this server knows"))
    if req.speed is not None and not 0.25 <= req.speed <= 4.0:
        v.append(("speed", "must be between 0.25 and 4"))
    if len(req.instructions) > MAX_INSTRUCTIONS:
        v.append(("instructions", f"at most {MAX_INSTRUCTIONS} characters"))
    if v:
        raise invalid_request(v)
