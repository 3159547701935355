"""Turns an upstream HTTP error into a GatewayError.

Classification uses the HTTP status and the provider's structured error type or
code, never the message text. Each adapter extracts (type, code, message) from
its own error body shape and calls `classify_http_error`, which scrubs every
secret from the upstream's text: servers do echo the key they received.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping

from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.secrets import scrub

MAX_RETRY_AFTER = 3600.0
_MESSAGE_LIMIT = 500

CONTEXT_LENGTH = "context_length"
CONTENT_POLICY = "content_policy"
QUOTA_EXHAUSTED = "quota_exhausted"
AUTH_FAILED = "auth_failed"  # a bad key reported with another status (Gemini: 400 API_KEY_INVALID)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms`, `retry-after` (seconds or HTTP date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return _clamp(float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return _clamp(float(raw))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return _clamp(parsed.timestamp() - time.time())


def _clamp(seconds: float) -> float | None:
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    return min(seconds, MAX_RETRY_AFTER)


def classify_http_error(
    provider: str,
    status: int,
    headers: Mapping[str, str],
    *,
    error_type: str = "",
    message: str = "",
    kind: str = "",
    retry_after: float | None = None,
) -> GatewayError:
    """`kind` is the adapter's reading of the structured error type: one of
    CONTEXT_LENGTH, CONTENT_POLICY, QUOTA_EXHAUSTED, AUTH_FAILED or ''.
    `retry_after` is a delay the body gave (Gemini's RetryInfo); else the headers decide."""
    meta = {"provider": provider, "http_status": str(status)}
    if error_type:
        meta["provider_error_type"] = scrub(error_type)
    # Scrubbed before it is cut, so a cut cannot leave part of a key unrecognised.
    detail = scrub(message)[:_MESSAGE_LIMIT] if message else f"HTTP {status}"
    retry_after = parse_retry_after(headers) if retry_after is None else _clamp(retry_after)
    should_retry = headers.get("x-should-retry", "").lower()

    if status in (401, 403) or kind == AUTH_FAILED:
        # The provider's message can quote part of our key: never pass it on.
        return GatewayError(
            Reason.PROVIDER_AUTH_FAILED,
            f"{provider} refused the gateway's credentials (HTTP {status})",
            metadata=meta,
        )
    if kind == CONTEXT_LENGTH:
        return GatewayError(Reason.CONTEXT_LENGTH_EXCEEDED, detail, metadata=meta)
    if kind == CONTENT_POLICY:
        return GatewayError(Reason.CONTENT_POLICY_VIOLATION, detail, metadata=meta)
    if status == 429:
        retryable = kind != QUOTA_EXHAUSTED and should_retry != "false"
        return GatewayError(
            Reason.PROVIDER_RATE_LIMITED,
            f"{provider} rate limit: {detail}",
            metadata=meta,
            retry_after=retry_after if retryable else None,
            retryable=retryable,
        )
    if status >= 500 or status in (408, 409):
        return GatewayError(
            Reason.PROVIDER_UNAVAILABLE,
            f"{provider} is unavailable: {detail}",
            metadata=meta,
            retry_after=retry_after,
            retryable=should_retry != "false",
        )
    if status == 404:
        return GatewayError(
            Reason.PROVIDER_MODEL_NOT_FOUND,
            f"{provider} does not know the configured model or endpoint: {detail}",
            metadata=meta,
        )
    return GatewayError(
        Reason.PROVIDER_REJECTED,
        f"{provider} rejected the request: {detail}",
        metadata=meta,
    )
