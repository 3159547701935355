"""The gateway's error model: one exception type carrying a gRPC-style code,
an ErrorInfo reason and the optional details (field violations, retry delay).

The core cannot import grpc, so codes are named here and mapped to
`grpc.StatusCode` by the api layer.
"""

from __future__ import annotations

from enum import Enum


class Code(Enum):
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    NOT_FOUND = "NOT_FOUND"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED"
    UNAVAILABLE = "UNAVAILABLE"
    DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
    INTERNAL = "INTERNAL"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    PERMISSION_DENIED = "PERMISSION_DENIED"


class Reason:
    """ErrorInfo reasons; the proto enum ErrorReason has each as ERROR_REASON_<name>."""

    INVALID_REQUEST = "INVALID_REQUEST"
    MODEL_NOT_FOUND = "MODEL_NOT_FOUND"
    MODEL_DISABLED = "MODEL_DISABLED"
    CAPABILITY_NOT_SUPPORTED = "CAPABILITY_NOT_SUPPORTED"
    CONTEXT_LENGTH_EXCEEDED = "CONTEXT_LENGTH_EXCEEDED"
    CONTENT_POLICY_VIOLATION = "CONTENT_POLICY_VIOLATION"
    PROVIDER_AUTH_FAILED = "PROVIDER_AUTH_FAILED"
    PROVIDER_RATE_LIMITED = "PROVIDER_RATE_LIMITED"
    RATE_LIMITED = "RATE_LIMITED"
    BUDGET_EXCEEDED = "BUDGET_EXCEEDED"
    PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE"
    PROVIDER_TIMEOUT = "PROVIDER_TIMEOUT"
    PROVIDER_BAD_RESPONSE = "PROVIDER_BAD_RESPONSE"
    API_KEY_INVALID = "API_KEY_INVALID"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    PROVIDER_REJECTED = "PROVIDER_REJECTED"
    PROVIDER_MODEL_NOT_FOUND = "PROVIDER_MODEL_NOT_FOUND"
    INTERNAL = "INTERNAL"


class GatewayError(Exception):
    """A failure with a precise status. `message` is safe to show to callers."""

    def __init__(
        self,
        code: Code,
        reason: str,
        message: str,
        *,
        metadata: dict[str, str] | None = None,
        retry_after: float | None = None,
        field_violations: list[tuple[str, str]] | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.metadata = metadata or {}
        self.retry_after = retry_after
        self.field_violations = field_violations or []
        # Whether another attempt at the same upstream could succeed (used by retries).
        self.retryable = retryable

    def __repr__(self) -> str:
        return f"GatewayError({self.code.value}, {self.reason}, {self.message!r})"


def invalid_request(violations: list[tuple[str, str]]) -> GatewayError:
    """INVALID_ARGUMENT with one BadRequest field violation per (field, description)."""
    summary = "; ".join(f"{f}: {d}" for f, d in violations[:5])
    return GatewayError(
        Code.INVALID_ARGUMENT,
        Reason.INVALID_REQUEST,
        f"invalid request: {summary}",
        field_violations=violations,
    )


def capability_not_supported(model_id: str, capability: str) -> GatewayError:
    return GatewayError(
        Code.INVALID_ARGUMENT,
        Reason.CAPABILITY_NOT_SUPPORTED,
        f"model {model_id!r} does not support {capability}",
        metadata={"model": model_id, "capability": capability},
    )


def provider_timeout(provider: str, what: str) -> GatewayError:
    return GatewayError(
        Code.DEADLINE_EXCEEDED,
        Reason.PROVIDER_TIMEOUT,
        f"{provider} did not answer in time ({what})",
        metadata={"provider": provider, "timeout": what},
        retryable=True,
    )


def bad_response(provider: str, detail: str) -> GatewayError:
    return GatewayError(
        Code.INTERNAL,
        Reason.PROVIDER_BAD_RESPONSE,
        f"{provider} sent a response the gateway cannot use: {detail}",
        metadata={"provider": provider},
        retryable=True,
    )


def provider_unavailable(provider: str, detail: str) -> GatewayError:
    return GatewayError(
        Code.UNAVAILABLE,
        Reason.PROVIDER_UNAVAILABLE,
        f"{provider} is unavailable: {detail}",
        metadata={"provider": provider},
        retryable=True,
    )
