"""A stored history message: compact JSON (orjson) that every replica and both stores
read the same way. Image bytes are base64; an answer keeps only the reasoning its
provider needs sent back (signed or redacted blocks)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from llmgateway.core.types import ContentPart, ImagePart, Message, ReasoningPart, Role, TextPart, ToolCall

_ROLES = {role.value: role for role in Role}


class CodecError(ValueError):
    """A stored message this version cannot read."""


def encode(message: Message) -> bytes | None:
    """The stored form, or None when it cannot be stored exactly (text that is not valid
    Unicode, as a provider's escaped lone surrogate)."""
    parts: list[Any] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            parts.append(part.text)
        elif isinstance(part, ReasoningPart):
            parts.append({"r": [part.text, part.signature, part.redacted_data]})
        else:
            data = base64.b64encode(part.data).decode() if part.data is not None else None
            parts.append({"i": [data, part.uri, part.mime_type, part.detail]})
    value: dict[str, Any] = {"role": message.role.value, "parts": parts}
    if message.tool_calls:
        value["calls"] = [[c.id, c.name, c.arguments] for c in message.tool_calls]
    if message.tool_call_id:
        value["answers"] = message.tool_call_id
    if message.name:
        value["name"] = message.name
    try:
        return orjson.dumps(value)
    except TypeError:
        return None


def decode(raw: bytes) -> Message:
    """Runs for every history message of every call: plain text parts take the short way."""
    try:
        value = orjson.loads(raw)
        parts = [TextPart(p) if type(p) is str else _part(p) for p in value["parts"]]
        calls = value.get("calls")
        return Message(
            _ROLES[value["role"]],
            parts,
            [ToolCall(str(i), str(n), str(a)) for i, n, a in calls] if calls else [],
            str(value.get("answers", "")),
            str(value.get("name", "")),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise CodecError(f"not a stored message: {exc}") from None


def _part(value: Any) -> ContentPart:
    if "r" in value:
        text, signature, redacted = value["r"]
        return ReasoningPart(text, signature, redacted)
    data, uri, mime_type, detail = value["i"]
    return ImagePart(base64.b64decode(data) if data is not None else None, uri, mime_type, detail)


def kept_answer(message: Message) -> Message:
    """The answer as history keeps it: text and tool calls, and the reasoning a provider
    needs sent back (a signed thinking block, a redacted one); plain reasoning text is
    not sent back (some providers refuse it)."""
    parts: list[ContentPart] = [
        p
        for p in message.parts
        if isinstance(p, TextPart) or (isinstance(p, ReasoningPart) and (p.signature or p.redacted_data))
    ]
    return Message(Role.ASSISTANT, parts, list(message.tool_calls))
