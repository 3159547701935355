"""The one error tree: every Reason is a value of the contract's ErrorReason or
AdminErrorReason enum (and back), and each is sent with the gRPC code that the
enum value's comment in the .proto promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from llmgateway.admin.v1 import error_reason_pb2 as admin_error_reason_pb2
from llmgateway.core.errors import Code, Reason
from llmgateway.v1 import error_reason_pb2

PROTOS = Path(__file__).resolve().parents[3] / "protos" / "llmgateway"
ENUMS = [
    (error_reason_pb2, "ErrorReason", "ERROR_REASON_", PROTOS / "v1" / "error_reason.proto"),
    (
        admin_error_reason_pb2,
        "AdminErrorReason",
        "ADMIN_ERROR_REASON_",
        PROTOS / "admin" / "v1" / "error_reason.proto",
    ),
]


def _codes_in_comments(path: Path, prefix: str) -> dict[str, str]:
    """Value name (without prefix) -> the code in parentheses that closes its comment."""
    codes: dict[str, str] = {}
    comment: list[str] = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("//"):
            comment.append(line.removeprefix("//").strip())
            continue
        value = re.match(rf"({prefix}\w+) = \d+;", line)
        if value:
            code = re.search(r"\(([A-Z_]+)\)\.?$", " ".join(comment))
            codes[value.group(1).removeprefix(prefix)] = code.group(1) if code else ""
        comment = []
    return codes


def test_every_reason_is_a_contract_value_and_back() -> None:
    contract: list[str] = []
    for module, enum, prefix, _ in ENUMS:
        names = module.DESCRIPTOR.enum_types_by_name[enum].values_by_name
        contract += [n.removeprefix(prefix) for n in names if not n.endswith("_UNSPECIFIED")]
    assert sorted(contract) == sorted(r.value for r in Reason)
    assert len(contract) == len(set(contract))  # no reason in both enums


@pytest.mark.parametrize(("module", "enum", "prefix", "path"), ENUMS, ids=[e[1] for e in ENUMS])
def test_each_reason_has_the_code_its_contract_comment_promises(
    module: object, enum: str, prefix: str, path: Path
) -> None:
    codes = _codes_in_comments(path, prefix)
    codes.pop("UNSPECIFIED")
    assert codes, "no enum values found"
    for name, code in codes.items():
        assert Reason(name).code is Code[code], (
            f"{name}: contract says {code}, server sends {Reason(name).code}"
        )
