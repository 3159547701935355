"""The cache's binary values: exact round trips for every answer shape, float32 vectors
as a live call returns them, compact, and malformed bytes refused (never a crash)."""

from __future__ import annotations

import contextlib

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmgateway.cache.codec import CodecError, decode_chat, decode_vector, encode_chat, encode_vector
from llmgateway.core.types import ChatResult, FinishReason, Message, Role, Served, TextPart, Usage
from tests.unit.core.test_streams import results

SERVED = Served("m/x", "openai", "eu-west", "gpt-x", "resp-1", attempts=3)
STORED_AT = 1_760_000_000.25


@settings(max_examples=300)
@given(results())
def test_every_answer_round_trips_exactly(result: ChatResult) -> None:
    value = encode_chat(result, SERVED, STORED_AT)
    assert value is not None
    decoded, served, stored_at = decode_chat(value)
    assert decoded == result
    assert served == Served(
        "m/x", "openai", "eu-west", "gpt-x", "resp-1", attempts=0
    )  # a replay attempts nothing
    assert stored_at == STORED_AT


def test_a_value_is_compact() -> None:
    text = "The quick brown fox jumps over the lazy dog. " * 20
    result = ChatResult(
        Message(Role.ASSISTANT, [TextPart(text)]), FinishReason.STOP, Usage(10, 200), "r", "m"
    )
    value = encode_chat(result, SERVED, STORED_AT)
    assert value is not None and len(value) < len(text) + 150


def test_text_that_is_not_unicode_is_not_stored() -> None:
    result = ChatResult(Message(Role.ASSISTANT, [TextPart("bad \udc80")]), FinishReason.STOP, Usage())
    assert encode_chat(result, SERVED, STORED_AT) is None


@given(st.lists(st.floats(width=32, allow_nan=False), max_size=64))
def test_vectors_round_trip_as_float32(vector: list[float]) -> None:
    value = encode_vector(vector, SERVED, STORED_AT)
    assert value is not None
    decoded, served, _ = decode_vector(value)
    assert decoded == vector and served.model == "m/x"
    assert len(value) < 4 * len(vector) + 80  # JSON would spell each float in ~18 characters
    assert len(orjson.dumps(vector)) >= len(vector)


@settings(max_examples=500)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_refused_or_read_never_crash(value: bytes) -> None:
    for decode in (decode_chat, decode_vector):
        with contextlib.suppress(CodecError):
            decode(value)


@given(results(), st.data())
def test_damaged_values_are_refused(result: ChatResult, data: st.DataObject) -> None:
    value = encode_chat(result, SERVED, STORED_AT)
    assert value is not None
    cut = data.draw(st.integers(0, len(value) - 1))
    with pytest.raises(CodecError):
        decode_chat(value[:cut])
    with pytest.raises(CodecError):
        decode_chat(value + b"x")
    with pytest.raises(CodecError):
        decode_vector(value)  # another kind
