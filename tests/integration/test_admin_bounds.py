"""The AdminService's wire bounds and bad input through the real server: over-long ids,
tokens and masks, unknown enum numbers and malformed URLs get INVALID_ARGUMENT naming
the field (the model's own bounds: test_admin_validation.py); pages stay small."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import field_mask_pb2

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import model_pb2 as admin_pb2
from llmgateway.api import bounds
from tests.integration.adminkit import Gateway, new_model


async def _invalid(gw: Gateway, method: str, request: Any, field: str) -> None:
    details = await gw.fails(method, request)
    assert (details.code, details.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST")
    assert field in details.fields, details.fields


LONG_ID = "a/" + "x" * bounds.MODEL_ID
CASES: list[tuple[str, str, Any, str]] = [
    ("long id on get", "GetModel", pb.GetModelRequest(id=LONG_ID), "id"),
    ("long id on delete", "DeleteModel", pb.DeleteModelRequest(id=LONG_ID), "id"),
    ("long etag", "DeleteModel", pb.DeleteModelRequest(id="a/b", etag="e" * (bounds.ID + 1)), "etag"),
    (
        "long page token",
        "ListModels",
        pb.ListModelsRequest(page_token="t" * (bounds.PAGE_TOKEN + 1)),
        "page_token",
    ),
    ("unknown capability filter", "ListModels", pb.ListModelsRequest(capability=77), "capability"),
    ("long id on create", "CreateModel", pb.CreateModelRequest(model=new_model(LONG_ID)), "model.id"),
    (
        "malformed base URL",
        "CreateModel",
        pb.CreateModelRequest(model=new_model(base_url="http://[::1/v1")),
        "model.base_url",
    ),
    (
        "base URL with a port out of range",
        "CreateModel",
        pb.CreateModelRequest(model=new_model(base_url="https://h:70000/v1")),
        "model.base_url",
    ),
    (
        "malformed deployment URL",
        "CreateModel",
        pb.CreateModelRequest(
            model=new_model(
                deployments=[
                    admin_pb2.Deployment(id="d", provider="mock", upstream_model="echo", base_url="http://[x")
                ]
            )
        ),
        "model.deployments[0].base_url",
    ),
    ("unknown routing", "CreateModel", pb.CreateModelRequest(model=new_model(routing=12)), "model.routing"),
    (
        "too many mask paths",
        "UpdateModel",
        pb.UpdateModelRequest(
            model=new_model(),
            update_mask=field_mask_pb2.FieldMask(paths=["weight"] * (bounds.UPDATE_MASK_PATHS + 1)),
        ),
        "update_mask.paths",
    ),
]


@pytest.mark.parametrize(("name", "method", "request_", "field"), CASES, ids=[c[0] for c in CASES])
async def test_bad_admin_requests(gw: Gateway, name: str, method: str, request_: Any, field: str) -> None:
    await _invalid(gw, method, request_, field)


async def test_admin_pages_hold_at_most_the_admin_page_size(gw: Gateway) -> None:
    for i in range(
        bounds.ADMIN_PAGE_SIZE + 1 - len((await gw.call("ListModels", pb.ListModelsRequest())).models)
    ):
        await gw.call("CreateModel", pb.CreateModelRequest(model=new_model(f"team/m{i:04d}")))
    page = await gw.call("ListModels", pb.ListModelsRequest(page_size=1_000_000))
    assert len(page.models) == bounds.ADMIN_PAGE_SIZE and page.next_page_token


async def test_admin_pages_of_the_largest_models_stop_at_the_byte_budget(gw: Gateway) -> None:
    # Each of these renders to about 600 KiB (the request limit allows about 1 MiB):
    # the 25 a page may hold would be a 15 MB answer, past a client's 4 MiB default.
    options = {f"o{i:02d}": "v" * 1_000 for i in range(32)}
    deployments = [
        admin_pb2.Deployment(id=f"d{i}", provider="mock", upstream_model="echo", options=options)
        for i in range(18)
    ]
    for i in range(6):
        big = new_model(f"big/m{i}", options=options, deployments=deployments)
        await gw.call("CreateModel", pb.CreateModelRequest(model=big))
    seen: list[str] = []
    token = ""
    while True:
        page = await gw.call("ListModels", pb.ListModelsRequest(page_size=25, page_token=token))
        assert page.models and page.ByteSize() <= bounds.ADMIN_PAGE_BYTES + 1024
        seen += [m.id for m in page.models]
        if not (token := page.next_page_token):
            break
    assert [s for s in seen if s.startswith("big/")] == [f"big/m{i}" for i in range(6)]
    assert len(seen) == len(set(seen))
