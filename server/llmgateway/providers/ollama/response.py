"""Ollama native answers (one JSON object, or an NDJSON stream of them) and errors ->
domain results, events and GatewayErrors.

A stream's objects carry `message.thinking` / `message.content` deltas and whole
`message.tool_calls`; the last has `done: true`, `done_reason` and the counts
(`prompt_eval_count`, `eval_count`). An `{"error": "..."}` object, with an error
status or in the middle of a 200 stream, is the failure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson

from llmgateway.core.errors import GatewayError, bad_response, provider_unavailable
from llmgateway.core.estimate import answer_chars, estimate_usage, prompt_tokens
from llmgateway.core.types import (
    ChatRequest,
    ChatResult,
    FinishReason,
    Message,
    ReasoningDelta,
    ReasoningPart,
    Role,
    StreamEnd,
    StreamEvent,
    StreamStart,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from llmgateway.providers.errors import classify_http_error
from llmgateway.providers.toolcalls import stable_call_id

PROVIDER = "ollama"
_FINISH = {"stop": FinishReason.STOP, "length": FinishReason.LENGTH, "load": FinishReason.STOP}


def finish_reason(raw: Any, called: bool) -> FinishReason:
    """Ollama ends a turn with tool calls as "stop": the calls say TOOL_CALLS."""
    reason = _FINISH.get(raw, FinishReason.OTHER) if raw else FinishReason.STOP
    return FinishReason.TOOL_CALLS if called and reason is FinishReason.STOP else reason


def usage(final: Mapping[str, Any], request: ChatRequest, output_chars: int) -> Usage:
    """The counts of the last object. `prompt_eval_count` is left out when the whole
    prompt came from Ollama's cache: the prompt is then estimated."""
    prompt, output = final.get("prompt_eval_count"), final.get("eval_count")
    if isinstance(output, int):
        if isinstance(prompt, int):
            return Usage(prompt, output)
        return Usage(prompt_tokens(request), output, estimated=True)
    return estimate_usage(request, output_chars)


def message_events(obj: Mapping[str, Any], first_call: int) -> list[StreamEvent]:
    """The events of one object's `message`; tool calls are numbered from `first_call`."""
    msg = obj.get("message")
    if not isinstance(msg, dict):
        return []
    events: list[StreamEvent] = []
    thinking, content = msg.get("thinking"), msg.get("content")
    if thinking and isinstance(thinking, str):
        events.append(ReasoningDelta(thinking))
    if content and isinstance(content, str):
        events.append(TextDelta(content))
    calls = msg.get("tool_calls")
    for n, call in enumerate(calls if isinstance(calls, list) else ()):
        fn = call.get("function") if isinstance(call, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
            raise bad_response(PROVIDER, "a tool call has no function name")
        name, arguments = fn["name"], fn.get("arguments")
        text = arguments if isinstance(arguments, str) else json.dumps(arguments or {}, ensure_ascii=False)
        index = first_call + n
        seed = f"{obj.get('model')}{obj.get('created_at')}" if obj.get("created_at") else name + text
        events.append(ToolCallDelta(index, str(call.get("id") or stable_call_id(seed, index)), name, text))
    return events


def parse_chat(obj: Any, request: ChatRequest) -> ChatResult:
    """The answer of a `"stream": false` request."""
    if not isinstance(obj, dict):
        raise bad_response(PROVIDER, "the response is not a JSON object")
    if obj.get("error"):
        raise inband_error(obj["error"])
    parts: list[TextPart | ReasoningPart] = []
    calls: list[ToolCall] = []
    for event in message_events(obj, 0):
        if isinstance(event, ReasoningDelta):
            parts.append(ReasoningPart(event.text))
        elif isinstance(event, TextDelta):
            parts.append(TextPart(event.text))
        elif isinstance(event, ToolCallDelta):
            calls.append(ToolCall(event.id, event.name, event.arguments))
    message = Message(Role.ASSISTANT, list(parts), calls)
    return ChatResult(
        message=message,
        finish_reason=finish_reason(obj.get("done_reason"), bool(calls)),
        usage=usage(obj, request, answer_chars(message)),
        upstream_model=str(obj.get("model") or ""),
    )


class StreamFold:
    """The state of one NDJSON stream (a `streaming.Fold` of lines)."""

    __slots__ = ("calls", "chars", "request", "started")

    def __init__(self, request: ChatRequest) -> None:
        self.request = request
        self.calls = 0
        self.chars = 0  # of the answer, for a usage estimate when no counts come
        self.started = False

    def feed(self, lines: list[bytes], out: list[StreamEvent]) -> bool:
        for line in lines:
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise bad_response(PROVIDER, "a stream line is not valid JSON") from None
            if not isinstance(obj, dict):
                raise bad_response(PROVIDER, "a stream line is not a JSON object")
            if obj.get("error"):
                raise inband_error(obj["error"])
            if not self.started:
                self.started = True
                out.append(StreamStart("", str(obj.get("model") or "")))  # Ollama names no response
            for event in message_events(obj, self.calls):
                if isinstance(event, ToolCallDelta):
                    self.calls += 1
                    self.chars += len(event.name) + len(event.arguments)
                elif isinstance(event, TextDelta | ReasoningDelta):
                    self.chars += len(event.text)
                out.append(event)
            if obj.get("done"):
                counts = usage(obj, self.request, self.chars)
                finish = finish_reason(obj.get("done_reason"), bool(self.calls))
                out.append(StreamEnd(finish, counts, "", str(obj.get("model") or "")))
                return True
        return False

    def finish(self) -> list[StreamEvent]:
        raise provider_unavailable(PROVIDER, "stream ended before its last (done) object")


def _message(err: Any) -> str:
    return err if isinstance(err, str) else json.dumps(err)[:500]


def http_error(status: int, headers: Mapping[str, str], raw: bytes) -> GatewayError:
    """`{"error": "..."}` with an error status; classified on the status alone."""
    try:
        obj = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        obj = None
    message = _message(obj.get("error")) if isinstance(obj, dict) and obj.get("error") else ""
    return classify_http_error(PROVIDER, status, headers, message=message)


def inband_error(err: Any) -> GatewayError:
    """An error object inside a 200 answer: the model failed while running."""
    exc = classify_http_error(PROVIDER, 500, {}, message=_message(err))
    exc.metadata["http_status"] = "200"
    exc.metadata["in_stream"] = "true"
    return exc
