"""Request plumbing shared by the Admin API's methods: update masks and page tokens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.protobuf import field_mask_pb2

from llmgateway.core.errors import invalid_request
from llmgateway.core.paging import decode_page_token

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def update_paths(
    mask: field_mask_pb2.FieldMask,
    writable: Sequence[str],
    output_only: Sequence[str],
    message: Any,
) -> list[str]:
    """The paths of an update mask (`*`: every writable field), or INVALID_REQUEST."""
    paths = list(mask.paths)
    if not paths:
        raise invalid_request([("update_mask", "is required: name the fields to change (or `*` for all)")])
    if paths == ["*"]:
        return list(writable)
    violations = []
    for path in paths:
        top = path.split(".", 1)[0]
        if top == "id":
            violations.append(("update_mask", "`id` cannot change; create a new one instead"))
        elif top in output_only:
            violations.append(("update_mask", f"`{path}` is output only"))
        elif top not in writable or not _valid_path(path, message):
            violations.append(("update_mask", f"`{path}` is not a field of {message.DESCRIPTOR.name}"))
    if violations:
        raise invalid_request(violations)
    return paths


def _valid_path(path: str, message: Any) -> bool:
    descriptor: Any = message.DESCRIPTOR
    valid: bool = field_mask_pb2.FieldMask(paths=[path]).IsValidForDescriptor(descriptor)
    return valid


def page_after(page_token: str, listing: str, rpc: str) -> str:
    after = decode_page_token(listing, page_token)
    if after is None:
        raise invalid_request([("page_token", f"is not a token returned by {rpc}")])
    return after
