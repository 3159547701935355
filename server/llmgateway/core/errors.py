"""The gateway's one error tree: a `GatewayError` carries a `Reason`, and each
reason carries the one gRPC code it is sent with (and the HTTP status a future
HTTP edge would use), so a reason can never leave with two codes.

The core cannot import grpc, so codes are named here and mapped to
`grpc.StatusCode` by the api layer. Every reason is a value of the contract's
`ErrorReason` (data plane) or `AdminErrorReason` (management plane) enum;
tests/unit/core/test_errors.py keeps the three in step, codes included.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class Code(Enum):
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    ABORTED = "ABORTED"
    RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED"
    UNAVAILABLE = "UNAVAILABLE"
    DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
    INTERNAL = "INTERNAL"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    PERMISSION_DENIED = "PERMISSION_DENIED"


class Reason(StrEnum):
    """ErrorInfo reasons. A StrEnum, so a reason is also its plain name (metadata, logs)."""

    code: Code
    http_status: int

    def __new__(cls, name: str, code: Code, http_status: int) -> Reason:
        member = str.__new__(cls, name)
        member._value_ = name
        member.code = code
        member.http_status = http_status
        return member

    # data plane (llmgateway.v1.ErrorReason)
    INVALID_REQUEST = "INVALID_REQUEST", Code.INVALID_ARGUMENT, 400
    MODEL_NOT_FOUND = "MODEL_NOT_FOUND", Code.NOT_FOUND, 404
    MODEL_DISABLED = "MODEL_DISABLED", Code.FAILED_PRECONDITION, 400
    CAPABILITY_NOT_SUPPORTED = "CAPABILITY_NOT_SUPPORTED", Code.INVALID_ARGUMENT, 400
    CONTEXT_LENGTH_EXCEEDED = "CONTEXT_LENGTH_EXCEEDED", Code.INVALID_ARGUMENT, 400
    CONTENT_POLICY_VIOLATION = "CONTENT_POLICY_VIOLATION", Code.INVALID_ARGUMENT, 400
    PROVIDER_AUTH_FAILED = "PROVIDER_AUTH_FAILED", Code.INTERNAL, 502
    PROVIDER_RATE_LIMITED = "PROVIDER_RATE_LIMITED", Code.RESOURCE_EXHAUSTED, 429
    RATE_LIMITED = "RATE_LIMITED", Code.RESOURCE_EXHAUSTED, 429
    BUDGET_EXCEEDED = "BUDGET_EXCEEDED", Code.RESOURCE_EXHAUSTED, 429
    PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE", Code.UNAVAILABLE, 503
    PROVIDER_TIMEOUT = "PROVIDER_TIMEOUT", Code.DEADLINE_EXCEEDED, 504
    PROVIDER_BAD_RESPONSE = "PROVIDER_BAD_RESPONSE", Code.INTERNAL, 502
    API_KEY_INVALID = "API_KEY_INVALID", Code.UNAUTHENTICATED, 401
    PERMISSION_DENIED = "PERMISSION_DENIED", Code.PERMISSION_DENIED, 403
    PROVIDER_REJECTED = "PROVIDER_REJECTED", Code.INVALID_ARGUMENT, 400
    PROVIDER_MODEL_NOT_FOUND = "PROVIDER_MODEL_NOT_FOUND", Code.FAILED_PRECONDITION, 502
    INTERNAL = "INTERNAL", Code.INTERNAL, 500
    MODEL_MISCONFIGURED = "MODEL_MISCONFIGURED", Code.FAILED_PRECONDITION, 503
    OVERLOADED = "OVERLOADED", Code.RESOURCE_EXHAUSTED, 503
    CACHE_MISS = "CACHE_MISS", Code.NOT_FOUND, 404
    LIMITS_UNAVAILABLE = "LIMITS_UNAVAILABLE", Code.UNAVAILABLE, 503
    SESSION_NOT_FOUND = "SESSION_NOT_FOUND", Code.NOT_FOUND, 404
    SESSION_BUSY = "SESSION_BUSY", Code.ABORTED, 409
    SESSIONS_UNAVAILABLE = "SESSIONS_UNAVAILABLE", Code.UNAVAILABLE, 503
    # management plane (llmgateway.admin.v1.AdminErrorReason)
    ADMIN_DISABLED = "ADMIN_DISABLED", Code.PERMISSION_DENIED, 403
    MODEL_ALREADY_EXISTS = "MODEL_ALREADY_EXISTS", Code.ALREADY_EXISTS, 409
    ETAG_MISMATCH = "ETAG_MISMATCH", Code.ABORTED, 412
    REGISTRY_UNAVAILABLE = "REGISTRY_UNAVAILABLE", Code.UNAVAILABLE, 503
    CONFIGURATION_INVALID = "CONFIGURATION_INVALID", Code.FAILED_PRECONDITION, 400
    API_KEY_NOT_FOUND = "API_KEY_NOT_FOUND", Code.NOT_FOUND, 404
    API_KEY_REVOKED = "API_KEY_REVOKED", Code.FAILED_PRECONDITION, 409
    API_KEYS_DISABLED = "API_KEYS_DISABLED", Code.FAILED_PRECONDITION, 503


class GatewayError(Exception):
    """A failure with a precise status. `message` is safe to show to callers.

    `field_violations` become a google.rpc.BadRequest, `quota_violations`
    ((subject, description) pairs) a QuotaFailure, `retry_after` a RetryInfo."""

    def __init__(
        self,
        reason: Reason,
        message: str,
        *,
        metadata: dict[str, str] | None = None,
        retry_after: float | None = None,
        field_violations: list[tuple[str, str]] | None = None,
        quota_violations: list[tuple[str, str]] | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.metadata = metadata or {}
        self.retry_after = retry_after
        self.field_violations = field_violations or []
        self.quota_violations = quota_violations or []
        # Whether another attempt at the same upstream could succeed (used by retries).
        self.retryable = retryable

    @property
    def code(self) -> Code:
        return self.reason.code

    def __repr__(self) -> str:
        return f"GatewayError({self.code.value}, {self.reason.value}, {self.message!r})"


def invalid_request(violations: list[tuple[str, str]]) -> GatewayError:
    """INVALID_ARGUMENT with one BadRequest field violation per (field, description)."""
    summary = "; ".join(f"{f}: {d}" for f, d in violations[:5])
    return GatewayError(Reason.INVALID_REQUEST, f"invalid request: {summary}", field_violations=violations)


def capability_not_supported(model_id: str, capability: str) -> GatewayError:
    return GatewayError(
        Reason.CAPABILITY_NOT_SUPPORTED,
        f"model {model_id!r} does not support {capability}",
        metadata={"model": model_id, "capability": capability},
        field_violations=[("model", f"does not support {capability}")],
    )


def model_not_found(model_id: str) -> GatewayError:
    return GatewayError(
        Reason.MODEL_NOT_FOUND,
        f"model {model_id!r} is not configured; ListModels shows the available ones",
        metadata={"model": model_id},
    )


def model_disabled(model_id: str) -> GatewayError:
    return GatewayError(
        Reason.MODEL_DISABLED, f"model {model_id!r} is disabled", metadata={"model": model_id}
    )


def provider_timeout(provider: str, what: str) -> GatewayError:
    return GatewayError(
        Reason.PROVIDER_TIMEOUT,
        f"{provider} did not answer in time ({what})",
        metadata={"provider": provider, "timeout": what},
        retryable=True,
    )


def bad_response(provider: str, detail: str) -> GatewayError:
    return GatewayError(
        Reason.PROVIDER_BAD_RESPONSE,
        f"{provider} sent a response the gateway cannot use: {detail}",
        metadata={"provider": provider},
        retryable=True,
    )


def provider_unavailable(provider: str, detail: str) -> GatewayError:
    return GatewayError(
        Reason.PROVIDER_UNAVAILABLE,
        f"{provider} is unavailable: {detail}",
        metadata={"provider": provider},
        retryable=True,
    )


def cache_miss(model_id: str) -> GatewayError:
    """A call that asked for a cached answer only (cache mode ONLY) and that the cache cannot answer."""
    return GatewayError(
        Reason.CACHE_MISS,
        f"no cached answer to this request for model {model_id!r} (cache mode ONLY)",
        metadata={"model": model_id},
    )


def session_not_found(session_id: str) -> GatewayError:
    return GatewayError(
        Reason.SESSION_NOT_FOUND,
        f"session {session_id!r} does not exist for this API key and model, or it expired; "
        "call without session_id to start a new one",
        metadata={"session_id": session_id},
    )


def session_busy(session_id: str) -> GatewayError:
    return GatewayError(
        Reason.SESSION_BUSY,
        f"another call on session {session_id!r} is still running; retry when it has ended",
        metadata={"session_id": session_id},
    )


def sessions_unavailable() -> GatewayError:
    return GatewayError(
        Reason.SESSIONS_UNAVAILABLE,
        "the session store cannot be reached, so the conversation cannot be read or kept; retry shortly",
    )
