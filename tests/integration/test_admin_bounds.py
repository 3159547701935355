"""The AdminService's wire bounds and bad input through the real server: over-long ids,
tokens and strings, too many entries, unknown enum numbers and malformed URLs get
INVALID_ARGUMENT naming the field. The known gaps of the admin conversion (durations and
numbers out of range, rows that fail to render) are strict xfails until it is fixed."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import field_mask_pb2

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import model_pb2 as admin_pb2
from llmgateway.api import bounds
from tests.integration.test_admin import Gateway, new_model

# The fixtures of test_admin.py, by import (a re-export, so pytest sees them here).
from tests.integration.test_admin import gw as gw
from tests.integration.test_admin import start as start


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
    (
        "too many options",
        "CreateModel",
        pb.CreateModelRequest(
            model=new_model(options={f"k{i}": "v" for i in range(bounds.ADMIN_OPTIONS + 1)})
        ),
        "model.options",
    ),
    (
        "too many deployments",
        "CreateModel",
        pb.CreateModelRequest(
            model=new_model(
                deployments=[
                    admin_pb2.Deployment(id=f"d{i}", provider="mock", upstream_model="echo")
                    for i in range(bounds.ADMIN_DEPLOYMENTS + 1)
                ]
            )
        ),
        "model.deployments",
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


# -- known gaps of the admin conversion (the lead fixes them in api/admin_convert.py) ----------------
GAP = "the admin conversion accepts it and the stored row then fails to render or to serve"


@pytest.mark.xfail(strict=True, reason=GAP)
async def test_a_duration_out_of_range_is_a_field_violation(gw: Gateway) -> None:
    model = new_model()
    model.timeouts.total.seconds = 2**63 - 1
    await _invalid(gw, "CreateModel", pb.CreateModelRequest(model=model), "model.timeouts.total")


@pytest.mark.xfail(strict=True, reason=GAP)
async def test_no_write_stores_a_row_that_cannot_be_rendered(gw: Gateway) -> None:
    model = new_model()
    model.timeouts.total.seconds = 10**14  # a valid Duration, beyond what a timedelta holds
    await _invalid(gw, "CreateModel", pb.CreateModelRequest(model=model), "model.timeouts.total")
    assert (await gw.call("ListModels", pb.ListModelsRequest())).models


@pytest.mark.xfail(strict=True, reason=GAP)
async def test_a_number_out_of_range_is_a_field_violation(gw: Gateway) -> None:
    model = new_model(retry=admin_pb2.RetryPolicy(max_retries=2, multiplier=1e308))
    await _invalid(gw, "CreateModel", pb.CreateModelRequest(model=model), "model.retry.multiplier")
