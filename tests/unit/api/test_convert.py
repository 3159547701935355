from __future__ import annotations

from google.protobuf import struct_pb2

from llmgateway.api.convert import chat_request, struct_to_dict
from llmgateway.core.types import ImagePart, Role, TextPart
from llmgateway.v1 import chat_pb2


def test_struct_integral_numbers_become_ints() -> None:
    s = struct_pb2.Struct()
    s.update(
        {"type": "integer", "minimum": 1, "maximum": 2.5, "enum": [1, 2], "nested": {"n": 3.0, "b": True}}
    )
    out = struct_to_dict(s)
    assert out == {
        "type": "integer",
        "minimum": 1,
        "maximum": 2.5,
        "enum": [1, 2],
        "nested": {"n": 3, "b": True},
    }
    assert type(out["minimum"]) is int and type(out["maximum"]) is float and type(out["nested"]["n"]) is int


def test_unset_optional_fields_stay_unset() -> None:
    req = chat_request(
        chat_pb2.ChatRequest(
            model="m",
            messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.ContentPart(text="x")])],
            generation=chat_pb2.GenerationConfig(temperature=0.0),
        )
    )
    assert req.generation.temperature == 0.0  # explicitly zero, not unset
    assert req.generation.max_tokens is None and req.generation.top_p is None
    assert req.parallel_tool_calls is None and req.tool_choice is None and req.response_format is None


def test_parts_and_roles() -> None:
    pb = chat_pb2.Message(
        role=chat_pb2.ROLE_USER,
        content=[
            chat_pb2.ContentPart(text="hi"),
            chat_pb2.ContentPart(
                image=chat_pb2.ImagePart(uri="https://x.test/a.png", detail=chat_pb2.IMAGE_DETAIL_LOW)
            ),
        ],
    )
    req = chat_request(chat_pb2.ChatRequest(model="m", messages=[pb]))
    msg = req.messages[0]
    assert msg.role is Role.USER
    assert msg.parts == [TextPart("hi"), ImagePart(uri="https://x.test/a.png", detail="low")]
