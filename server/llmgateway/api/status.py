"""GatewayError -> gRPC status with google.rpc details (ErrorInfo, BadRequest, RetryInfo)."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2

from llmgateway.core.errors import Code, GatewayError
from llmgateway.core.secrets import scrub

DOMAIN = "llmgateway"
_CODES: dict[Code, grpc.StatusCode] = {code: getattr(grpc.StatusCode, code.value) for code in Code}


def grpc_code(code: Code) -> grpc.StatusCode:
    return _CODES[code]


def public_error(err: GatewayError) -> GatewayError:
    """`err` with every known secret scrubbed from what the caller will see (message,
    metadata, field violations): the last line of defence, run once per failed call."""
    err.message = scrub(err.message)
    err.metadata = {key: scrub(value) for key, value in err.metadata.items()}
    err.field_violations = [(scrub(f), scrub(d)) for f, d in err.field_violations]
    return err


def status_details(err: GatewayError) -> bytes:
    """The serialized google.rpc.Status for the `grpc-status-details-bin` trailer."""
    details = [_pack(error_details_pb2.ErrorInfo(reason=err.reason, domain=DOMAIN, metadata=err.metadata))]
    if err.field_violations:
        details.append(
            _pack(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
                        for f, d in err.field_violations
                    ]
                )
            )
        )
    if err.retry_after is not None:
        delay = duration_pb2.Duration()
        delay.FromMilliseconds(int(err.retry_after * 1000))
        details.append(_pack(error_details_pb2.RetryInfo(retry_delay=delay)))
    status = status_pb2.Status(code=grpc_code(err.code).value[0], message=err.message, details=details)
    serialized: bytes = status.SerializeToString()
    return serialized


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed
