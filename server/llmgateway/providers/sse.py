"""Incremental Server-Sent Events decoder (WHATWG framing).

Handles `\\n`, `\\r\\n` and `\\r` line endings, including a `\\r\\n` split across
two network chunks (Gemini frames events with `\\r\\n\\r\\n`), comment lines,
multi-line data and the optional space after the colon.

With `other_lines`, a line that is not an SSE field is passed on as its own event
named OTHER_LINE instead of being ignored: Gemini reports a failure after its
stream started as raw multi-line JSON between the `data:` events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

OTHER_LINE = "llmgateway.other-line"
_FIELDS = (b"data", b"event", b"id", b"retry")


@dataclass(slots=True)
class SSEEvent:
    data: str
    event: str = ""


class SSEDecoder:
    __slots__ = ("_data", "_event", "_other_lines", "_pending", "_skip_lf")

    def __init__(self, other_lines: bool = False) -> None:
        self._other_lines = other_lines
        self._pending = b""  # an incomplete line carried to the next chunk
        self._skip_lf = False  # the previous chunk ended in "\r": a leading "\n" belongs to it
        self._data: list[bytes] = []
        self._event = b""

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        if self._skip_lf:
            self._skip_lf = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        if self._pending:
            chunk = self._pending + chunk
            self._pending = b""
        lines = chunk.splitlines(keepends=True)
        if lines:
            last = lines[-1]
            if last[-1:] not in (b"\n", b"\r"):
                self._pending = lines.pop()
            elif last.endswith(b"\r"):
                self._skip_lf = True
        events: list[SSEEvent] = []
        for raw in lines:
            line = raw.rstrip(b"\r\n")
            if not line:
                if self._data:
                    events.append(self._dispatch())
                else:
                    self._event = b""
                continue
            if line[0] == 0x3A:  # ":" comment / keep-alive
                continue
            name, sep, value = line.partition(b":")
            if sep and value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                self._data.append(value)
            elif name == b"event":
                self._event = value
            elif self._other_lines and name not in _FIELDS:
                events.append(SSEEvent(line.decode("utf-8", errors="replace"), OTHER_LINE))
        return events

    def flush(self) -> list[SSEEvent]:
        """Call at EOF: returns an event whose terminating blank line never came."""
        if self._pending:
            line, self._pending = self._pending, b""
            events = self.feed(line + b"\n")
            if events:
                return events
        return [self._dispatch()] if self._data else []

    def _dispatch(self) -> SSEEvent:
        data = b"\n".join(self._data).decode("utf-8", errors="replace")
        event = self._event.decode("utf-8", errors="replace")
        self._data = []
        self._event = b""
        return SSEEvent(data, event)


async def sse_batches(
    chunks: AsyncIterator[bytes], other_lines: bool = False
) -> AsyncIterator[list[SSEEvent]]:
    """The SSE events of each byte chunk that completes at least one, as one list;
    an unterminated last event is still yielded."""
    decoder = SSEDecoder(other_lines)
    async for chunk in chunks:
        events = decoder.feed(chunk)
        if events:
            yield events
    events = decoder.flush()
    if events:
        yield events
