"""`streamGenerateContent?alt=sse` -> domain stream events.

Each `data:` event is a whole GenerateContentResponse: text parts are deltas,
function calls come whole, `usageMetadata` is cumulative (the last value of each
field wins) and there is no terminator: a stream is complete when a candidate
carried a finishReason. A failure after the stream started comes as raw JSON
lines between the events, which are collected until their braces balance.
"""

from __future__ import annotations

from typing import Any

import orjson

from llmgateway.core.errors import bad_response, provider_unavailable
from llmgateway.core.estimate import estimate_usage
from llmgateway.core.types import (
    ChatRequest,
    ReasoningDelta,
    StreamEnd,
    StreamEvent,
    StreamStart,
    TextDelta,
    ToolCallDelta,
)
from llmgateway.providers.gemini.response import (
    PROVIDER,
    candidate_parts,
    error_from_body,
    finish_reason,
    parse_usage,
    part_events,
)
from llmgateway.providers.sse import OTHER_LINE, SSEEvent

_MAX_ERROR_CHARS = 64 * 1024


class StreamFold:
    """The state of one stream (a `streaming.Fold` of SSE events)."""

    __slots__ = (
        "balance",
        "calls",
        "chars",
        "finish_reason",
        "raw_error",
        "request",
        "response_id",
        "upstream_model",
        "usage",
    )

    def __init__(self, request: ChatRequest) -> None:
        self.request = request
        self.usage: dict[str, Any] = {}
        self.finish_reason: Any = None
        self.response_id = self.upstream_model = ""
        self.calls = 0
        self.chars = 0  # of the answer, for a usage estimate when no counts come
        self.raw_error: list[str] = []
        self.balance = 0

    def feed(self, events: list[SSEEvent], out: list[StreamEvent]) -> bool:
        for ev in events:
            if ev.event == OTHER_LINE:
                self.raw_error.append(ev.data)
                self.balance += ev.data.count("{") - ev.data.count("}")
                if self.balance <= 0 or sum(map(len, self.raw_error)) > _MAX_ERROR_CHARS:
                    raise _raw_error("".join(self.raw_error))
                continue
            self._event(ev.data, out)
        return False  # no terminator: the body's end ends the stream

    def _event(self, data: str, out: list[StreamEvent]) -> None:
        try:
            chunk = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise bad_response(PROVIDER, "a stream event is not valid JSON") from None
        if not isinstance(chunk, dict):
            raise bad_response(PROVIDER, "a stream event is not a JSON object")
        if chunk.get("error"):
            raise error_from_body(200, {}, chunk, in_stream=True)
        u = chunk.get("usageMetadata")
        if isinstance(u, dict):
            self.usage.update(u)
        if not self.response_id:
            self.response_id = str(chunk.get("responseId") or "")
            self.upstream_model = str(chunk.get("modelVersion") or "")
            if self.response_id:
                out.append(StreamStart(self.response_id, self.upstream_model))
        candidate, parts = candidate_parts(chunk)
        if candidate is None:
            return  # usage only
        for part in parts:
            for event in part_events(part, self.calls, self.response_id):
                if isinstance(event, TextDelta | ReasoningDelta):
                    self.chars += len(event.text)
                elif isinstance(event, ToolCallDelta):
                    self.chars += len(event.name) + len(event.arguments)
                    self.calls += 1
                out.append(event)
        self.finish_reason = candidate.get("finishReason") or self.finish_reason

    def finish(self) -> list[StreamEvent]:
        if self.raw_error:
            raise _raw_error("".join(self.raw_error))
        if self.finish_reason is None:
            raise provider_unavailable(PROVIDER, "stream ended before a finish reason")
        counts = parse_usage(self.usage) or estimate_usage(self.request, self.chars)
        finish = finish_reason(self.finish_reason, bool(self.calls))
        return [StreamEnd(finish, counts, self.response_id, self.upstream_model)]


def _raw_error(text: str) -> Exception:
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        return bad_response(PROVIDER, "the stream carried a line that is neither an event nor JSON")
    return error_from_body(200, {}, body, in_stream=True)
