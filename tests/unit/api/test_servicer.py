"""The servicer's memo of converted chat requests: byte-identical requests (by method)
share one conversion; a request with no bytes on the call, a large one or an invalid
one is converted every time and never kept."""

from __future__ import annotations

from typing import Any

import pytest

from llmgateway.api.servicer import GatewayServicer
from llmgateway.core.calls import Call
from llmgateway.core.errors import GatewayError
from llmgateway.core.memo import MEMO_WIRE_BYTES
from llmgateway.v1 import chat_pb2
from tests.helpers import stream, user


class _Service:
    """Stands in for the inference service: a stream is the request it was given."""

    def stream_chat(self, req: Any, call: Call) -> Any:
        return req


def _call(wire: bytes, method: str = "StreamChat") -> Call:
    call = Call(method, "0123456789abcdef0123456789abcdef")
    call.wire_request = wire
    return call


def _convert(servicer: GatewayServicer, wire: bytes, method: str = "StreamChat") -> Any:
    return servicer.stream_chat(chat_pb2.StreamChatRequest.FromString(wire), _call(wire, method))


def test_identical_bytes_convert_once_per_method() -> None:
    servicer = GatewayServicer(_Service())  # type: ignore[arg-type]
    wire = stream("mock/echo", user("same question")).SerializeToString()
    first = _convert(servicer, wire)
    assert _convert(servicer, wire) is first
    assert first.messages[0].parts[0].text == "same question"
    other = _convert(servicer, stream("mock/echo", user("another")).SerializeToString())
    assert other is not first and other.messages[0].parts[0].text == "another"
    assert _convert(servicer, wire, method="Chat") is not first  # another method's bytes
    assert len(servicer.chat_requests) == 3


def test_requests_without_bytes_large_or_invalid_are_never_kept() -> None:
    servicer = GatewayServicer(_Service())  # type: ignore[arg-type]
    pb = stream("mock/echo", user("no bytes"))
    assert servicer.stream_chat(pb, _call(b"")) is not servicer.stream_chat(pb, _call(b""))

    large = stream("mock/echo", user("x" * MEMO_WIRE_BYTES)).SerializeToString()
    assert _convert(servicer, large) is not _convert(servicer, large)

    invalid = stream("m" * 1000, user("model id too long")).SerializeToString()
    for _ in range(2):
        with pytest.raises(GatewayError):
            _convert(servicer, invalid)
    assert len(servicer.chat_requests) == 0
