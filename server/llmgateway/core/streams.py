"""Streams and results, both ways: `StreamFolder` folds stream events into the
`ChatResult` a unary call would have returned, and `replay` turns a result back
into the events a live stream gives (a cache hit on StreamChat). `first_event`
opens an upstream stream (chat or speech) up to its first answer event. `coalesce`
merges deltas that were ready together into fewer events.

fold(replay(r)) == r for every result the gateway produces: reasoning parts (text,
signature, redacted data), text, tool calls in order, finish reason and usage.
fold(coalesce(events)) == fold(events) for every list of events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
from typing import TypeVar

from llmgateway.core.deadline import Budget
from llmgateway.core.errors import GatewayError, bad_response, provider_timeout
from llmgateway.core.models import Model
from llmgateway.core.pipeline import Outcome
from llmgateway.core.types import (
    ChatResult,
    FinishReason,
    Message,
    ReasoningDelta,
    ReasoningPart,
    Role,
    Served,
    StreamEnd,
    StreamEvent,
    StreamStart,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    Usage,
)

# The transport's own phase timer and this backstop both come due when a loaded loop
# wakes late; a margin well above one stalled loop turn lets the transport's phase win.
FIRST_EVENT_GRACE_S = 0.25
Event = TypeVar("Event")
Start = TypeVar("Start")


class StreamFolder:
    """Accumulates events one at a time; `result()` is the answer so far.

    Text and reasoning keep their order as parts: a reasoning block ends at its
    signature (or is one redacted block), so Anthropic's several signed thinking
    blocks stay several parts, as the provider needs them sent back."""

    __slots__ = ("_calls", "_end", "_parts", "_start")

    def __init__(self) -> None:
        self._parts: list[TextPart | ReasoningPart] = []
        self._calls: dict[int, list[str]] = {}  # index -> [id, name, fragments...]
        self._start: StreamStart | None = None
        self._end: StreamEnd | None = None

    def add(self, event: StreamEvent) -> None:
        if isinstance(event, TextDelta):
            parts = self._parts
            last = parts[-1] if parts else None
            if isinstance(last, TextPart):
                last.text += event.text
            else:
                parts.append(TextPart(event.text))
        elif isinstance(event, ReasoningDelta):
            self._reasoning(event)
        elif isinstance(event, ToolCallDelta):
            call = self._calls.setdefault(event.index, ["", ""])
            call[0] = call[0] or event.id
            call[1] = call[1] or event.name
            if event.arguments:
                call.append(event.arguments)
        elif isinstance(event, StreamStart):
            self._start = event
        else:
            self._end = event

    def _reasoning(self, delta: ReasoningDelta) -> None:
        parts = self._parts
        if delta.redacted_data:
            parts.append(ReasoningPart(redacted_data=delta.redacted_data))
            return
        last = parts[-1] if parts else None
        if not isinstance(last, ReasoningPart) or last.signature or last.redacted_data:
            last = ReasoningPart()
            parts.append(last)
        last.text += delta.text
        if delta.signature:
            last.signature = delta.signature

    @property
    def complete(self) -> bool:
        """Whether the end event arrived."""
        return self._end is not None

    def result(self) -> ChatResult:
        calls = [
            ToolCall(call_id, name, "".join(fragments))
            for call_id, name, *fragments in (self._calls[i] for i in sorted(self._calls))
        ]
        message = Message(Role.ASSISTANT, [*self._parts], calls)
        end, start = self._end, self._start
        served = start.served if start is not None else None
        if end is None:
            return ChatResult(
                message,
                FinishReason.UNSPECIFIED,
                Usage(),
                start.response_id if start else "",
                served.upstream_model if served else "",
            )
        return ChatResult(
            message,
            end.finish_reason,
            end.usage,
            end.response_id or (start.response_id if start else ""),
            end.upstream_model or (served.upstream_model if served else ""),
        )


def stream_outcome(
    folder: StreamFolder | None, error: GatewayError | None = None, cancelled: bool = False
) -> Outcome:
    """How a stream ended, for the policies' `settle`: its folded answer when it was folded."""
    if folder is None:
        return Outcome(complete=error is None and not cancelled, error=error, cancelled=cancelled)
    return Outcome(folder.result(), folder.complete, error, cancelled)


def replay(result: ChatResult, served: Served | None, chunk_chars: int = 0) -> Iterator[StreamEvent]:
    """The events of a live stream that would fold into `result`: start, reasoning
    and text deltas (re-chunked to `chunk_chars` characters when positive), tool
    calls (id and name first, then the arguments), end."""
    yield StreamStart(result.response_id, result.upstream_model, served)
    for part in result.message.parts:
        if isinstance(part, TextPart):
            for piece in _chunks(part.text, chunk_chars):
                yield TextDelta(piece)
        elif isinstance(part, ReasoningPart):
            if part.redacted_data:
                yield ReasoningDelta(redacted_data=part.redacted_data)
                continue
            pieces = list(_chunks(part.text, chunk_chars)) or [""]
            for piece in pieces[:-1]:
                yield ReasoningDelta(piece)
            yield ReasoningDelta(pieces[-1], signature=part.signature)
    for index, call in enumerate(result.message.tool_calls):
        yield ToolCallDelta(index, call.id, call.name)
        for piece in _chunks(call.arguments, chunk_chars):
            yield ToolCallDelta(index, arguments=piece)
    yield StreamEnd(result.finish_reason, result.usage, result.response_id, result.upstream_model)


def _chunks(text: str, size: int) -> Iterator[str]:
    if not text:
        return
    if size <= 0:
        yield text
        return
    for i in range(0, len(text), size):
        yield text[i : i + size]


async def first_event(
    events: AsyncGenerator[Event, None], start: Start, cfg: Model, budget: Budget
) -> tuple[AsyncGenerator[Event, None], Start, Event]:
    """Starts one upstream stream and waits for its first delta or audio (first-token
    budget). A start event the adapter sends first (StreamStart: the response id and
    model; SpeechStart: the format) does not count as the first event (a failure right
    after it may still be retried). The HTTP transport times the phases before it
    (response headers, first chunk) itself: this bound is a backstop a little later, so
    that the transport's phase wins."""
    try:
        async with asyncio.timeout(budget.first_token + FIRST_EVENT_GRACE_S):
            first = await anext(events, None)
            while isinstance(first, type(start)):
                start = first
                first = await anext(events, None)
    except TimeoutError:
        await events.aclose()
        raise provider_timeout(cfg.provider, "first token") from None
    except BaseException:
        await events.aclose()
        raise
    if first is None:
        await events.aclose()
        raise bad_response(cfg.provider, "the stream ended before any event")
    return events, start, first


def coalesce(events: list[StreamEvent]) -> list[StreamEvent]:
    """The same stream in fewer events: each run of consecutive deltas of one kind
    becomes one delta. Text joins text; reasoning text joins reasoning text until a
    signature closes the block (redacted blocks stay whole); argument fragments join
    the delta before them when it is of the same tool call (a delta that names a
    call starts a new event). Nothing is reordered, and starts and ends pass as they
    are, so the folded answer is the same."""
    out: list[StreamEvent] = []
    last: StreamEvent | None = None
    for event in events:
        if isinstance(event, TextDelta) and isinstance(last, TextDelta):
            last = out[-1] = TextDelta(last.text + event.text)
        elif (
            isinstance(event, ReasoningDelta)
            and isinstance(last, ReasoningDelta)
            and not (last.signature or last.redacted_data or event.redacted_data)
        ):
            last = out[-1] = ReasoningDelta(last.text + event.text, event.signature)
        elif (
            isinstance(event, ToolCallDelta)
            and isinstance(last, ToolCallDelta)
            and last.index == event.index
            and not (event.id or event.name)
        ):
            last = out[-1] = ToolCallDelta(last.index, last.id, last.name, last.arguments + event.arguments)
        else:
            out.append(event)
            last = event
    return out
