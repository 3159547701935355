"""Gateway failures as exceptions carrying the `google.rpc` details of the status."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, Protocol, cast

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

ERROR_DOMAIN = "llmgateway"
REQUEST_ID_HEADER = "x-request-id"


class ErrorReason(enum.StrEnum):
    """`ErrorInfo.reason` values: the `llmgateway.v1.ErrorReason` names without `ERROR_REASON_`.

    A `StrEnum`, so `error.reason == ErrorReason.MODEL_NOT_FOUND` compares with the plain string."""

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
    MODEL_MISCONFIGURED = "MODEL_MISCONFIGURED"
    OVERLOADED = "OVERLOADED"
    CACHE_MISS = "CACHE_MISS"
    LIMITS_UNAVAILABLE = "LIMITS_UNAVAILABLE"
    SESSION_NOT_FOUND = "SESSION_NOT_FOUND"
    SESSION_BUSY = "SESSION_BUSY"
    SESSIONS_UNAVAILABLE = "SESSIONS_UNAVAILABLE"


class _FailedCall(Protocol):
    """What both `grpc.RpcError` flavours (sync calls and `grpc.aio.AioRpcError`) provide."""

    def code(self) -> grpc.StatusCode: ...
    def details(self) -> str | None: ...
    def initial_metadata(self) -> Any: ...
    def trailing_metadata(self) -> Any: ...


class GatewayError(Exception):
    """A failed gateway call.

    - `code`: the gRPC status code; `message`: its message.
    - `reason`: the `ErrorInfo` reason (compare with `ErrorReason`), "" when the status has none
      (for example a local deadline or a connection failure).
    - `metadata`: the `ErrorInfo` metadata (`model`, `provider`, `http_status`, ...).
    - `retry_delay`: seconds from `RetryInfo`, or None.
    - `field_violations`: `(field, description)` pairs from `BadRequest`.
    - `request_id`: the gateway's request id (`x-request-id` response metadata), when known.
    """

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        *,
        reason: str = "",
        domain: str = "",
        metadata: dict[str, str] | None = None,
        retry_delay: float | None = None,
        field_violations: Sequence[tuple[str, str]] = (),
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{code.name}: {message}" + (f" [{reason}]" if reason else ""))
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.metadata: dict[str, str] = dict(metadata or {})
        self.retry_delay = retry_delay
        self.field_violations: list[tuple[str, str]] = list(field_violations)
        self.request_id = request_id

    @property
    def error_reason(self) -> ErrorReason | None:
        """`reason` as an `ErrorReason` member, or None when empty or unknown to this client."""
        try:
            return ErrorReason(self.reason)
        except ValueError:
            return None

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError, request_id: str | None = None) -> GatewayError:
        """Builds the exception from a failed sync or asyncio call (`grpc.RpcError`)."""
        call = cast(_FailedCall, error)
        code = call.code() if callable(getattr(error, "code", None)) else grpc.StatusCode.UNKNOWN
        message = (call.details() if callable(getattr(error, "details", None)) else None) or ""
        found = _header(call, REQUEST_ID_HEADER) or request_id
        try:
            status = rpc_status.from_call(error)
        except (ValueError, AttributeError, TypeError):  # inconsistent or unparseable details
            status = None
        if status is None:
            return cls(code, message, request_id=found)
        info: Any = None
        violations: list[tuple[str, str]] = []
        retry_delay: float | None = None
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR) and info is None:
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                violations.extend((str(v.field), str(v.description)) for v in bad.field_violations)
            elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                retry = error_details_pb2.RetryInfo()
                detail.Unpack(retry)
                retry_delay = retry.retry_delay.seconds + retry.retry_delay.nanos / 1e9
        return cls(
            code,
            message,
            reason=str(info.reason) if info is not None else "",
            domain=str(info.domain) if info is not None else "",
            metadata={str(k): str(v) for k, v in info.metadata.items()} if info is not None else None,
            retry_delay=retry_delay,
            field_violations=violations,
            request_id=found,
        )


def _header(call: _FailedCall, key: str) -> str | None:
    """A response metadata value: streams send it as a header, unary calls and
    errors as a trailer."""
    for read in (call.trailing_metadata, call.initial_metadata):
        try:
            metadata = read()
        except Exception:  # not available on every kind of failure
            continue
        for item in metadata or ():
            name, value = item[0], item[1]
            if name == key:
                return value.decode() if isinstance(value, bytes) else str(value)
    return None
