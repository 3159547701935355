"""Admin writes are validated so that no stored row can fail to render later:
out-of-range durations and numbers, NaN and infinity are field violations on
create and update; a row that is bad anyway (written by SQL) never poisons
GetModel/ListModels or the data plane, before or after a restart."""

from __future__ import annotations

import math
from typing import Any

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from sqlalchemy import text

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import model_pb2 as admin_pb2
from llmgateway.v1 import model_pb2
from tests.helpers import Details, chat
from tests.integration.adminkit import Gateway, mask, new_model

HOUR = 3600
INVALID = [
    ({"timeouts": admin_pb2.Timeouts(total=Duration(seconds=10**12))}, "model.timeouts.total"),
    ({"timeouts": admin_pb2.Timeouts(total=Duration(seconds=10**6))}, "model.timeouts.total"),
    ({"timeouts": admin_pb2.Timeouts(connect=Duration(seconds=-1))}, "model.timeouts.connect"),
    ({"timeouts": admin_pb2.Timeouts(idle=Duration(seconds=1, nanos=-5))}, "model.timeouts.idle"),
    ({"timeouts": admin_pb2.Timeouts(first_token=Duration())}, "model.timeouts.first_token"),
    ({"weight": math.nan}, "model.weight"),
    ({"weight": math.inf}, "model.weight"),
    ({"pricing": admin_pb2.Pricing(input_per_million="NaN")}, "model.pricing.input_per_million"),
    ({"pricing": admin_pb2.Pricing(output_per_million="-Infinity")}, "model.pricing.output_per_million"),
    ({"retry": admin_pb2.RetryPolicy(multiplier=math.nan)}, "model.retry.multiplier"),
    ({"retry": admin_pb2.RetryPolicy(max_backoff=Duration(seconds=100 * HOUR))}, "model.retry.max_backoff"),
    ({"retry": admin_pb2.RetryPolicy(max_retries=1000)}, "model.retry.max_retries"),
    ({"cooldown": admin_pb2.CooldownPolicy(window=Duration(seconds=-30))}, "model.cooldown.window"),
    ({"context_length": -1}, "model.context_length"),
    ({"display_name": "x" * 201}, "model.display_name"),
    ({"deployments": [admin_pb2.Deployment(id="d", provider="mock", upstream_model="e", weight=math.inf)]},
     "model.deployments[0].weight"),
    ({"routing": 99}, "model.routing"),
]  # fmt: skip


@pytest.mark.parametrize(("given", "field"), INVALID)
async def test_out_of_range_values_are_refused_on_create(
    gw: Gateway, given: dict[str, Any], field: str
) -> None:
    revision = gw.running.registry.status.revision
    details = await gw.fails("CreateModel", pb.CreateModelRequest(model=new_model(**given)))
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT and details.reason == "INVALID_REQUEST"
    assert details.fields == [field]
    assert gw.running.registry.status.revision == revision


@pytest.mark.parametrize(("given", "field"), INVALID)
async def test_out_of_range_values_are_refused_on_update(
    gw: Gateway, given: dict[str, Any], field: str
) -> None:
    request = pb.UpdateModelRequest(model=new_model("mock/echo", **given), update_mask=mask(*given))
    details = await gw.fails("UpdateModel", request)
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT and details.fields == [field]
    stored = (await gw.call("GetModel", pb.GetModelRequest(id="mock/echo"))).model
    assert stored.operator_fields == [] and not stored.HasField("retry")


async def _corrupt(gw: Gateway, model_id: str) -> None:
    """A row an older gateway (or a hand-written SQL) left out of range."""
    with gw.running.registry.engine.begin() as conn:
        conn.execute(
            text("""UPDATE llm_models SET timeouts = '{"total": 1e12}' WHERE id = :id"""), {"id": model_id}
        )
        conn.execute(text("UPDATE registry_state SET revision = revision + 1"))
    await gw.running.registry.refresh()


async def _check_poison_free(gw: Gateway) -> None:
    details = await gw.fails("GetModel", pb.GetModelRequest(id="team/bad"))
    assert details.code == grpc.StatusCode.FAILED_PRECONDITION and details.reason == "MODEL_MISCONFIGURED"
    assert "model.timeouts.total" in details.message
    listed = await gw.call("ListModels", pb.ListModelsRequest())
    ids = [m.id for m in listed.models]
    assert "team/bad" not in ids and "mock/echo" in ids
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gw.stub.Chat(chat("team/bad"), timeout=5)
    assert Details(info.value).reason == "MODEL_NOT_FOUND"  # never served
    assert (await gw.stub.Chat(chat(), timeout=5)).model == "mock/echo"
    assert gw.running.registry.status.broken_models == ("team/bad",)


async def test_a_bad_stored_row_never_poisons_get_or_list(start: Any, tmp_path: Any) -> None:
    registry = {"database_url": f"sqlite:///{tmp_path}/registry.db"}
    gw = await start(registry=registry)
    await gw.call("CreateModel", pb.CreateModelRequest(model=new_model("team/bad")))
    await _corrupt(gw, "team/bad")
    await _check_poison_free(gw)
    await gw.running.stop(0)
    again = await start(registry=registry)  # a restart reads the same row
    await _check_poison_free(again)
    await again.call("DeleteModel", pb.DeleteModelRequest(id="team/bad"))
    assert again.running.registry.status.broken_models == ()
    created = await again.call("CreateModel", pb.CreateModelRequest(model=new_model("team/bad")))
    assert created.model.capabilities == [model_pb2.CAPABILITY_CHAT, model_pb2.CAPABILITY_STREAM]
