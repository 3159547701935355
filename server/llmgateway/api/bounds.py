"""Wire-level bounds: every request field that drives work or memory has a limit in
`LIMITS`, checked on the protobuf message before any conversion and reported as a
BadRequest field violation. The checks are cheap on purpose: `len()` of repeated fields
and strings, enum numbers against the descriptor, and walks of tool schemas that stop as
soon as a limit is passed, so a request that fails a bound costs little more than parsing.

The values are chosen by measurement (bench/probe_bounds.py) so that the worst request
that passes them blocks the event loop for less than 20 ms and raises the resident
memory by less than 64 MB. The README section "Limits" and the .proto comments document
the same table; semantic checks (required fields, value ranges, cross-references) stay in
core/validation.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, get_args

from google.protobuf import struct_pb2

from llmgateway.admin.v1 import admin_service_pb2 as admin_pb
from llmgateway.core.errors import invalid_request
from llmgateway.core.models import Name
from llmgateway.v1 import audio_pb2, chat_pb2, embedding_pb2, image_pb2, model_pb2

Violations = list[tuple[str, str]]
# A model id is at most as long as the registry's model type allows (`core.models.Name`).
MAX_ID: int = get_args(Name)[1].chars


@dataclass(frozen=True, slots=True)
class Limit:
    value: int
    fields: str  # where it applies, as the README table shows it


# One table: the README "Limits" section lists exactly these (a test keeps them equal).
LIMITS: dict[str, Limit] = {
    "model_id_chars": Limit(MAX_ID, "`model` of every request, `id` of admin GetModel and DeleteModel"),
    "user_chars": Limit(256, "`user`"),
    "session_id_chars": Limit(128, "`session_id`"),
    "tags": Limit(16, "`tags` of every data-plane request"),
    "tag_key_chars": Limit(64, "each tag key (letters, digits, `_`, `-`, `.`; not empty)"),
    "tag_value_chars": Limit(256, "each tag value (printable characters)"),
    "messages": Limit(512, "`messages`"),
    "content_parts": Limit(1024, "content parts of all messages together"),
    "tool_calls": Limit(256, "`tool_calls` of all messages together"),
    "id_chars": Limit(256, "`tool_call_id`, `tool_calls[].id`, message `name`, admin `etag`"),
    "name_chars": Limit(64, "tool names, `tool_calls[].name`, `tool_choice.function_name`, `schema_name`"),
    "images": Limit(32, "image parts of all messages together"),
    "image_bytes": Limit(20 * 1024 * 1024, "`image.data`, and a `data:` `image.uri` once decoded"),
    "image_url_chars": Limit(8192, "an `https://` `image.uri`"),
    "mime_type_chars": Limit(128, "`image.mime_type`"),
    "tools": Limit(128, "`tools`"),
    "tool_description_chars": Limit(4096, "`tools[].description`"),
    "schema_bytes": Limit(256 * 1024, "each `tools[].parameters` and `response_format.schema` (encoded)"),
    "schema_nodes": Limit(2048, "JSON values of all schemas of a request together"),
    "schema_depth": Limit(32, "nesting of a schema (the schema object itself is level 1)"),
    "schema_properties": Limit(1024, "keys of one object in a schema"),
    "stop_sequences": Limit(4, "`generation.stop`"),
    "stop_chars": Limit(1024, "each stop sequence"),
    "embed_inputs": Limit(2048, "`inputs`"),
    "dimensions": Limit(4096, "`dimensions`"),
    "embed_values": Limit(131072, "`len(inputs) * dimensions` (floats in the answer)"),
    "prompt_chars": Limit(32000, "`GenerateImage.prompt`"),
    "image_count": Limit(10, "`GenerateImage.count`"),
    "image_option_chars": Limit(32, "`GenerateImage.size`, `quality`, `style`"),
    "audio_bytes": Limit(
        25 * 1024 * 1024, "`Transcribe.audio` (and the whole request fits `server.max_request_bytes`)"
    ),
    "audio_text_chars": Limit(4096, "`Transcribe.prompt`, `SynthesizeSpeech.input` and `instructions`"),
    "language_chars": Limit(16, "`Transcribe.language`"),
    "voice_chars": Limit(64, "`SynthesizeSpeech.voice`"),
    "page_size": Limit(1000, "`page_size` of ListModels (larger values are lowered to it)"),
    "admin_page_size": Limit(25, "`page_size` of admin ListModels (larger values are lowered to it)"),
    "admin_page_bytes": Limit(
        1024 * 1024, "models in one admin ListModels answer (encoded; a page ends early, with a token)"
    ),
    "page_token_chars": Limit(512, "`page_token`"),
    "provider_chars": Limit(64, "`provider` filters of ListModels"),
    "update_mask_paths": Limit(64, "admin `update_mask.paths` (128 characters each)"),
    "usage_page_size": Limit(1000, "`page_size` of admin QueryUsage (larger values are lowered to it)"),
    "usage_group_by": Limit(4, "`group_by` of admin QueryUsage"),
    "usage_filter_tags": Limit(8, "`filter.tags` of admin QueryUsage"),
    "usage_tag_key_chars": Limit(64, "`tag_key` and `filter.tags` keys of admin QueryUsage"),
    "usage_tag_value_chars": Limit(256, "`filter.tags` values of admin QueryUsage"),
    "usage_team_chars": Limit(200, "`filter.team` of admin QueryUsage (a key label's length)"),
}


def _limit(name: str) -> int:
    return LIMITS[name].value


MODEL_ID = _limit("model_id_chars")
USER = _limit("user_chars")
SESSION_ID = _limit("session_id_chars")
TAGS = _limit("tags")
TAG_KEY = _limit("tag_key_chars")
TAG_VALUE = _limit("tag_value_chars")
_TAG_KEY = re.compile(r"^[A-Za-z0-9_.-]+$")
MESSAGES = _limit("messages")
CONTENT_PARTS = _limit("content_parts")
TOOL_CALLS = _limit("tool_calls")
ID = _limit("id_chars")
NAME = _limit("name_chars")
IMAGES = _limit("images")
IMAGE_BYTES = _limit("image_bytes")
IMAGE_URL = _limit("image_url_chars")
MIME_TYPE = _limit("mime_type_chars")
TOOLS = _limit("tools")
TOOL_DESCRIPTION = _limit("tool_description_chars")
SCHEMA_BYTES = _limit("schema_bytes")
SCHEMA_NODES = _limit("schema_nodes")
SCHEMA_DEPTH = _limit("schema_depth")
SCHEMA_PROPERTIES = _limit("schema_properties")
STOP_SEQUENCES = _limit("stop_sequences")
STOP = _limit("stop_chars")
EMBED_INPUTS = _limit("embed_inputs")
DIMENSIONS = _limit("dimensions")
EMBED_VALUES = _limit("embed_values")
PROMPT = _limit("prompt_chars")
IMAGE_COUNT = _limit("image_count")
IMAGE_OPTION = _limit("image_option_chars")
AUDIO_BYTES = _limit("audio_bytes")
AUDIO_TEXT = _limit("audio_text_chars")
LANGUAGE = _limit("language_chars")
VOICE = _limit("voice_chars")
PAGE_SIZE = _limit("page_size")
ADMIN_PAGE_SIZE = _limit("admin_page_size")
ADMIN_PAGE_BYTES = _limit("admin_page_bytes")
PAGE_TOKEN = _limit("page_token_chars")
PROVIDER = _limit("provider_chars")
UPDATE_MASK_PATHS = _limit("update_mask_paths")
UPDATE_MASK_PATH = 128
USAGE_PAGE_SIZE = _limit("usage_page_size")
USAGE_GROUP_BY = _limit("usage_group_by")
USAGE_FILTER_TAGS = _limit("usage_filter_tags")
USAGE_TAG_KEY = _limit("usage_tag_key_chars")
USAGE_TAG_VALUE = _limit("usage_tag_value_chars")
USAGE_TEAM = _limit("usage_team_chars")
# A data: URI carries base64 (4 characters per 3 bytes) after a short header.
DATA_URI = IMAGE_BYTES // 3 * 4 + 64


def _known(enum: Any) -> frozenset[int]:
    return frozenset(enum.values())


_ROLES = _known(chat_pb2.Role)
_DETAILS = _known(chat_pb2.ImageDetail)
_TOOL_MODES = _known(chat_pb2.ToolChoiceMode)
_EFFORTS = _known(chat_pb2.ReasoningEffort)
_FORMATS = _known(chat_pb2.ResponseFormatType)
_AUDIO_FORMATS = _known(audio_pb2.AudioFormat)
_IMAGE_OUTPUTS = _known(image_pb2.ImageOutput)
_CAPABILITIES = _known(model_pb2.Capability)


class _Checker:
    """Collects violations; `over` and `enum` are the two shapes every bound takes."""

    def __init__(self) -> None:
        self.violations: Violations = []

    def over(self, path: str, size: int, limit: int, unit: str = "characters") -> bool:
        if size > limit:
            self.violations.append((path, f"at most {limit} {unit} (got {size})"))
            return True
        return False

    def enum(self, path: str, value: int, known: frozenset[int], name: str) -> None:
        if value not in known:
            self.violations.append((path, f"{value} is not a {name} value this server knows"))

    def raise_if_any(self) -> None:
        if self.violations:
            raise invalid_request(self.violations)

    def tags(self, tags: Mapping[str, str]) -> None:
        """The caller's tags of a call: how many, and each key and value."""
        if self.over("tags", len(tags), TAGS, "tags") or not tags:
            return
        for key, value in tags.items():
            path = f'tags["{key[:TAG_KEY]}"]'
            if not self.over(path, len(key), TAG_KEY) and not _TAG_KEY.match(key):
                self.violations.append((path, "keys are letters, digits, `_`, `-` and `.`"))
            if not self.over(path, len(value), TAG_VALUE) and not value.isprintable():
                self.violations.append((path, "values are printable characters"))


# -- GatewayService ---------------------------------------------------------------------------
def check_chat(pb: chat_pb2.ChatRequest | chat_pb2.StreamChatRequest) -> None:
    c = _Checker()
    c.over("model", len(pb.model), MODEL_ID)
    c.over("user", len(pb.user), USER)
    c.over("session_id", len(pb.session_id), SESSION_ID)
    c.tags(pb.tags)
    if not c.over("messages", len(pb.messages), MESSAGES, "messages"):
        _messages(c, pb.messages)
    budget = [SCHEMA_NODES]  # shared by every schema of the request
    if not c.over("tools", len(pb.tools), TOOLS, "tools"):
        for i, tool in enumerate(pb.tools):
            path = f"tools[{i}]"
            c.over(f"{path}.name", len(tool.name), NAME)
            c.over(f"{path}.description", len(tool.description), TOOL_DESCRIPTION)
            if tool.HasField("parameters"):
                _schema(c, f"{path}.parameters", tool.parameters, budget)
    if pb.HasField("response_format"):
        rf = pb.response_format
        c.enum("response_format.type", rf.type, _FORMATS, "ResponseFormatType")
        c.over("response_format.schema_name", len(rf.schema_name), NAME)
        if rf.HasField("schema"):
            _schema(c, "response_format.schema", rf.schema, budget)
    if pb.HasField("tool_choice"):
        choice = pb.tool_choice
        if choice.WhichOneof("choice") == "mode":
            c.enum("tool_choice.mode", choice.mode, _TOOL_MODES, "ToolChoiceMode")
        c.over("tool_choice.function_name", len(choice.function_name), NAME)
    if pb.HasField("generation"):
        g = pb.generation
        c.enum("generation.reasoning_effort", g.reasoning_effort, _EFFORTS, "ReasoningEffort")
        if not c.over("generation.stop", len(g.stop), STOP_SEQUENCES, "stop sequences"):
            for i, stop in enumerate(g.stop):
                c.over(f"generation.stop[{i}]", len(stop), STOP)
    c.raise_if_any()


def _messages(c: _Checker, messages: Iterable[chat_pb2.Message]) -> None:
    """Per element: one comparison; a path is formatted only for a violation."""
    parts = calls = images = 0
    for i, m in enumerate(messages):
        if m.role not in _ROLES:
            c.enum(f"messages[{i}].role", m.role, _ROLES, "Role")
        if len(m.tool_call_id) > ID or len(m.name) > ID:
            c.over(f"messages[{i}].tool_call_id", len(m.tool_call_id), ID)
            c.over(f"messages[{i}].name", len(m.name), ID)
        content, tool_calls = m.content, m.tool_calls
        parts += len(content)
        calls += len(tool_calls)
        if parts > CONTENT_PARTS or calls > TOOL_CALLS:
            break  # reported below, without walking the rest
        for j, call in enumerate(tool_calls):
            if len(call.id) > ID or len(call.name) > NAME:
                c.over(f"messages[{i}].tool_calls[{j}].id", len(call.id), ID)
                c.over(f"messages[{i}].tool_calls[{j}].name", len(call.name), NAME)
        for j, part in enumerate(content):
            if part.HasField("image"):
                images += 1
                _image(c, f"messages[{i}].content[{j}].image", part.image)
    c.over("messages", parts, CONTENT_PARTS, "content parts in all")
    c.over("messages", calls, TOOL_CALLS, "tool calls in all")
    c.over("messages", images, IMAGES, "images in all")


def _image(c: _Checker, path: str, image: chat_pb2.ImagePart) -> None:
    c.enum(f"{path}.detail", image.detail, _DETAILS, "ImageDetail")
    c.over(f"{path}.mime_type", len(image.mime_type), MIME_TYPE)
    source = image.WhichOneof("source")
    if source == "data":
        c.over(f"{path}.data", len(image.data), IMAGE_BYTES, "bytes")
    elif source == "uri":
        uri = image.uri
        c.over(f"{path}.uri", len(uri), DATA_URI if uri[:5].lower() == "data:" else IMAGE_URL)


def _schema(c: _Checker, path: str, schema: struct_pb2.Struct, budget: list[int]) -> None:
    """Size, depth, keys per object and the request's shared budget of values (`budget[0]`,
    values left) of one schema. Counts are checked before a container's values are visited,
    so the walk stops at the first bound passed."""
    if c.over(path, schema.ByteSize(), SCHEMA_BYTES, "bytes"):
        return
    stack: list[tuple[Any, int]] = [(schema, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, struct_pb2.Struct):
            fields = node.fields
            if c.over(path, len(fields), SCHEMA_PROPERTIES, "keys in one object"):
                return
            values = [fields[key] for key in fields]  # faster than fields.values()
        else:
            values = node.values
        budget[0] -= len(values)
        if budget[0] < 0:
            c.violations.append((path, f"the schemas of a request hold at most {SCHEMA_NODES} values"))
            return
        for value in values:
            kind = value.WhichOneof("kind")
            if kind == "struct_value" or kind == "list_value":
                if depth == SCHEMA_DEPTH:
                    c.violations.append((path, f"nested at most {SCHEMA_DEPTH} levels deep"))
                    return
                stack.append((getattr(value, kind), depth + 1))


def check_embed(pb: embedding_pb2.EmbedRequest) -> None:
    c = _Checker()
    c.over("model", len(pb.model), MODEL_ID)
    c.over("user", len(pb.user), USER)
    inputs = len(pb.inputs)
    c.over("inputs", inputs, EMBED_INPUTS, "inputs")
    c.tags(pb.tags)
    if pb.HasField("dimensions"):
        if not 1 <= pb.dimensions <= DIMENSIONS:
            c.violations.append(("dimensions", f"must be between 1 and {DIMENSIONS}"))
        elif inputs * pb.dimensions > EMBED_VALUES:
            c.violations.append(
                ("dimensions", f"inputs times dimensions must be at most {EMBED_VALUES} (the answer's size)")
            )
    c.raise_if_any()


def check_transcribe(pb: audio_pb2.TranscribeRequest) -> None:
    c = _Checker()
    c.over("model", len(pb.model), MODEL_ID)
    c.over("audio", len(pb.audio), AUDIO_BYTES, "bytes (split longer recordings)")
    c.over("mime_type", len(pb.mime_type), MIME_TYPE)
    c.over("language", len(pb.language), LANGUAGE)
    c.over("prompt", len(pb.prompt), AUDIO_TEXT)
    c.tags(pb.tags)
    c.raise_if_any()


def check_speech(pb: audio_pb2.SynthesizeSpeechRequest) -> None:
    c = _Checker()
    c.over("model", len(pb.model), MODEL_ID)
    c.over("input", len(pb.input), AUDIO_TEXT)
    c.over("instructions", len(pb.instructions), AUDIO_TEXT)
    c.over("voice", len(pb.voice), VOICE)
    c.tags(pb.tags)
    c.enum("format", pb.format, _AUDIO_FORMATS, "AudioFormat")
    c.raise_if_any()


def check_image(pb: image_pb2.GenerateImageRequest) -> None:
    c = _Checker()
    c.over("model", len(pb.model), MODEL_ID)
    c.over("user", len(pb.user), USER)
    c.over("prompt", len(pb.prompt), PROMPT)
    c.tags(pb.tags)
    if pb.HasField("count") and not 1 <= pb.count <= IMAGE_COUNT:
        c.violations.append(("count", f"must be between 1 and {IMAGE_COUNT}"))
    for name in ("size", "quality", "style"):
        c.over(name, len(getattr(pb, name)), IMAGE_OPTION)
    c.enum("output", pb.output, _IMAGE_OUTPUTS, "ImageOutput")
    c.raise_if_any()


def check_list_models(pb: model_pb2.ListModelsRequest | admin_pb.ListModelsRequest) -> None:
    """Both services' ListModels. A `page_size` above the limit is lowered to it (AIP-158)."""
    c = _Checker()
    if pb.page_size < 0:
        c.violations.append(("page_size", "must not be negative"))
    c.over("page_token", len(pb.page_token), PAGE_TOKEN)
    c.over("provider", len(pb.provider), PROVIDER)
    c.enum("capability", pb.capability, _CAPABILITIES, "Capability")
    c.raise_if_any()


# -- AdminService -----------------------------------------------------------------------------
def check_admin(request: object) -> None:
    """The bounds of an AdminService request's own fields. A `Model`'s fields are bounded
    by the model's types (`core.models`), checked by the registry's validation: its
    conversion is linear in the request, which the request size bounds."""
    if isinstance(request, admin_pb.ListModelsRequest):
        check_list_models(request)
        return
    c = _Checker()
    if isinstance(request, admin_pb.GetModelRequest | admin_pb.DeleteModelRequest):
        c.over("id", len(request.id), MODEL_ID)
    if isinstance(request, admin_pb.DeleteModelRequest | admin_pb.UpdateModelRequest):
        c.over("etag", len(request.etag), ID)
    if isinstance(request, admin_pb.UpdateModelRequest):
        paths = request.update_mask.paths
        if not c.over("update_mask.paths", len(paths), UPDATE_MASK_PATHS, "paths"):
            for i, p in enumerate(paths):
                c.over(f"update_mask.paths[{i}]", len(p), UPDATE_MASK_PATH)
    c.raise_if_any()
