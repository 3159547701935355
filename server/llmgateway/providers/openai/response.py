"""OpenAI wire JSON -> domain results, and OpenAI-family error bodies -> GatewayError."""

from __future__ import annotations

import base64
import sys
from array import array
from collections.abc import Mapping
from typing import Any

import orjson

from llmgateway.core.errors import GatewayError, bad_response
from llmgateway.core.estimate import answer_chars, estimate_usage
from llmgateway.core.types import (
    ChatRequest,
    ChatResult,
    ContentPart,
    EmbedResult,
    FinishReason,
    GeneratedImage,
    ImageResult,
    Message,
    ReasoningPart,
    Role,
    TextPart,
    ToolCall,
    Usage,
)
from llmgateway.providers.errors import CONTENT_POLICY, CONTEXT_LENGTH, QUOTA_EXHAUSTED, classify_http_error

_FINISH = {
    "stop": FinishReason.STOP,
    "length": FinishReason.LENGTH,
    "tool_calls": FinishReason.TOOL_CALLS,
    "function_call": FinishReason.TOOL_CALLS,
    "content_filter": FinishReason.CONTENT_FILTER,
}
# error.code / error.type values that carry a meaning beyond the HTTP status
_KINDS = {
    "context_length_exceeded": CONTEXT_LENGTH,
    "exceed_context_size_error": CONTEXT_LENGTH,  # llama.cpp's server
    "content_filter": CONTENT_POLICY,
    "content_policy_violation": CONTENT_POLICY,
    "insufficient_quota": QUOTA_EXHAUSTED,
}
# vLLM reports a prompt over the context as a plain 400 BadRequestError: its message is the
# only signal, so for that type alone these phrases decide (the one exception to "never the text").
_VLLM_BAD_REQUEST = "BadRequestError"
_VLLM_CONTEXT_PHRASES = ("maximum context length", "maximum model length")
_RATE_LIMIT_TYPES = frozenset({"rate_limit_exceeded", "requests", "tokens", "rate_limit_error"})
_BIG_ENDIAN = sys.byteorder == "big"


def map_finish(raw: Any, had_tool_calls: bool) -> FinishReason:
    if not raw:
        # Some compatible servers end cleanly without a finish reason.
        return FinishReason.TOOL_CALLS if had_tool_calls else FinishReason.STOP
    return _FINISH.get(raw, FinishReason.OTHER)


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) else 0


def parse_usage(u: Any) -> Usage | None:
    """The counts of a `usage` object, or None when the server sent none."""
    if not isinstance(u, dict):
        return None
    details = u.get("prompt_tokens_details")
    cached = details.get("cached_tokens") if isinstance(details, dict) else None
    if cached is None:
        cached = u.get("prompt_cache_hit_tokens")  # DeepSeek
    details = u.get("completion_tokens_details")
    reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else None
    prompt, completion = _int(u.get("prompt_tokens")), _int(u.get("completion_tokens"))
    return Usage(prompt, completion, _int(cached), _int(reasoning))


def reasoning_text(obj: Mapping[str, Any]) -> str:
    """`reasoning_content` (DeepSeek, older vLLM), else `reasoning` (vLLM >= 0.11, Ollama, OpenRouter)."""
    r = obj.get("reasoning_content") or obj.get("reasoning")
    return r if isinstance(r, str) else ""


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # some compatible servers answer with a list of parts
        return "".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def _arguments(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if raw is None:
        return ""
    return orjson.dumps(raw).decode()  # a server that sends the arguments as an object


def parse_chat(provider: str, obj: Any, request: ChatRequest) -> ChatResult:
    if not isinstance(obj, dict):
        raise bad_response(provider, "the body is not a JSON object")
    if obj.get("error"):
        raise inband_error(provider, obj["error"])
    choices = obj.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise bad_response(provider, "the response has no choices")
    choice = choices[0]
    msg = choice.get("message")
    if not isinstance(msg, dict):
        raise bad_response(provider, "the choice has no message")
    parts: list[ContentPart] = []
    reasoning = reasoning_text(msg)
    if reasoning:
        parts.append(ReasoningPart(reasoning))
    text = _text_of(msg.get("content")) or _text_of(msg.get("refusal"))
    if text:
        parts.append(TextPart(text))
    calls: list[ToolCall] = []
    raw_calls = msg.get("tool_calls")
    if isinstance(raw_calls, list):
        for i, tc in enumerate(raw_calls):
            if not isinstance(tc, dict):
                raise bad_response(provider, "a tool call is not an object")
            fn = tc.get("function") or {}
            call_id = tc.get("id") or f"call_{i}"
            calls.append(ToolCall(call_id, fn.get("name") or "", _arguments(fn.get("arguments"))))
    message = Message(Role.ASSISTANT, parts, calls)
    return ChatResult(
        message=message,
        finish_reason=map_finish(choice.get("finish_reason"), bool(calls)),
        usage=parse_usage(obj.get("usage")) or estimate_usage(request, answer_chars(message)),
        response_id=obj.get("id") or "",
        upstream_model=obj.get("model") or "",
    )


def _decode_vector(raw: Any) -> list[float]:
    if isinstance(raw, str):
        vec = array("f")
        vec.frombytes(base64.b64decode(raw))  # little-endian float32
        if _BIG_ENDIAN:
            vec.byteswap()
        return vec.tolist()
    if isinstance(raw, list):
        return [float(x) for x in raw]
    raise TypeError("embedding")


def parse_embeddings(provider: str, obj: Any, expected: int) -> EmbedResult:
    try:
        rows = sorted(obj["data"], key=lambda d: d.get("index", 0))
        vectors = [_decode_vector(row["embedding"]) for row in rows]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise bad_response(provider, "the embeddings response has an unexpected shape") from None
    if len(vectors) != expected:
        raise bad_response(provider, f"expected {expected} embeddings, got {len(vectors)}")
    usage = obj.get("usage")
    return EmbedResult(vectors, _int(usage.get("prompt_tokens")) if isinstance(usage, dict) else 0)


def parse_images(provider: str, obj: Any) -> ImageResult:
    try:
        rows = obj["data"]
        fmt = obj.get("output_format") or "png"
        mime = "image/jpeg" if fmt in ("jpeg", "jpg") else f"image/{fmt}"
        images = []
        for row in rows:
            revised = row.get("revised_prompt") or ""
            if row.get("b64_json"):
                images.append(
                    GeneratedImage(
                        data=base64.b64decode(row["b64_json"]), mime_type=mime, revised_prompt=revised
                    )
                )
            elif row.get("url"):
                images.append(GeneratedImage(uri=row["url"], revised_prompt=revised))
            else:
                raise ValueError("image")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise bad_response(provider, "the images response has an unexpected shape") from None
    size, quality = obj.get("size"), obj.get("quality")  # gpt-image-1 names what it chose
    return ImageResult(
        images, size if isinstance(size, str) else "", quality if isinstance(quality, str) else ""
    )


def _error_fields(err: Any) -> tuple[str, str, str, int]:
    """(type, code, message, numeric code) of an error object or string."""
    if isinstance(err, str):
        return "", "", err, 0
    if not isinstance(err, dict):
        return "", "", "", 0
    etype, code, message = err.get("type"), err.get("code"), err.get("message")
    numeric = 0
    if isinstance(code, int) and not isinstance(code, bool):
        numeric, code = code, str(code)
    elif isinstance(code, str) and code.isdigit():
        numeric = int(code)  # Azure: {"code": "429", ...}
    return (
        etype if isinstance(etype, str) else "",
        code if isinstance(code, str) else "",
        message if isinstance(message, str) else "",
        numeric,
    )


def _classify(provider: str, status: int, headers: Mapping[str, str], err: Any) -> GatewayError:
    etype, code, message, numeric = _error_fields(err)
    kind = _KINDS.get(code) or _KINDS.get(etype) or ""
    if not kind and etype == _VLLM_BAD_REQUEST and any(p in message for p in _VLLM_CONTEXT_PHRASES):
        kind = CONTEXT_LENGTH
    if status == 0:  # an error inside a 200 response: infer the status from the structured fields
        if 400 <= numeric < 600:
            status = numeric
        elif kind == QUOTA_EXHAUSTED or code in _RATE_LIMIT_TYPES or etype in _RATE_LIMIT_TYPES:
            status = 429
        elif kind:
            status = 400
        else:
            status = 500
    error_type = code if code and not numeric else (etype or code)
    return classify_http_error(provider, status, headers, error_type=error_type, message=message, kind=kind)


def http_error(provider: str, status: int, headers: Mapping[str, str], body: bytes) -> GatewayError:
    """An error status with its (read) body: OpenAI, Azure, vLLM (legacy too) and Ollama shapes."""
    try:
        obj = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        obj = None
    err = obj.get("error", obj) if isinstance(obj, dict) else None
    return _classify(provider, status, headers, err)


def inband_error(provider: str, err: Any) -> GatewayError:
    """An `{"error": ...}` object sent with HTTP 200 (mid-stream, or instead of a result)."""
    exc = _classify(provider, 0, {}, err)
    exc.metadata["http_status"] = "200"
    exc.metadata["in_stream"] = "true"
    return exc
