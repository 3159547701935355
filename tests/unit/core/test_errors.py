from __future__ import annotations

from llmgateway.core.errors import Reason
from llmgateway.v1 import error_reason_pb2


def test_reason_lists_exactly_the_proto_reasons() -> None:
    """The ErrorInfo reasons the server sends are the contract's ErrorReason names."""
    ours = {v for k, v in vars(Reason).items() if not k.startswith("_")}
    from_proto = {
        name.removeprefix("ERROR_REASON_")
        for name in error_reason_pb2.DESCRIPTOR.enum_types_by_name["ErrorReason"].values_by_name
        if name != "ERROR_REASON_UNSPECIFIED"
    }
    assert ours == from_proto
