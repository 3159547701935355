"""Gemini responses and google.rpc error bodies -> domain results and GatewayErrors.

One reading of a response part serves both the unary answer and the stream
(`part_events`): a unary answer is its parts' events folded into a message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llmgateway.core.errors import GatewayError, bad_response
from llmgateway.core.estimate import answer_chars, estimate_usage
from llmgateway.core.types import (
    ChatRequest,
    ChatResult,
    ContentPart,
    FinishReason,
    Message,
    ReasoningDelta,
    ReasoningPart,
    Role,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from llmgateway.providers.errors import AUTH_FAILED, CONTENT_POLICY, classify_http_error
from llmgateway.providers.toolcalls import stable_call_id

PROVIDER = "gemini"

_FILTERED = FinishReason.CONTENT_FILTER
FINISH_REASONS = {
    "STOP": FinishReason.STOP,
    "MAX_TOKENS": FinishReason.LENGTH,
    "SAFETY": _FILTERED,
    "RECITATION": _FILTERED,
    "BLOCKLIST": _FILTERED,
    "PROHIBITED_CONTENT": _FILTERED,
    "SPII": _FILTERED,
    "IMAGE_SAFETY": _FILTERED,
    "IMAGE_PROHIBITED_CONTENT": _FILTERED,
    "IMAGE_RECITATION": _FILTERED,
}
# google.rpc status -> HTTP status, for an error object that comes without its own
STATUS_CODES = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429,
    "CANCELLED": 499,
    "INTERNAL": 500,
    "UNIMPLEMENTED": 501,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
_BAD_KEY_REASONS = frozenset({"API_KEY_INVALID", "API_KEY_SERVICE_BLOCKED"})


def finish_reason(raw: Any, called: bool) -> FinishReason:
    """A function call ends with STOP: the calls, not the reason, say TOOL_CALLS."""
    if raw == "STOP" or not raw:
        return FinishReason.TOOL_CALLS if called else FinishReason.STOP
    return FINISH_REASONS.get(raw, FinishReason.OTHER)


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def parse_usage(u: Any) -> Usage | None:
    """Output is candidates + thoughts; input includes the tool-use prompt."""
    if not isinstance(u, dict) or "promptTokenCount" not in u:
        return None
    thoughts = _int(u.get("thoughtsTokenCount"))
    return Usage(
        prompt_tokens=_int(u.get("promptTokenCount")) + _int(u.get("toolUsePromptTokenCount")),
        completion_tokens=_int(u.get("candidatesTokenCount")) + thoughts,
        cached_prompt_tokens=_int(u.get("cachedContentTokenCount")),
        reasoning_tokens=thoughts,
    )


def part_events(part: Any, call_index: int, seed: str) -> list[StreamEvent]:
    """The events of one response part: thought text, answer text or one whole function
    call (the `call_index`-th of the answer; `seed` names the answer for made-up ids).
    A thought signature on a non-thought part comes first, as its own reasoning event."""
    if not isinstance(part, dict):
        raise bad_response(PROVIDER, "a content part is not an object")
    signature = part.get("thoughtSignature") or ""
    call = part.get("functionCall")
    if isinstance(call, dict):
        name = call.get("name")
        if not isinstance(name, str) or not name:
            raise bad_response(PROVIDER, "a function call has no name")
        arguments = json.dumps(call.get("args") or {}, ensure_ascii=False)
        call_id = call.get("id") or stable_call_id(seed or name + arguments, call_index)
        delta = ToolCallDelta(call_index, str(call_id), name, arguments)
        return [ReasoningDelta(signature=signature), delta] if signature else [delta]
    text = part.get("text")
    if not isinstance(text, str):
        return []  # executable code, inline output data, future part kinds
    if part.get("thought"):
        return [ReasoningDelta(text=text, signature=signature)] if text or signature else []
    events: list[StreamEvent] = [ReasoningDelta(signature=signature)] if signature else []
    if text:
        events.append(TextDelta(text))
    return events


def candidate_parts(response: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Any]]:
    """(first candidate, its parts); raises when the prompt itself was blocked."""
    candidates = response.get("candidates")
    if not candidates:
        feedback = response.get("promptFeedback")
        reason = feedback.get("blockReason") if isinstance(feedback, dict) else None
        if reason:
            raise blocked_prompt(str(reason))
        return None, []
    candidate = candidates[0]
    if not isinstance(candidate, dict):
        raise bad_response(PROVIDER, "a candidate is not an object")
    content = candidate.get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    return candidate, parts if isinstance(parts, list) else []


def fold_message(events: list[StreamEvent]) -> Message:
    """Part events -> one assistant message: adjacent texts joined, a lone signature
    kept with the thought before it."""
    parts: list[ContentPart] = []
    calls: list[ToolCall] = []
    for e in events:
        last = parts[-1] if parts else None
        if isinstance(e, TextDelta):
            if isinstance(last, TextPart):
                last.text += e.text
            else:
                parts.append(TextPart(e.text))
        elif isinstance(e, ReasoningDelta):
            prior = next((p for p in reversed(parts) if isinstance(p, ReasoningPart)), None)
            if not e.text and prior is not None and not prior.signature:
                prior.signature = e.signature
            elif isinstance(last, ReasoningPart) and not last.signature:
                last.text += e.text
                last.signature = e.signature
            else:
                parts.append(ReasoningPart(e.text, e.signature))
        elif isinstance(e, ToolCallDelta):
            calls.append(ToolCall(e.id, e.name, e.arguments))
    return Message(Role.ASSISTANT, parts, calls)


def parse_response(body: Any, request: ChatRequest) -> ChatResult:
    """A `generateContent` answer."""
    if not isinstance(body, dict):
        raise bad_response(PROVIDER, "the response is not a JSON object")
    if body.get("error"):
        raise error_from_body(200, {}, body, in_stream=True)
    candidate, parts = candidate_parts(body)
    if candidate is None:
        raise bad_response(PROVIDER, "the response has no candidates")
    seed = str(body.get("responseId") or "")
    events: list[StreamEvent] = []
    calls = 0
    for part in parts:
        part_ev = part_events(part, calls, seed)
        calls += sum(isinstance(e, ToolCallDelta) for e in part_ev)
        events += part_ev
    message = fold_message(events)
    return ChatResult(
        message=message,
        finish_reason=finish_reason(candidate.get("finishReason"), bool(calls)),
        usage=parse_usage(body.get("usageMetadata")) or estimate_usage(request, answer_chars(message)),
        response_id=seed,
        upstream_model=str(body.get("modelVersion") or ""),
    )


def blocked_prompt(reason: str) -> GatewayError:
    exc = classify_http_error(
        PROVIDER,
        400,
        {},
        error_type=reason,
        message=f"the prompt was blocked ({reason})",
        kind=CONTENT_POLICY,
    )
    exc.metadata["http_status"] = "200"
    return exc


def _seconds(raw: Any) -> float | None:
    """A google.protobuf.Duration in JSON ("17s", "1.5s")."""
    if isinstance(raw, str) and raw.endswith("s"):
        try:
            return float(raw[:-1])
        except ValueError:
            return None
    return None


def error_from_body(
    status: int, headers: Mapping[str, str], body: Any, *, in_stream: bool = False
) -> GatewayError:
    """Classifies a google.rpc error body `{"error": {code, message, status, details}}`
    (the streaming endpoint may wrap it in a list) by HTTP status, ErrorInfo reason and
    RetryInfo; an in-stream error by its own code."""
    if isinstance(body, list) and body:
        body = body[0]
    err = body.get("error") if isinstance(body, dict) else None
    err = err if isinstance(err, dict) else {}
    rpc_status = str(err.get("status") or "")
    reason = ""
    retry_after = None
    details = err.get("details")
    for detail in details if isinstance(details, list) else ():
        if not isinstance(detail, dict):
            continue
        if detail.get("@type") == _ERROR_INFO:
            reason = str(detail.get("reason") or "")
        elif detail.get("@type") == _RETRY_INFO:
            retry_after = _seconds(detail.get("retryDelay"))
    if in_stream:
        code = err.get("code")
        status = code if isinstance(code, int) and 400 <= code < 600 else STATUS_CODES.get(rpc_status, 500)
    exc = classify_http_error(
        PROVIDER,
        status,
        headers,
        error_type=reason or rpc_status,
        message=str(err.get("message") or ""),
        kind=AUTH_FAILED if reason in _BAD_KEY_REASONS else "",
        retry_after=retry_after,
    )
    if in_stream:
        exc.metadata["in_stream"] = "true"
    return exc
