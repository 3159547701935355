"""GatewayError -> gRPC status with google.rpc details (ErrorInfo, BadRequest, QuotaFailure,
RetryInfo).

The details travel in the `grpc-status-details-bin` trailer, and gRPC clients refuse
trailers larger than their metadata limit (8 KiB by default): the caller would get a
transport error instead of the violations. So the details are capped: at most
`MAX_VIOLATIONS` violations within `DETAILS_BUDGET` bytes (one more says how many were
left out), and every text that may echo caller input is cut to `MAX_TEXT` characters.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2

from llmgateway.core.errors import Code, GatewayError
from llmgateway.core.secrets import scrub

DOMAIN = "llmgateway"
_CODES: dict[Code, grpc.StatusCode] = {code: getattr(grpc.StatusCode, code.value) for code in Code}
# Serialized Status; base64 on the wire makes it 4/3 larger, which leaves room in 8 KiB
# for grpc-message, x-request-id and x-registry-revision.
DETAILS_BUDGET = 4096
MAX_VIOLATIONS = 20
MAX_TEXT = 256  # characters of a message, a field path, a subject or a description
MAX_METADATA_TEXT = 512  # characters of a metadata value (`tried` lists up to 8 attempts)
MAX_METADATA_BYTES = 1536
_COUNTING_RESERVE = 64 * 4 + 64  # the violation that counts the rest, and the Any wrapper


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
    """The serialized google.rpc.Status for the `grpc-status-details-bin` trailer,
    within `DETAILS_BUDGET` bytes."""
    info = error_details_pb2.ErrorInfo(reason=err.reason, domain=DOMAIN)
    for key, value in err.metadata.items():
        if info.ByteSize() > MAX_METADATA_BYTES:
            break
        info.metadata[_cut(key, MAX_TEXT)] = _cut(value, MAX_METADATA_TEXT)
    status = status_pb2.Status(
        code=grpc_code(err.code).value[0], message=_cut(err.message, MAX_TEXT), details=[_pack(info)]
    )
    if err.retry_after is not None:
        delay = duration_pb2.Duration()
        delay.FromMilliseconds(int(err.retry_after * 1000))
        status.details.append(_pack(error_details_pb2.RetryInfo(retry_delay=delay)))
    if err.quota_violations:
        quota = error_details_pb2.QuotaFailure()
        for subject, description in err.quota_violations[:MAX_VIOLATIONS]:
            quota.violations.add(subject=_cut(subject, MAX_TEXT), description=_cut(description, MAX_TEXT))
        status.details.append(_pack(quota))
    if err.field_violations:
        status.details.append(_pack(_bad_request(err.field_violations, DETAILS_BUDGET - status.ByteSize())))
    serialized: bytes = status.SerializeToString()
    return serialized


def _bad_request(violations: list[tuple[str, str]], budget: int) -> error_details_pb2.BadRequest:
    """The first violations that fit `budget` bytes, then one that counts the rest."""
    bad = error_details_pb2.BadRequest()
    used = _COUNTING_RESERVE
    for i, (field, description) in enumerate(violations):
        field, description = _cut(field, MAX_TEXT), _cut(description, MAX_TEXT)
        size = len(field.encode()) + len(description.encode()) + 16  # tags, lengths, Any
        if i == MAX_VIOLATIONS or used + size > budget:
            bad.field_violations.add(
                field=_cut(field, 64), description=f"and {len(violations) - i} more violations, not listed"
            )
            break
        bad.field_violations.add(field=field, description=description)
        used += size
    return bad


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed
