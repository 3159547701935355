"""Hypothesis strategies for protobuf requests: any message of a descriptor (every field
type, unknown enum numbers, extreme numbers, long and odd strings, nested messages,
Struct JSON), near-valid chat requests that reach the model, and byte mutations."""

from __future__ import annotations

import math
from typing import Any

from google.protobuf import duration_pb2, struct_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

from llmgateway.admin.v1 import model_pb2 as admin_model_pb2
from llmgateway.v1 import chat_pb2, model_pb2

F = FieldDescriptor
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
_INTS = {
    F.TYPE_INT32: INT32,
    F.TYPE_SINT32: INT32,
    F.TYPE_SFIXED32: INT32,
    F.TYPE_INT64: INT64,
    F.TYPE_SINT64: INT64,
    F.TYPE_SFIXED64: INT64,
    F.TYPE_UINT32: (0, 2**32 - 1),
    F.TYPE_FIXED32: (0, 2**32 - 1),
    F.TYPE_UINT64: (0, 2**64 - 1),
    F.TYPE_FIXED64: (0, 2**64 - 1),
}
# Values the gateway gives meaning to, so that generated requests get past the first check.
WORDS = [
    "",
    "mock/echo",
    "mock/embed",
    "mock/image",
    "nobody/nothing",
    "mock",
    "openai",
    "a",
    "https://example.com/cat.png",
    "http://[::1",
    "http://host:99999/x",
    "data:image/png;base64,iVBORw0KGgo=",
    "file:///etc/passwd",
    "image/png",
    "llmgateway.providers.mock.MockAdapter",
    "os.system",
    "*",
    "is_available",
    "pricing.output_per_million",
    "1024x1024",
    "\x00",
    "\ud7ff\ue000",
    "ünïcödé ✓ 🎉",
]


def text() -> st.SearchStrategy[str]:
    """Mostly short strings and meaningful words; sometimes long ones (past the id bounds)."""
    return st.one_of(
        st.sampled_from(WORDS),
        st.text(max_size=12),
        st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "/", " ", "0"]), st.integers(60, 2100)),
    )


def _int(bounds: tuple[int, int]) -> st.SearchStrategy[int]:
    low, high = bounds
    edges = [v for v in (0, 1, -1, 2, 1023, 1024, 1025, 4096, 4097, 262145, low, high) if low <= v <= high]
    return st.one_of(st.sampled_from(edges), st.integers(low, high))


def _double() -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.0, 2.5, -1.0, 1e308, -1e308, math.inf, -math.inf, math.nan]),
        st.floats(allow_nan=True, allow_infinity=True),
    )


def json_values() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(["object", "string", "integer", "array", "type", "properties", "$schema"]),
        st.text(max_size=8),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(2**60), 2**60),
    )
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=24,
    )


@st.composite
def structs(draw: st.DrawFn) -> struct_pb2.Struct:
    value = draw(
        st.one_of(
            st.dictionaries(st.text(max_size=8), json_values(), max_size=5),
            st.just({"type": "object", "properties": {"a": {"type": "string"}}}),
            st.builds(_nested, st.integers(1, 16)),  # 2n+1 levels: past the 32 bound at 16
            st.just({"$schema": "http://127.0.0.1:9/never-fetched", "type": "object"}),
        )
    )
    s = struct_pb2.Struct()
    s.update(value)
    return s


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        value = {"type": "object", "properties": {"a": value}}
    return value


def _scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind in _INTS:
        return _int(_INTS[kind])
    if kind in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        return _double() if kind == F.TYPE_DOUBLE else st.floats(width=32, allow_nan=True)
    if kind == F.TYPE_BOOL:
        return st.booleans()
    if kind == F.TYPE_STRING:
        return text()
    if kind == F.TYPE_BYTES:
        return st.one_of(st.binary(max_size=16), st.just(b"\x89PNG\r\n\x1a\n" + bytes(8)))
    if kind == F.TYPE_ENUM:
        known = [v.number for v in field.enum_type.values]
        return st.one_of(st.sampled_from(known), _int(INT32))
    raise AssertionError(f"no strategy for field type {kind}")


@st.composite
def messages(draw: st.DrawFn, descriptor: Descriptor, depth: int = 0) -> Message:
    """Any message of `descriptor`: a random subset of its fields, each with any value of
    its type (message fields down to four levels)."""
    cls = GetMessageClass(descriptor)
    if descriptor.full_name == "google.protobuf.Struct":
        return draw(structs())
    msg = cls()
    fields = [f for f in descriptor.fields if f.message_type is None or depth < 4]
    for field in draw(
        st.lists(st.sampled_from(fields), max_size=len(fields), unique=True) if fields else st.just([])
    ):
        _set(draw, msg, field, depth)
    return msg


def _set(draw: st.DrawFn, msg: Message, field: FieldDescriptor, depth: int) -> None:
    target = getattr(msg, field.name)
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        key_field, value_field = (
            field.message_type.fields_by_name["key"],
            field.message_type.fields_by_name["value"],
        )
        for _ in range(draw(st.integers(0, 3))):
            key = draw(_scalar(key_field))
            if value_field.message_type is None:
                target[key] = draw(_scalar(value_field))
            else:
                target[key].CopyFrom(draw(messages(value_field.message_type, depth + 1)))
        return
    repeated = field.is_repeated
    count = draw(st.integers(0, 3)) if repeated else 1
    if field.message_type is not None:
        values = [draw(messages(field.message_type, depth + 1)) for _ in range(count)]
        if repeated:
            target.extend(values)
        else:
            target.CopyFrom(values[0])
    elif repeated:
        target.extend(draw(_scalar(field)) for _ in range(count))
    else:
        setattr(msg, field.name, draw(_scalar(field)))


# -- chat requests that get past validation -----------------------------------------------------
def _part() -> st.SearchStrategy[chat_pb2.ContentPart]:
    return st.one_of(
        st.builds(lambda t: chat_pb2.ContentPart(text=t), text()),
        st.builds(
            lambda uri, detail: chat_pb2.ContentPart(image=chat_pb2.ImagePart(uri=uri, detail=detail)),
            st.sampled_from(
                ["https://example.com/a.png", "http://[::1", "https://h:0/x", "data:image/png;base64,AA=="]
            ),
            st.sampled_from([0, 1, 2, 3, 7]),
        ),
        st.just(chat_pb2.ContentPart(image=chat_pb2.ImagePart(data=b"\x89PNG\r\n\x1a\n" + bytes(8)))),
    )


@st.composite
def chat_requests(draw: st.DrawFn, cls: Any = chat_pb2.ChatRequest) -> Message:
    """Mostly valid conversations for mock/echo, with tools, tool results, generation
    settings and response formats, a few fields at a time out of place."""
    messages_ = [
        chat_pb2.Message(role=chat_pb2.ROLE_USER, content=draw(st.lists(_part(), min_size=1, max_size=3)))
    ]
    if draw(st.booleans()):
        call_id = draw(st.sampled_from(["c1", "x" * 300]))
        messages_ += [
            chat_pb2.Message(
                role=chat_pb2.ROLE_ASSISTANT,
                tool_calls=[chat_pb2.ToolCall(id=call_id, name="f", arguments=draw(text()))],
            ),
            chat_pb2.Message(
                role=draw(st.sampled_from([chat_pb2.ROLE_TOOL, 9])),
                tool_call_id=call_id,
                content=[chat_pb2.ContentPart(text="42")],
            ),
        ]
    request = cls(model="mock/echo", messages=messages_)
    if draw(st.booleans()):
        request.tools.add(
            name=draw(st.sampled_from(["f", "g", "bad name", "x" * 70])), parameters=draw(structs())
        )
    if draw(st.booleans()):
        request.generation.CopyFrom(draw(messages(chat_pb2.GenerationConfig.DESCRIPTOR)))
    if draw(st.booleans()):
        request.response_format.CopyFrom(draw(messages(chat_pb2.ResponseFormat.DESCRIPTOR)))
    if draw(st.booleans()):
        request.tool_choice.CopyFrom(draw(messages(chat_pb2.ToolChoice.DESCRIPTOR)))
    return request


# -- bytes ---------------------------------------------------------------------------------------
@st.composite
def mutations(draw: st.DrawFn, raw: bytes) -> bytes:
    """`raw` with a few bytes flipped, inserted, deleted or the tail cut."""
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "splice"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif op == "delete" and data:
            del data[at : at + draw(st.integers(1, 4))]
        elif op == "truncate":
            del data[at:]
        elif op == "splice":
            data[at:at] = data[: draw(st.integers(0, 16))]
    return bytes(data)


# -- admin models that pass validation but for their numbers --------------------------------------
@st.composite
def durations(draw: st.DrawFn) -> duration_pb2.Duration:
    big = [315_576_000_000, 315_576_000_001, 10**14, 2**62, 2**63 - 1, -(2**63)]
    seconds = draw(st.one_of(st.sampled_from(big), _int(INT64)))
    return duration_pb2.Duration(seconds=seconds, nanos=draw(st.one_of(st.just(0), _int(INT32))))


@st.composite
def admin_models(draw: st.DrawFn) -> Message:
    """A valid mock model but for one number: a timeout, a retry or cooldown setting, a
    price, the weight or the context length, any value of its type."""
    model = admin_model_pb2.Model(
        id=f"fuzz/m{draw(st.integers(0, 2**40))}",
        provider="mock",
        upstream_model="echo",
        capabilities=[model_pb2.CAPABILITY_CHAT],
    )
    target = draw(st.sampled_from(["timeouts", "retry", "cooldown", "pricing", "weight", "context_length"]))
    if target == "timeouts":
        getattr(model.timeouts, draw(st.sampled_from(["connect", "first_token", "idle", "total"]))).CopyFrom(
            draw(durations())
        )
    elif target == "retry":
        model.retry.max_retries = draw(st.integers(0, 3))
        model.retry.initial_backoff.CopyFrom(draw(durations()))
        model.retry.max_backoff.CopyFrom(draw(durations()))
        model.retry.multiplier = draw(_double())
    elif target == "cooldown":
        model.cooldown.failures = draw(_int(INT32))
        model.cooldown.window.CopyFrom(draw(durations()))
        model.cooldown.cooldown.CopyFrom(draw(durations()))
    elif target == "pricing":
        price = st.one_of(
            _double().map(repr),
            text(),
            st.sampled_from(["0", "-0", "0.000000000001", "1e-13", "1e999999999", "1e-999999999", "sNaN"]),
        )
        name = draw(st.sampled_from(["input_per_million", "cached_input_per_million", "audio_per_minute"]))
        setattr(model.pricing, name, draw(price))
        model.pricing.per_image[draw(text())] = draw(price)
        model.pricing.currency = draw(st.sampled_from(["", "USD", "usd", "EURO", "€"]))
    elif target == "weight":
        model.weight = draw(_double())
    else:
        model.context_length = draw(_int(INT32))
    return model
