"""The cache's value format: compact, exact and versioned binary, the same in memory and
in Redis (so the in-process cache holds immutable bytes, accounted exactly, and no
caller can change a stored entry through the object it was given).

Why not JSON: an answer is mostly text, so JSON would be nearly as small, but vectors
(Embed) are floats that JSON spells in ~18 characters where float32 takes 4 bytes,
and the protobuf messages themselves cannot be used here (the core imports no
protobuf). `marshal` is fast but tied to the Python version and unsafe on bad input;
a value written by one replica must be read by another.

Layout, little-endian: a header (magic with version, kind, the time it was stored as
Unix seconds, the number of integers and of byte strings), the integers (int64), the
byte strings' lengths (uint32), then the byte strings back to back. Every value is
checked while decoding; anything malformed raises `CodecError` and counts as a miss.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Sequence

from llmgateway.core.types import (
    ChatResult,
    FinishReason,
    Message,
    ReasoningPart,
    Role,
    Served,
    TextPart,
    ToolCall,
    Usage,
)

MAGIC = b"LGC\x01"
KIND_CHAT = 1
KIND_EMBED = 2
_HEAD = struct.Struct("<4sBdII")  # magic, kind, stored_at, integers, byte strings
_TEXT, _REASONING = 0, 1
_SERVED_FIELDS = 5  # model, provider, deployment, upstream model, response id
_SWAP = sys.byteorder == "big"  # vectors are stored little-endian


class CodecError(ValueError):
    """A stored value that this version cannot read."""


def _pack(kind: int, stored_at: float, ints: Sequence[int], blobs: Sequence[bytes]) -> bytes:
    head = _HEAD.pack(MAGIC, kind, stored_at, len(ints), len(blobs))
    table = struct.pack(f"<{len(ints)}q{len(blobs)}I", *ints, *map(len, blobs))
    return b"".join((head, table, *blobs))


def _unpack(value: bytes, kind: int) -> tuple[float, tuple[int, ...], list[bytes]]:
    try:
        magic, found, stored_at, n_ints, n_blobs = _HEAD.unpack_from(value)
        start = _HEAD.size + 8 * n_ints + 4 * n_blobs
        if magic != MAGIC or found != kind or start > len(value):
            raise CodecError("not a cache value of this kind and version")
        numbers = struct.unpack_from(f"<{n_ints}q{n_blobs}I", value, _HEAD.size)
    except struct.error as exc:
        raise CodecError(str(exc)) from None
    blobs, pos = [], start
    for length in numbers[n_ints:]:
        blobs.append(value[pos : pos + length])
        pos += length
    if pos != len(value):
        raise CodecError("the value's length does not match its table")
    return stored_at, numbers[:n_ints], blobs


def _served_blobs(served: Served) -> list[str]:
    return [served.model, served.provider, served.deployment, served.upstream_model, served.response_id]


def _served(texts: Sequence[str]) -> Served:
    # attempts=0: the call that replays it made no upstream attempt
    return Served(texts[0], texts[1], texts[2], texts[3], texts[4], attempts=0)


# -- chat answers ------------------------------------------------------------------------------
def encode_chat(result: ChatResult, served: Served, stored_at: float) -> bytes | None:
    """The value of a complete answer, or None when it cannot be stored exactly (text
    that is not valid Unicode)."""
    message = result.message
    kinds: list[int] = []
    texts = [result.finish_reason.value, *_served_blobs(served), result.response_id, result.upstream_model]
    for part in message.parts:
        if isinstance(part, TextPart):
            kinds.append(_TEXT)
            texts.append(part.text)
        elif isinstance(part, ReasoningPart):
            kinds.append(_REASONING)
            texts += (part.text, part.signature, part.redacted_data)
        else:
            return None  # an assistant answer has no images
    for call in message.tool_calls:
        texts += (call.id, call.name, call.arguments)
    u = result.usage
    ints = [u.prompt_tokens, u.completion_tokens, u.cached_prompt_tokens, u.reasoning_tokens]
    ints += [len(message.tool_calls), *kinds]
    try:
        return _pack(KIND_CHAT, stored_at, ints, [t.encode() for t in texts])
    except (UnicodeEncodeError, struct.error):
        return None


def decode_chat(value: bytes) -> tuple[ChatResult, Served, float]:
    """The answer, what served it, and when it was stored (Unix seconds)."""
    stored_at, ints, blobs = _unpack(value, KIND_CHAT)
    try:
        texts = [b.decode() for b in blobs]
        finish = FinishReason(texts[0])
        served = _served(texts[1:6])
        response_id, upstream_model = texts[6], texts[7]
        prompt, completion, cached, reasoning, n_calls, *kinds = ints
        pos = 8
        parts: list[TextPart | ReasoningPart] = []
        for kind in kinds:
            if kind == _TEXT:
                parts.append(TextPart(texts[pos]))
                pos += 1
            elif kind == _REASONING:
                parts.append(ReasoningPart(texts[pos], texts[pos + 1], texts[pos + 2]))
                pos += 3
            else:
                raise CodecError(f"unknown part kind {kind}")
        if n_calls < 0 or pos + 3 * n_calls != len(texts):
            raise CodecError("the value's parts do not match its strings")
        calls = [ToolCall(*texts[p : p + 3]) for p in range(pos, len(texts), 3)]
    except (UnicodeDecodeError, ValueError, IndexError, TypeError) as exc:
        raise CodecError(str(exc)) from None
    message = Message(Role.ASSISTANT, [*parts], calls)
    usage = Usage(prompt, completion, cached, reasoning)
    return ChatResult(message, finish, usage, response_id, upstream_model), served, stored_at


# -- embedding vectors -------------------------------------------------------------------------
def encode_vector(vector: Sequence[float], served: Served, stored_at: float) -> bytes | None:
    """One input's vector as float32 (the contract's `repeated float`: what the caller
    gets is exactly what a live call gives), or None when it does not fit float32."""
    try:
        floats = array("f", vector)
        texts = [t.encode() for t in _served_blobs(served)]
    except (OverflowError, TypeError, UnicodeEncodeError):
        return None
    if _SWAP:
        floats.byteswap()
    return _pack(KIND_EMBED, stored_at, (), [*texts, floats.tobytes()])


def decode_vector(value: bytes) -> tuple[list[float], Served, float]:
    stored_at, _, blobs = _unpack(value, KIND_EMBED)
    if len(blobs) != _SERVED_FIELDS + 1 or len(blobs[-1]) % 4:
        raise CodecError("not a vector")
    try:
        served = _served([b.decode() for b in blobs[:-1]])
    except UnicodeDecodeError as exc:
        raise CodecError(str(exc)) from None
    floats = array("f")
    floats.frombytes(blobs[-1])
    if _SWAP:
        floats.byteswap()
    return floats.tolist(), served, stored_at
