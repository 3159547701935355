"""Error details always fit a gRPC client's 8 KiB metadata limit."""

from __future__ import annotations

import base64

from google.rpc import error_details_pb2, status_pb2

from llmgateway.api.status import DETAILS_BUDGET, MAX_TEXT, MAX_VIOLATIONS, status_details
from llmgateway.core.errors import GatewayError, Reason, invalid_request


def _decode(raw: bytes) -> tuple[status_pb2.Status, error_details_pb2.BadRequest]:
    status = status_pb2.Status.FromString(raw)
    bad = error_details_pb2.BadRequest()
    for detail in status.details:
        if detail.Is(bad.DESCRIPTOR):
            detail.Unpack(bad)
    return status, bad


def test_many_violations_are_capped_and_the_rest_counted() -> None:
    raw = status_details(invalid_request([(f"messages[{i}].role", "is not a Role") for i in range(5000)]))
    _, bad = _decode(raw)
    assert len(bad.field_violations) == MAX_VIOLATIONS + 1
    assert bad.field_violations[-1].description == f"and {5000 - MAX_VIOLATIONS} more violations, not listed"
    assert len(raw) <= DETAILS_BUDGET


def test_long_texts_are_cut_and_the_whole_fits_the_budget() -> None:
    long = "é🎉" * 10_000
    error = GatewayError(
        Reason.INVALID_REQUEST,
        long,
        metadata={f"k{i}": long for i in range(50)},
        field_violations=[(long, long)] * 100,
        retry_after=1.5,
    )
    raw = status_details(error)
    status, bad = _decode(raw)
    assert len(raw) <= DETAILS_BUDGET and len(base64.b64encode(raw)) < 8192 - 1024
    assert len(status.message) <= MAX_TEXT
    assert bad.field_violations and all(len(v.field) <= MAX_TEXT for v in bad.field_violations)
    assert "more violations" in bad.field_violations[-1].description


def test_small_details_are_complete() -> None:
    error = invalid_request([("model", "is required"), ("messages", "at least one message is required")])
    _, bad = _decode(status_details(error))
    assert [(v.field, v.description) for v in bad.field_violations] == error.field_violations
