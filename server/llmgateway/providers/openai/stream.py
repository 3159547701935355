"""Chat Completions SSE stream -> domain stream events."""

from __future__ import annotations

from typing import Any

import orjson

from llmgateway.core.errors import bad_response, provider_unavailable
from llmgateway.core.estimate import estimate_usage
from llmgateway.core.types import (
    ChatRequest,
    ChatResult,
    ReasoningDelta,
    ReasoningPart,
    StreamEnd,
    StreamEvent,
    StreamStart,
    TextDelta,
    TextPart,
    ToolCallDelta,
)
from llmgateway.providers.openai.response import inband_error, map_finish, parse_usage
from llmgateway.providers.sse import SSEEvent


class _Call:
    """One streamed tool call; announced (id + name) once its name is known."""

    __slots__ = ("announced", "id", "pending")

    def __init__(self) -> None:
        self.id = ""
        self.pending = ""  # argument fragments received before the name
        self.announced = False


def _tool_call_deltas(
    calls: dict[int, _Call], ids: dict[str, int], fragments: list[Any]
) -> list[ToolCallDelta]:
    out: list[ToolCallDelta] = []
    for pos, tc in enumerate(fragments):
        if not isinstance(tc, dict):
            continue
        tc_id = tc.get("id")
        index = tc.get("index")
        if not isinstance(index, int):
            # Servers that omit `index` (whole calls per chunk): key by id, else by position.
            if tc_id and tc_id in ids:
                index = ids[tc_id]
            elif tc_id:
                index = len(calls)
            else:
                index = max(calls) if calls else pos
        fn = tc.get("function") or {}
        args = fn.get("arguments")
        if not isinstance(args, str):
            args = "" if args is None else orjson.dumps(args).decode()
        call = calls.get(index)
        if call is None:
            call = calls[index] = _Call()
        if call.announced:
            if args:
                out.append(ToolCallDelta(index, arguments=args))
            continue
        # Never overwrite a value with a later null/absent one.
        if tc_id and not call.id:
            call.id = tc_id
            ids[tc_id] = index
        name = fn.get("name")
        if name:
            call.announced = True
            out.append(ToolCallDelta(index, call.id or f"call_{index}", name, call.pending + args))
        else:
            call.pending += args
    return out


class ChatFold:
    """The state of one Chat Completions stream (a `streaming.Fold` of SSE events)."""

    __slots__ = (
        "calls",
        "chars",
        "finish_reason",
        "ids",
        "provider",
        "request",
        "response_id",
        "upstream_model",
        "usage",
    )

    def __init__(self, provider: str, request: ChatRequest) -> None:
        self.provider = provider
        self.request = request
        self.chars = 0  # of the answer, for a usage estimate when the server sends no counts
        self.finish_reason: Any = None
        self.usage: Any = None
        self.response_id = ""
        self.upstream_model = ""
        self.calls: dict[int, _Call] = {}
        self.ids: dict[str, int] = {}

    def feed(self, events: list[SSEEvent], out: list[StreamEvent]) -> bool:
        for ev in events:
            data = ev.data
            if data.startswith("[DONE]"):
                out.append(self._end())
                return True
            if data:
                self._chunk(ev, data, out)
        return False

    def finish(self) -> list[StreamEvent]:
        if self.finish_reason is None:
            raise provider_unavailable(self.provider, "stream ended before its terminator")
        return [self._end()]

    def _chunk(self, ev: SSEEvent, data: str, out: list[StreamEvent]) -> None:
        provider = self.provider
        try:
            chunk = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise bad_response(provider, "a stream chunk is not valid JSON") from None
        if not isinstance(chunk, dict):
            raise bad_response(provider, "a stream chunk is not a JSON object")
        if chunk.get("error") or ev.event == "error":
            raise inband_error(provider, chunk.get("error") or chunk)
        u = chunk.get("usage")
        if u:
            self.usage = u  # the last one wins: final usage chunk, finish chunk or running totals
        if not self.response_id:
            self.response_id = chunk.get("id") or ""
            self.upstream_model = chunk.get("model") or ""
            if self.response_id:
                out.append(StreamStart(self.response_id, self.upstream_model))
        choices = chunk.get("choices")
        if not choices:
            return  # usage chunk, Azure prompt-filter chunk
        for choice in choices:
            if not isinstance(choice, dict):
                raise bad_response(provider, "a stream choice is not a JSON object")
            if choice.get("index", 0):
                continue  # n > 1 is not requested; only choice 0 is followed
            delta = choice.get("delta")
            if delta:
                reasoning = delta.get("reasoning_content") or delta.get("reasoning")
                if reasoning and isinstance(reasoning, str):
                    self.chars += len(reasoning)
                    out.append(ReasoningDelta(reasoning))
                content = delta.get("content")
                if content and isinstance(content, str):
                    self.chars += len(content)
                    out.append(TextDelta(content))
                fragments = delta.get("tool_calls")
                if fragments:
                    for tcd in _tool_call_deltas(self.calls, self.ids, fragments):
                        self.chars += len(tcd.name) + len(tcd.arguments)
                        out.append(tcd)
            fr = choice.get("finish_reason")
            if fr:
                self.finish_reason = fr

    def _end(self) -> StreamEnd:
        """Exactly one StreamEnd, last."""
        if not all(call.announced for call in self.calls.values()):
            raise bad_response(self.provider, "a streamed tool call has no function name")
        counts = parse_usage(self.usage) or estimate_usage(self.request, self.chars)
        finish = map_finish(self.finish_reason, bool(self.calls))
        return StreamEnd(finish, counts, self.response_id, self.upstream_model)


def result_events(result: ChatResult) -> list[StreamEvent]:
    """A server that answered a stream request with one JSON body: the same result as events."""
    out: list[StreamEvent] = []
    for part in result.message.parts:
        if isinstance(part, ReasoningPart):
            out.append(ReasoningDelta(part.text))
        elif isinstance(part, TextPart):
            out.append(TextDelta(part.text))
    for i, call in enumerate(result.message.tool_calls):
        out.append(ToolCallDelta(i, call.id, call.name, call.arguments))
    out.append(StreamEnd(result.finish_reason, result.usage, result.response_id, result.upstream_model))
    return out
