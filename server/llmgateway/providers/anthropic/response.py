"""Anthropic responses, stream events and errors -> domain types."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson

from llmgateway.core.errors import GatewayError, bad_response, provider_unavailable
from llmgateway.core.estimate import answer_chars, estimate_usage
from llmgateway.core.secrets import scrub
from llmgateway.core.types import (
    ChatRequest,
    ChatResult,
    ContentPart,
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
from llmgateway.providers.errors import QUOTA_EXHAUSTED, classify_http_error
from llmgateway.providers.sse import SSEEvent

PROVIDER = "anthropic"

FINISH_REASONS = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "max_tokens": FinishReason.LENGTH,
    "tool_use": FinishReason.TOOL_CALLS,
    "refusal": FinishReason.CONTENT_FILTER,
}

# The HTTP status each error type stands for, to classify an in-stream `error` event.
ERROR_TYPE_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}

SPEND_LIMIT_CODE = "enforced_spend_limit_reached"


def finish_reason(stop_reason: Any) -> FinishReason:
    return FINISH_REASONS.get(stop_reason, FinishReason.OTHER) if stop_reason else FinishReason.UNSPECIFIED


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def usage_from(u: Mapping[str, Any]) -> Usage:
    """Anthropic's `input_tokens` leaves out the tokens read from and written to the
    prompt cache; the gateway's prompt tokens count them all."""
    cache_read = _int(u.get("cache_read_input_tokens"))
    cache_write = _int(u.get("cache_creation_input_tokens"))
    return Usage(
        prompt_tokens=_int(u.get("input_tokens")) + cache_read + cache_write,
        completion_tokens=_int(u.get("output_tokens")),
        cached_prompt_tokens=cache_read,
        cache_write_tokens=cache_write,
    )


def parse_message(body: Any, request: ChatRequest) -> ChatResult:
    """A non-streaming Messages API response."""
    if not isinstance(body, dict):
        raise bad_response(PROVIDER, "the response is not a JSON object")
    if body.get("type") == "error":
        raise error_from_body(200, {}, body, in_stream=True)
    content = body.get("content")
    if not isinstance(content, list):
        raise bad_response(PROVIDER, "the response has no content array")
    parts: list[ContentPart] = []
    calls: list[ToolCall] = []
    try:
        for block in content:
            kind = block.get("type")
            if kind == "text":
                parts.append(TextPart(block["text"]))
            elif kind == "tool_use":
                args = block.get("input")
                calls.append(ToolCall(block["id"], block["name"], json.dumps(args or {}, ensure_ascii=False)))
            elif kind == "thinking":
                parts.append(
                    ReasoningPart(text=block.get("thinking", ""), signature=block.get("signature", ""))
                )
            elif kind == "redacted_thinking":
                parts.append(ReasoningPart(redacted_data=block.get("data", "")))
            # server tool blocks and future block types are not part of the domain model
    except (KeyError, AttributeError, TypeError):
        raise bad_response(PROVIDER, "a content block is malformed") from None
    usage = body.get("usage")
    message = Message(Role.ASSISTANT, parts, calls)
    return ChatResult(
        message=message,
        finish_reason=finish_reason(body.get("stop_reason")),
        usage=usage_from(usage) if usage else estimate_usage(request, answer_chars(message)),
        response_id=str(body.get("id") or ""),
        upstream_model=str(body.get("model") or ""),
    )


def error_from_body(
    status: int, headers: Mapping[str, str], body: Any, *, in_stream: bool = False
) -> GatewayError:
    """Classifies an error body `{"type":"error","error":{"type","message"},"request_id"}`
    by HTTP status and `error.type` (for in-stream errors, by `error.type` alone)."""
    err = body.get("error") if isinstance(body, dict) else None
    error_type = message = ""
    kind = ""
    if isinstance(err, dict):
        error_type = str(err.get("type") or "")
        message = str(err.get("message") or "")
        details = err.get("details")
        if isinstance(details, dict) and details.get("error_code") == SPEND_LIMIT_CODE:
            kind = QUOTA_EXHAUSTED
    if in_stream:
        status = ERROR_TYPE_STATUS.get(error_type, 500)
    exc = classify_http_error(PROVIDER, status, headers, error_type=error_type, message=message, kind=kind)
    if in_stream:
        del exc.metadata["http_status"]
        exc.metadata["in_stream"] = "true"
    request_id = body.get("request_id") if isinstance(body, dict) else None
    request_id = request_id or headers.get("request-id")
    if request_id:
        exc.metadata["request_id"] = scrub(str(request_id))
    return exc


class StreamFold:
    """Anthropic's event stream -> domain events (a `streaming.Fold` of SSE events),
    ending with exactly one StreamEnd after `message_stop`. Tool calls are numbered
    0, 1, ... in order of their `tool_use` blocks (not by content-block index)."""

    __slots__ = ("chars", "request", "response_id", "stop_reason", "tools", "upstream_model", "usage")

    def __init__(self, request: ChatRequest) -> None:
        self.request = request
        self.usage: dict[str, Any] = {}
        self.stop_reason: Any = None
        self.response_id = self.upstream_model = ""
        # content-block index -> [tool call index, whether any argument text was sent, start input]
        self.tools: dict[int, list[Any]] = {}
        self.chars = 0  # of the answer, for a usage estimate when the stream carries no counts

    def feed(self, events: list[SSEEvent], out: list[StreamEvent]) -> bool:
        for ev in events:
            if ev.event == "ping":
                continue
            try:
                if self._event(orjson.loads(ev.data), out):
                    return True
            except orjson.JSONDecodeError:
                raise bad_response(PROVIDER, f"stream event {ev.event or '?'} is not valid JSON") from None
            except (KeyError, TypeError, AttributeError):
                raise bad_response(PROVIDER, f"stream event {ev.event or '?'} is malformed") from None
        return False

    def finish(self) -> list[StreamEvent]:
        raise provider_unavailable(PROVIDER, "stream ended before its terminator")

    def _event(self, data: Any, out: list[StreamEvent]) -> bool:
        """One event's domain events; True at `message_stop`."""
        kind = data["type"]
        if kind == "content_block_delta":
            self._delta(data, out)
        elif kind == "content_block_start":
            self._block_start(data, out)
        elif kind == "content_block_stop":
            stopped = self.tools.get(data["index"])
            if stopped is not None and not stopped[1]:
                # The final input is always an object: `{}` when no fragment came.
                out.append(
                    ToolCallDelta(stopped[0], arguments=json.dumps(stopped[2] or {}, ensure_ascii=False))
                )
        elif kind == "message_delta":
            self.stop_reason = data["delta"].get("stop_reason") or self.stop_reason
            if data.get("usage"):
                self.usage.update(data["usage"])
        elif kind == "message_start":
            message = data["message"]
            self.response_id = message.get("id") or ""
            self.upstream_model = message.get("model") or ""
            self.usage.update(message.get("usage") or {})
            out.append(StreamStart(self.response_id, self.upstream_model))
        elif kind == "message_stop":
            counts = usage_from(self.usage) if self.usage else estimate_usage(self.request, self.chars)
            out.append(
                StreamEnd(finish_reason(self.stop_reason), counts, self.response_id, self.upstream_model)
            )
            return True
        elif kind == "error":
            raise error_from_body(200, {}, data, in_stream=True)
        # unknown event types are ignored (Anthropic's versioning policy)
        return False

    def _delta(self, data: Any, out: list[StreamEvent]) -> None:
        delta = data["delta"]
        dtype = delta["type"]
        if dtype == "text_delta":
            if delta["text"]:
                self.chars += len(delta["text"])
                out.append(TextDelta(delta["text"]))
        elif dtype == "input_json_delta":
            if delta["partial_json"]:
                self.chars += len(delta["partial_json"])
                tool = self.tools[data["index"]]
                tool[1] = True
                out.append(ToolCallDelta(tool[0], arguments=delta["partial_json"]))
        elif dtype == "thinking_delta":
            if delta["thinking"]:
                self.chars += len(delta["thinking"])
                out.append(ReasoningDelta(text=delta["thinking"]))
        elif dtype == "signature_delta":
            out.append(ReasoningDelta(signature=delta["signature"]))

    def _block_start(self, data: Any, out: list[StreamEvent]) -> None:
        block = data["content_block"]
        btype = block["type"]
        if btype == "tool_use":
            index = len(self.tools)
            self.tools[data["index"]] = [index, False, block.get("input")]
            out.append(ToolCallDelta(index, id=block["id"], name=block["name"]))
        elif btype == "text":
            if block.get("text"):
                out.append(TextDelta(block["text"]))
        elif btype == "thinking" and block.get("thinking"):
            out.append(ReasoningDelta(text=block["thinking"]))
        elif btype == "redacted_thinking":
            out.append(ReasoningDelta(redacted_data=block.get("data", "")))
