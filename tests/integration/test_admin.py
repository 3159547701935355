"""The AdminService on a real server (SQLite registry), called through the
generated stubs: auth, CRUD and its errors, routing from the registry, pagination,
sync, no secret ever returned, and audit lines naming the caller."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from sqlalchemy import text

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import model_pb2 as admin_pb2
from llmgateway.v1 import error_reason_pb2, image_pb2, model_pb2
from tests.canaries import PROVIDER_KEY
from tests.helpers import Details, chat
from tests.integration.adminkit import AUTH, TOKEN, Gateway, mask, new_model


async def test_no_token_configured_refuses_everything(start: Any) -> None:
    gw = await start(token=None)
    details = await gw.fails("ListModels", pb.ListModelsRequest())
    assert details.code == grpc.StatusCode.PERMISSION_DENIED and details.reason == "ADMIN_DISABLED"
    assert "LLMGATEWAY_ADMIN_TOKEN" in details.message


@pytest.mark.parametrize(
    "metadata",
    [(), (("authorization", "Bearer wrong"),), (("authorization", TOKEN),), (("authorization", "Bearer "),)],
)
async def test_a_missing_or_wrong_token_is_unauthenticated(gw: Gateway, metadata: Any) -> None:
    details = await gw.fails("GetModel", pb.GetModelRequest(id="mock/echo"), metadata)
    assert details.code == grpc.StatusCode.UNAUTHENTICATED and details.reason == "API_KEY_INVALID"
    assert TOKEN not in details.message


async def test_the_token_can_come_from_a_file(start: Any, tmp_path: Path) -> None:
    token_file = tmp_path / "admin-token"
    token_file.write_text(f"{TOKEN}\n")
    gw = await start(token=None, admin={"token_file": str(token_file)})
    response = await gw.call("GetModel", pb.GetModelRequest(id="mock/echo"), AUTH)
    assert response.model.id == "mock/echo"


async def test_create_is_routable_by_the_next_call(gw: Gateway) -> None:
    details_call = gw.stub.Chat(chat("team/echo"), timeout=5)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await details_call
    assert Details(info.value).reason == "MODEL_NOT_FOUND"
    revision_before = dict(await details_call.trailing_metadata())["x-registry-revision"]

    created = (
        await gw.call("CreateModel", pb.CreateModelRequest(model=new_model(display_name="Team echo")))
    ).model
    assert created.adapter_class == "llmgateway.providers.mock.MockAdapter" and created.is_available
    assert created.source == "admin" and created.etag and created.create_time.seconds > 0

    call = gw.stub.Chat(chat("team/echo"), timeout=5)
    response = await call
    assert response.model == "team/echo" and response.upstream_model == "echo"
    revision = dict(await call.trailing_metadata())["x-registry-revision"]
    assert int(revision) > int(revision_before)
    listed = await gw.stub.ListModels(model_pb2.ListModelsRequest(provider="mock"), timeout=5)
    assert "team/echo" in [m.id for m in listed.models]
    got = (await gw.call("GetModel", pb.GetModelRequest(id="team/echo"))).model
    assert got == created


async def test_every_field_round_trips_through_the_api(gw: Gateway) -> None:
    model = new_model(
        "team/full",
        provider="openai",
        upstream_model="gpt-4o-mini",
        adapter_class="llmgateway.providers.openai.OpenAIAdapter",
        base_url="https://llm.internal.example/v1",
        credential_ref="TEAM_API_KEY",
        display_name="Full",
        context_length=128000,
        max_output_tokens=16384,
        pricing=admin_pb2.Pricing(
            currency="USD",
            input_per_million="0.15",
            output_per_million="0.6",
            cached_input_per_million="0.07",
        ),
        fallbacks=["mock/echo"],
        fallback_on=[error_reason_pb2.ERROR_REASON_CONTEXT_LENGTH_EXCEEDED],
        is_available=False,
        options={"max_tokens_field": "max_tokens"},
        weight=2.0,
        deployments=[
            admin_pb2.Deployment(
                id="eu",
                provider="azure",
                upstream_model="dep",
                base_url="https://eu.openai.azure.com",
                credential_ref="AZ_API_KEY",
                options={"api_version": "v1"},
                weight=1.0,
            )
        ],
        routing=admin_pb2.ROUTING_STRATEGY_LOWEST_LATENCY,
        retry=admin_pb2.RetryPolicy(max_retries=3, multiplier=2.5),
        cooldown=admin_pb2.CooldownPolicy(failures=4),
        kind=model_pb2.MODEL_KIND_UPSTREAM,
        description="The team's full model",
    )
    model.timeouts.total.FromSeconds(90)
    created = (await gw.call("CreateModel", pb.CreateModelRequest(model=model))).model
    for field in ("create_time", "update_time", "etag", "source", "operator_fields"):
        created.ClearField(field)
    model.deployments[0].adapter_class = "llmgateway.providers.openai.AzureOpenAIAdapter"
    model.retry.initial_backoff.FromMilliseconds(250)
    model.retry.max_backoff.FromSeconds(8)
    model.cooldown.window.FromSeconds(30)
    model.cooldown.cooldown.FromSeconds(5)
    assert created == model
    details = Details(await _error(gw.stub.Chat(chat("team/full"), timeout=5)))
    assert details.code == grpc.StatusCode.FAILED_PRECONDITION and details.reason == "MODEL_DISABLED"


async def _error(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    return info.value


async def test_max_output_tokens_round_trips_through_yaml_the_row_and_the_proto(start: Any) -> None:
    entry = {"id": "team/capped", "provider": "mock", "upstream_model": "echo", "max_output_tokens": 4096}
    gw = await start(models=[entry])
    synced = (await gw.call("GetModel", pb.GetModelRequest(id="team/capped"))).model
    assert synced.max_output_tokens == 4096  # YAML -> sync -> row -> proto
    await gw.call(
        "UpdateModel",
        pb.UpdateModelRequest(
            model=admin_pb2.Model(id="team/capped", max_output_tokens=8192),
            update_mask=mask("max_output_tokens"),
        ),
    )
    with gw.running.registry.engine.connect() as conn:
        column = conn.execute(text("SELECT max_output_tokens FROM llm_models WHERE id = 'team/capped'"))
        assert column.scalar_one() == 8192  # proto -> row
    assert gw.running.registry.catalog.get("team/capped").max_output_tokens == 8192  # type: ignore[union-attr]
    details = await gw.fails(
        "CreateModel", pb.CreateModelRequest(model=new_model("team/huge", max_output_tokens=10**9))
    )
    assert details.fields == ["model.max_output_tokens"]


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (new_model(adapter_class="no.such.Adapter"), "model.adapter_class"),
        (new_model(provider="x"), "model.adapter_class"),
        (new_model(base_url="not a url"), "model.base_url"),
        (new_model(pricing=admin_pb2.Pricing(output_per_million="-1")), "model.pricing.output_per_million"),
        (new_model(capabilities=[model_pb2.CAPABILITY_UNSPECIFIED]), "model.capabilities[0]"),
        (new_model(capabilities=[]), "model.capabilities"),
        (new_model("has space/x"), "model.id"),
        (new_model(credential_ref="sk-proj-abcdef"), "model.credential_ref"),
        (new_model(upstream_model=""), "model.upstream_model"),
    ],
)
async def test_invalid_models_are_refused_with_a_field_violation(
    gw: Gateway, model: admin_pb2.Model, field: str
) -> None:
    revision = gw.running.registry.status.revision
    details = await gw.fails("CreateModel", pb.CreateModelRequest(model=model))
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT and details.reason == "INVALID_REQUEST"
    assert field in details.fields
    listed = await gw.call("ListModels", pb.ListModelsRequest(provider=model.provider or "mock"))
    assert model.id not in [m.id for m in listed.models]
    assert gw.running.registry.status.revision == revision


async def test_create_an_existing_id(gw: Gateway) -> None:
    details = await gw.fails("CreateModel", pb.CreateModelRequest(model=new_model("mock/echo")))
    assert details.code == grpc.StatusCode.ALREADY_EXISTS and details.reason == "MODEL_ALREADY_EXISTS"


async def test_get_unknown(gw: Gateway) -> None:
    details = await gw.fails("GetModel", pb.GetModelRequest(id="nobody/nothing"))
    assert details.code == grpc.StatusCode.NOT_FOUND and details.reason == "MODEL_NOT_FOUND"
    details = await gw.fails("GetModel", pb.GetModelRequest())
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT and details.fields == ["id"]


async def test_disable_enable_repoint_and_delete(gw: Gateway) -> None:
    await gw.call("CreateModel", pb.CreateModelRequest(model=new_model()))
    disabled = await gw.call(
        "UpdateModel",
        pb.UpdateModelRequest(
            model=admin_pb2.Model(id="team/echo", is_available=False), update_mask=mask("is_available")
        ),
    )
    assert not disabled.model.is_available and list(disabled.model.operator_fields) == ["is_available"]
    details = Details(await _error(gw.stub.Chat(chat("team/echo"), timeout=5)))
    assert details.code == grpc.StatusCode.FAILED_PRECONDITION and details.reason == "MODEL_DISABLED"
    listed = await gw.stub.ListModels(model_pb2.ListModelsRequest(), timeout=5)
    assert "team/echo" not in [m.id for m in listed.models]

    repointed = await gw.call(
        "UpdateModel",
        pb.UpdateModelRequest(
            model=admin_pb2.Model(id="team/echo", is_available=True, upstream_model="echo-2",
                                  pricing=admin_pb2.Pricing(output_per_million="2.0")),
            update_mask=mask("is_available", "upstream_model", "pricing.output_per_million"),
            etag=disabled.model.etag,
        ),
    )  # fmt: skip
    assert repointed.model.pricing.output_per_million == "2"
    response = await gw.stub.Chat(chat("team/echo"), timeout=5)
    assert response.upstream_model == "echo-2"

    stale = await gw.fails("DeleteModel", pb.DeleteModelRequest(id="team/echo", etag=disabled.model.etag))
    assert stale.code == grpc.StatusCode.ABORTED and stale.reason == "ETAG_MISMATCH"
    await gw.call("DeleteModel", pb.DeleteModelRequest(id="team/echo", etag=repointed.model.etag))
    details = Details(await _error(gw.stub.Chat(chat("team/echo"), timeout=5)))
    assert details.code == grpc.StatusCode.NOT_FOUND and details.reason == "MODEL_NOT_FOUND"
    gone = await gw.fails("DeleteModel", pb.DeleteModelRequest(id="team/echo"))
    assert gone.code == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        ((), "is required"),
        (("etag",), "output only"),
        (("create_time",), "output only"),
        (("id",), "cannot change"),
        (("no_such_field",), "not a field"),
        (("pricing.nope",), "not a field"),
    ],
)
async def test_update_mask_errors(gw: Gateway, paths: tuple[str, ...], message: str) -> None:
    details = await gw.fails(
        "UpdateModel", pb.UpdateModelRequest(model=admin_pb2.Model(id="mock/echo"), update_mask=mask(*paths))
    )
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT and details.fields == ["update_mask"]
    assert message in details.message


async def test_update_errors(gw: Gateway) -> None:
    current = (await gw.call("GetModel", pb.GetModelRequest(id="mock/echo"))).model
    await gw.call(
        "UpdateModel",
        pb.UpdateModelRequest(
            model=admin_pb2.Model(id="mock/echo", display_name="A"), update_mask=mask("display_name")
        ),
    )
    stale = await gw.fails(
        "UpdateModel",
        pb.UpdateModelRequest(
            model=admin_pb2.Model(id="mock/echo", display_name="B"),
            update_mask=mask("display_name"),
            etag=current.etag,
        ),
    )
    assert stale.code == grpc.StatusCode.ABORTED
    bad = await gw.fails(
        "UpdateModel",
        pb.UpdateModelRequest(
            model=admin_pb2.Model(id="mock/echo", base_url="gopher://x"), update_mask=mask("base_url")
        ),
    )
    assert bad.code == grpc.StatusCode.INVALID_ARGUMENT and bad.fields == ["model.base_url"]
    unknown = await gw.fails(
        "UpdateModel",
        pb.UpdateModelRequest(model=admin_pb2.Model(id="a/b"), update_mask=mask("display_name")),
    )
    assert unknown.code == grpc.StatusCode.NOT_FOUND
    assert (await gw.call("GetModel", pb.GetModelRequest(id="mock/echo"))).model.display_name == "A"


async def test_no_secret_value_is_ever_returned(gw: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = PROVIDER_KEY
    monkeypatch.setenv("TEAM_SECRET_API_KEY", secret)
    await gw.call("CreateModel", pb.CreateModelRequest(model=new_model(credential_ref="TEAM_SECRET_API_KEY")))
    got = await gw.call("GetModel", pb.GetModelRequest(id="team/echo"))
    listed = await gw.call("ListModels", pb.ListModelsRequest())
    assert got.model.credential_ref == "TEAM_SECRET_API_KEY"
    assert secret.encode() not in got.SerializeToString() + listed.SerializeToString()


async def test_list_pagination_contract(gw: Gateway) -> None:
    for i in range(5):
        caps = [model_pb2.CAPABILITY_EMBED] if i % 2 else [model_pb2.CAPABILITY_CHAT]
        await gw.call(
            "CreateModel",
            pb.CreateModelRequest(model=new_model(f"page/m{i}", capabilities=caps, is_available=i != 4)),
        )

    async def pages(**filters: Any) -> list[list[str]]:
        out, token = [], ""
        while True:
            page = await gw.call("ListModels", pb.ListModelsRequest(page_size=2, page_token=token, **filters))
            out.append([m.id for m in page.models])
            token = page.next_page_token
            if not token:
                return out

    everything = [i for page in await pages() for i in page]
    assert everything == sorted(everything) and len(everything) == len(set(everything))
    assert {"mock/echo", "page/m4"} <= set(everything)
    assert await pages(capability=model_pb2.CAPABILITY_EMBED, provider="mock") == [
        ["mock/embed", "page/m1"],
        ["page/m3"],
    ]
    assert await pages(is_available=False) == [["page/m4"]]
    for request, field in (
        (pb.ListModelsRequest(page_token="garbage"), "page_token"),
        (pb.ListModelsRequest(page_size=-1), "page_size"),
    ):
        details = await gw.fails("ListModels", request)
        assert details.code == grpc.StatusCode.INVALID_ARGUMENT and details.fields == [field]


async def test_sync_reports_and_keeps_operator_changes(gw: Gateway) -> None:
    report = await gw.call("SyncModels", pb.SyncModelsRequest())
    assert not report.added and not report.changed and "mock/echo" in report.unchanged
    await gw.call(
        "UpdateModel",
        pb.UpdateModelRequest(
            model=admin_pb2.Model(id="mock/echo", display_name="Ours"), update_mask=mask("display_name")
        ),
    )
    with gw.running.registry.engine.begin() as conn:  # an upstream change the sync should repair
        conn.execute(text("UPDATE llm_models SET context_length = 1 WHERE id = 'mock/echo'"))
    dry = await gw.call("SyncModels", pb.SyncModelsRequest(dry_run=True))
    assert list(dry.changed) == ["mock/echo"]
    report = await gw.call("SyncModels", pb.SyncModelsRequest())
    assert list(report.changed) == ["mock/echo"] and report.revision > dry.revision
    got = (await gw.call("GetModel", pb.GetModelRequest(id="mock/echo"))).model
    assert got.display_name == "Ours" and got.context_length == 32768
    everything = await gw.call("SyncModels", pb.SyncModelsRequest(all_providers=True, dry_run=True))
    assert any(i.startswith("openai/") for i in everything.added)


async def test_an_unimportable_adapter_fails_that_model_only(gw: Gateway) -> None:
    with gw.running.registry.engine.begin() as conn:  # a row written by someone else, e.g. by SQL
        conn.execute(
            text("UPDATE llm_models SET adapter_class = 'gone.plugin.Adapter' WHERE id = 'mock/image'")
        )
        conn.execute(text("UPDATE registry_state SET revision = revision + 1"))
    await gw.running.registry.refresh()
    request = image_pb2.GenerateImageRequest(model="mock/image", prompt="a square", count=1)
    details = Details(await _error(gw.stub.GenerateImage(request, timeout=5)))
    assert details.code == grpc.StatusCode.FAILED_PRECONDITION and "gone.plugin.Adapter" in details.message
    assert (await gw.stub.Chat(chat(), timeout=5)).model == "mock/echo"


async def test_health_and_reflection_name_the_admin_service(gw: Gateway) -> None:
    health = health_pb2_grpc.HealthStub(gw.channel)
    status = await health.Check(health_pb2.HealthCheckRequest(service="llmgateway.admin.v1.AdminService"))
    assert status.status == health_pb2.HealthCheckResponse.SERVING
    reflection = reflection_pb2_grpc.ServerReflectionStub(gw.channel)
    responses = reflection.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")])
    )
    names = [s.name async for r in responses for s in r.list_services_response.service]
    assert "llmgateway.admin.v1.AdminService" in names


async def test_audit_lines_name_the_callers_address(gw: Gateway, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="llmgateway.admin")
    await gw.call("CreateModel", pb.CreateModelRequest(model=new_model()))
    await gw.fails("DeleteModel", pb.DeleteModelRequest(id="team/echo"), (("authorization", "Bearer wrong"),))
    lines = [r for r in caplog.records if r.name == "llmgateway.admin"]
    assert [(r.getMessage(), r.method, r.target, r.status) for r in lines] == [  # type: ignore[attr-defined]
        ("admin call", "CreateModel", "team/echo", "OK"),
        ("admin call", "DeleteModel", "", "UNAUTHENTICATED"),
    ]
    for line in lines:  # the peer gRPC reports: this test's channel on loopback
        assert re.fullmatch(r"ipv4:127\.0\.0\.1:\d+", line.client), line.client  # type: ignore[attr-defined]
