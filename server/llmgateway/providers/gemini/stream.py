"""`streamGenerateContent?alt=sse` -> domain stream events.

Each `data:` event is a whole GenerateContentResponse: text parts are deltas,
function calls come whole, `usageMetadata` is cumulative (the last value of each
field wins) and there is no terminator: a stream is complete when a candidate
carried a finishReason. A failure after the stream started comes as raw JSON
lines between the events, which are collected until their braces balance.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
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


async def stream_events(
    events: AsyncIterator[SSEEvent], request: ChatRequest
) -> AsyncGenerator[StreamEvent, None]:
    """Domain events of one stream; exactly one StreamEnd, last, unless it raises."""
    loads = orjson.loads
    usage: dict[str, Any] = {}
    finish: Any = None
    response_id = upstream_model = ""
    calls = 0
    chars = 0  # of the answer, for a usage estimate when no counts come
    raw_error: list[str] = []
    balance = 0
    async for ev in events:
        if ev.event == OTHER_LINE:
            raw_error.append(ev.data)
            balance += ev.data.count("{") - ev.data.count("}")
            if balance <= 0 or sum(map(len, raw_error)) > _MAX_ERROR_CHARS:
                raise _raw_error("".join(raw_error))
            continue
        try:
            chunk = loads(ev.data)
        except orjson.JSONDecodeError:
            raise bad_response(PROVIDER, "a stream event is not valid JSON") from None
        if not isinstance(chunk, dict):
            raise bad_response(PROVIDER, "a stream event is not a JSON object")
        if chunk.get("error"):
            raise error_from_body(200, {}, chunk, in_stream=True)
        u = chunk.get("usageMetadata")
        if isinstance(u, dict):
            usage.update(u)
        if not response_id:
            response_id = str(chunk.get("responseId") or "")
            upstream_model = str(chunk.get("modelVersion") or "")
            if response_id:
                yield StreamStart(response_id, upstream_model)
        candidate, parts = candidate_parts(chunk)
        if candidate is None:
            continue  # usage only
        for part in parts:
            for event in part_events(part, calls, response_id):
                if isinstance(event, TextDelta | ReasoningDelta):
                    chars += len(event.text)
                elif isinstance(event, ToolCallDelta):
                    chars += len(event.name) + len(event.arguments)
                    calls += 1
                yield event
        finish = candidate.get("finishReason") or finish
    if raw_error:
        raise _raw_error("".join(raw_error))
    if finish is None:
        raise provider_unavailable(PROVIDER, "stream ended before a finish reason")
    counts = parse_usage(usage) or estimate_usage(request, chars)
    yield StreamEnd(finish_reason(finish, bool(calls)), counts, response_id, upstream_model)


def _raw_error(text: str) -> Exception:
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        return bad_response(PROVIDER, "the stream carried a line that is neither an event nor JSON")
    return error_from_body(200, {}, body, in_stream=True)
