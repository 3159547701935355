from __future__ import annotations

import pytest

from llmgateway.providers.sse import OTHER_LINE, SSEDecoder, SSEEvent

STREAM = (
    b": keep-alive\n"
    b"event: message_start\n"
    b'data: {"a": 1}\n'
    b"\n"
    b"data:no-space\n"
    b"\n"
    b"data: line one\n"
    b"data: line two\n"
    b"\n"
    b"data: caf\xc3\xa9\n"
    b"\n"
    b"data: [DONE]\n"
    b"\n"
)
EXPECTED = [
    SSEEvent('{"a": 1}', "message_start"),
    SSEEvent("no-space"),
    SSEEvent("line one\nline two"),
    SSEEvent("café"),
    SSEEvent("[DONE]"),
]


def decode(chunks: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events = [e for chunk in chunks for e in decoder.feed(chunk)]
    return events + decoder.flush()


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
def test_every_split_point(newline: bytes) -> None:
    stream = STREAM.replace(b"\n", newline)
    assert decode([stream]) == EXPECTED
    for cut in range(1, len(stream)):
        assert decode([stream[:cut], stream[cut:]]) == EXPECTED, f"split at {cut}"


def test_byte_at_a_time_crlf() -> None:
    stream = STREAM.replace(b"\n", b"\r\n")
    assert decode([stream[i : i + 1] for i in range(len(stream))]) == EXPECTED


def test_unterminated_last_event_is_flushed() -> None:
    assert decode([b"data: [DONE]"]) == [SSEEvent("[DONE]")]
    assert decode([b"data: x\n"]) == [SSEEvent("x")]


def test_event_name_without_data_is_dropped() -> None:
    assert decode([b"event: ping\n\ndata: y\n\n"]) == [SSEEvent("y")]


def test_other_lines_are_passed_on_only_when_asked() -> None:
    stream = b'data: 1\r\n\r\n{\r\n  "error": {"code": 503}\r\n}\r\nid: 7\r\nretry: 10\r\n: comment\r\n'
    assert decode([stream]) == [SSEEvent("1")]
    decoder = SSEDecoder(other_lines=True)
    events = [e for i in range(len(stream)) for e in decoder.feed(stream[i : i + 1])] + decoder.flush()
    assert events == [
        SSEEvent("1"),
        SSEEvent("{", OTHER_LINE),
        SSEEvent('  "error": {"code": 503}', OTHER_LINE),
        SSEEvent("}", OTHER_LINE),
    ]
