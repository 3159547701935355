"""API keys through a real server and the generated stubs: the Admin API (create
shows the secret once, list/get/update/revoke, FieldMask, etag, pagination,
filters), authentication at the edge (every failure is UNAUTHENTICATED /
API_KEY_INVALID and says nothing more), model permissions, ListModels filtered,
secure-by-default auth, and the key never leaking into logs, errors or metrics."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf import field_mask_pb2, timestamp_pb2
from prometheus_client import generate_latest

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import api_key_pb2
from llmgateway.config import Settings
from llmgateway.server import start_server
from llmgateway.v1 import model_pb2
from tests.helpers import Details, chat, scrape, stream
from tests.keyed import ADMIN, KeyedGateway, bearer


@pytest.fixture
async def gw(keyed_factory: Any) -> KeyedGateway:
    gateway: KeyedGateway = await keyed_factory()
    return gateway


async def fails(call: Any) -> Details:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    return Details(info.value)


async def stream_fails(call: Any) -> Details:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in call:
            pass
    return Details(info.value)


def timestamp(when: datetime) -> timestamp_pb2.Timestamp:
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(when)
    return out


async def test_create_shows_the_secret_once_and_the_key_works(gw: KeyedGateway) -> None:
    key, secret = await gw.create_key(name="billing", labels={"team": "pay"}, allowed_models=["mock/*"])
    assert secret.startswith(f"llmgw_{key.id}_") and len(key.id) == 12 and key.etag
    assert key.create_time.seconds > 0 and not key.HasField("revoke_time")
    got = (await gw.admin.GetApiKey(pb.GetApiKeyRequest(id=key.id), metadata=ADMIN)).api_key
    assert got == key and secret not in str(got)
    response = await gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5)
    assert response.message.content[0].text == "Echo: hello there"
    also = await gw.stub.Chat(chat(), metadata=(("x-api-key", secret),), timeout=5)
    assert also.model == "mock/echo"
    events = [e async for e in gw.stub.StreamChat(stream(), metadata=bearer(secret), timeout=5)]
    assert events[-1].HasField("end")


async def test_every_refused_key_is_the_same_unauthenticated(gw: KeyedGateway) -> None:
    revoked_key, revoked = await gw.create_key(name="revoked")
    await gw.admin.RevokeApiKey(pb.RevokeApiKeyRequest(id=revoked_key.id), metadata=ADMIN)
    _, disabled = await gw.create_key(name="disabled", disabled=True)
    _, expired = await gw.create_key(
        name="old", expire_time=timestamp(datetime.now(UTC) - timedelta(seconds=1))
    )
    good_key, good = await gw.create_key(name="good")
    unknown = f"llmgw_{'0' * 12}_{good.rsplit('_', 1)[1]}"
    forged = good[:-4] + "AAAA"
    cases = {
        "missing": (),
        "not bearer": (("authorization", f"Basic {good}"),),
        "malformed": bearer("sk-not-one-of-ours"),
        "huge": bearer("llmgw_" + "a" * 5000),
        "unknown id": bearer(unknown),
        "forged secret": bearer(forged),
        "revoked": bearer(revoked),
        "disabled": bearer(disabled),
        "expired": bearer(expired),
    }
    messages = set()
    for name, metadata in cases.items():
        for details in (
            await fails(gw.stub.Chat(chat(), metadata=metadata, timeout=5)),
            await stream_fails(gw.stub.StreamChat(stream(), metadata=metadata, timeout=5)),
            await fails(gw.stub.ListModels(model_pb2.ListModelsRequest(), metadata=metadata, timeout=5)),
        ):
            assert (details.code, details.reason) == (grpc.StatusCode.UNAUTHENTICATED, "API_KEY_INVALID"), (
                name
            )
            assert details.error_info is not None and dict(details.error_info.metadata) == {}
            messages.add(details.message)
    assert len(messages) == 1  # never says which case it was
    for secret in (good, revoked, disabled, expired, forged):
        assert secret not in messages.pop() if messages else True
    assert good_key.id  # the good key itself still works
    assert (await gw.stub.Chat(chat(), metadata=bearer(good), timeout=5)).model == "mock/echo"


async def test_a_key_may_use_only_its_models_and_lists_only_them(gw: KeyedGateway) -> None:
    _, secret = await gw.create_key(name="embed only", allowed_models=["mock/emb*", "mock/image"])
    details = await fails(gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5))
    assert (details.code, details.reason) == (grpc.StatusCode.PERMISSION_DENIED, "PERMISSION_DENIED")
    assert dict(details.error_info.metadata) == {"model": "mock/echo"}  # type: ignore[union-attr]
    details = await stream_fails(gw.stub.StreamChat(stream(), metadata=bearer(secret), timeout=5))
    assert details.code == grpc.StatusCode.PERMISSION_DENIED
    listed = await gw.stub.ListModels(model_pb2.ListModelsRequest(), metadata=bearer(secret), timeout=5)
    assert [m.id for m in listed.models] == ["mock/embed", "mock/image"]
    _, everything = await gw.create_key(name="all")
    listed = await gw.stub.ListModels(model_pb2.ListModelsRequest(), metadata=bearer(everything), timeout=5)
    assert {"mock/echo", "mock/embed", "mock/image"} <= {m.id for m in listed.models}


async def test_update_with_field_mask_and_etag_reaches_the_next_call(gw: KeyedGateway) -> None:
    key, secret = await gw.create_key(name="k", allowed_models=["mock/embed"])
    update = api_key_pb2.ApiKey(id=key.id, allowed_models=["mock/*"], name="ignored", disabled=True)
    mask = field_mask_pb2.FieldMask(paths=["allowed_models"])
    updated = (
        await gw.admin.UpdateApiKey(
            pb.UpdateApiKeyRequest(api_key=update, update_mask=mask, etag=key.etag), metadata=ADMIN
        )
    ).api_key
    assert list(updated.allowed_models) == ["mock/*"] and updated.name == "k" and not updated.disabled
    assert updated.etag != key.etag
    assert (await gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5)).model == "mock/echo"
    stale = await fails(
        gw.admin.UpdateApiKey(
            pb.UpdateApiKeyRequest(api_key=update, update_mask=mask, etag=key.etag), metadata=ADMIN
        )
    )
    assert (stale.code, stale.reason) == (grpc.StatusCode.ABORTED, "ETAG_MISMATCH")
    disable = field_mask_pb2.FieldMask(paths=["disabled", "limits.requests_per_minute"])
    update = api_key_pb2.ApiKey(
        id=key.id, disabled=True, limits=api_key_pb2.RateLimits(requests_per_minute=9)
    )
    done = (
        await gw.admin.UpdateApiKey(
            pb.UpdateApiKeyRequest(api_key=update, update_mask=disable), metadata=ADMIN
        )
    ).api_key
    assert done.disabled and done.limits.requests_per_minute == 9
    refused = await fails(gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5))
    assert refused.reason == "API_KEY_INVALID"


@pytest.mark.parametrize(
    ("paths", "fragment"),
    [((), "is required"), (("id",), "cannot change"), (("etag",), "output only"), (("nope",), "not a field")],
)
async def test_update_mask_errors(gw: KeyedGateway, paths: tuple[str, ...], fragment: str) -> None:
    key, _ = await gw.create_key(name="k")
    request = pb.UpdateApiKeyRequest(api_key=api_key_pb2.ApiKey(id=key.id), update_mask={"paths": paths})
    details = await fails(gw.admin.UpdateApiKey(request, metadata=ADMIN))
    assert details.reason == "INVALID_REQUEST" and details.fields == ["update_mask"]
    assert fragment in details.bad_request.field_violations[0].description  # type: ignore[union-attr]


async def test_invalid_keys_are_refused_with_field_violations(gw: KeyedGateway) -> None:
    bad = api_key_pb2.ApiKey(
        name="x" * 201,
        labels={"Bad Key": "v"},
        allowed_models=["ok/*", "has space"],
        limits=api_key_pb2.RateLimits(requests_per_minute=-1),
        model_limits=[
            api_key_pb2.ModelRateLimits(model="", limits=api_key_pb2.RateLimits(concurrent_calls=-2))
        ],
    )
    details = await fails(gw.admin.CreateApiKey(pb.CreateApiKeyRequest(api_key=bad), metadata=ADMIN))
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(details.fields) == {
        "api_key.name",
        "api_key.labels",
        "api_key.allowed_models[1]",
        "api_key.limits.requests_per_minute",
        "api_key.model_limits[0].model",
        "api_key.model_limits[0].limits.concurrent_calls",
    }
    listed = await gw.admin.ListApiKeys(pb.ListApiKeysRequest(), metadata=ADMIN)
    assert list(listed.api_keys) == []


async def test_unknown_ids_and_revoked_keys(gw: KeyedGateway) -> None:
    details = await fails(gw.admin.GetApiKey(pb.GetApiKeyRequest(id="0123456789ab"), metadata=ADMIN))
    assert (details.code, details.reason) == (grpc.StatusCode.NOT_FOUND, "API_KEY_NOT_FOUND")
    details = await fails(gw.admin.GetApiKey(pb.GetApiKeyRequest(id="../etc"), metadata=ADMIN))
    assert details.fields == ["id"]
    key, _ = await gw.create_key(name="k")
    first = (await gw.admin.RevokeApiKey(pb.RevokeApiKeyRequest(id=key.id), metadata=ADMIN)).api_key
    again = (await gw.admin.RevokeApiKey(pb.RevokeApiKeyRequest(id=key.id), metadata=ADMIN)).api_key
    assert first.HasField("revoke_time") and again == first
    request = pb.UpdateApiKeyRequest(
        api_key=api_key_pb2.ApiKey(id=key.id, name="n"), update_mask={"paths": ["name"]}
    )
    details = await fails(gw.admin.UpdateApiKey(request, metadata=ADMIN))
    assert (details.code, details.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "API_KEY_REVOKED")


async def test_list_pages_and_filters(gw: KeyedGateway) -> None:
    created = []
    for i in range(5):
        key, _ = await gw.create_key(name=f"k{i}", labels={"team": "a" if i % 2 else "b"}, disabled=i == 4)
        created.append(key.id)
    ids, revoked = set(created), created[0]
    await gw.admin.RevokeApiKey(pb.RevokeApiKeyRequest(id=revoked), metadata=ADMIN)
    seen: list[str] = []
    token = ""
    while True:
        page = await gw.admin.ListApiKeys(
            pb.ListApiKeysRequest(page_size=2, page_token=token), metadata=ADMIN
        )
        assert len(page.api_keys) <= 2
        seen += [k.id for k in page.api_keys]
        token = page.next_page_token
        if not token:
            break
    assert seen == sorted(ids - {revoked})
    with_revoked = await gw.admin.ListApiKeys(pb.ListApiKeysRequest(show_revoked=True), metadata=ADMIN)
    assert {k.id for k in with_revoked.api_keys} == ids
    team_a = await gw.admin.ListApiKeys(pb.ListApiKeysRequest(labels={"team": "a"}), metadata=ADMIN)
    assert {k.name for k in team_a.api_keys} == {"k1", "k3"}
    disabled = await gw.admin.ListApiKeys(pb.ListApiKeysRequest(disabled=True), metadata=ADMIN)
    assert [k.name for k in disabled.api_keys] == ["k4"]
    details = await fails(gw.admin.ListApiKeys(pb.ListApiKeysRequest(page_token="bogus"), metadata=ADMIN))
    assert details.fields == ["page_token"]


async def test_keys_need_the_admin_token(gw: KeyedGateway) -> None:
    _, secret = await gw.create_key(name="k")
    details = await fails(gw.admin.ListApiKeys(pb.ListApiKeysRequest(), metadata=bearer(secret)))
    assert details.code == grpc.StatusCode.UNAUTHENTICATED  # an API key is not the admin token


async def test_without_a_hashing_secret_keys_cannot_be_made(keyed_factory: Any) -> None:
    gw = await keyed_factory(auth={"mode": "off", "key_secret_env": "NOT_SET_ANYWHERE"})
    details = await fails(gw.admin.CreateApiKey(pb.CreateApiKeyRequest(), metadata=ADMIN))
    assert (details.code, details.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "API_KEYS_DISABLED")
    assert (await gw.stub.Chat(chat(), timeout=5)).model == "mock/echo"  # auth off: no key needed


async def test_secure_by_default(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("LLMGATEWAY_KEY_SECRET", raising=False)
    with pytest.raises(ValueError, match="no key-hashing secret"):
        await start_server(Settings(server={"address": "0.0.0.0:0", "uvloop": False}))
    with caplog.at_level(logging.WARNING, logger="llmgateway.server"):
        running = await start_server(
            Settings(server={"address": "0.0.0.0:0", "uvloop": False}, auth={"mode": "off"})
        )
        await running.stop(0)
    assert any("auth is off on a non-loopback address" in r.getMessage() for r in caplog.records)
    assert Settings().auth.required_on("127.0.0.1:50051") is False
    assert Settings().auth.required_on("[::1]:1") is False
    assert Settings().auth.required_on("[::]:1") is True
    assert Settings(auth={"mode": "required"}).auth.required_on("localhost:1") is True


async def test_the_key_never_leaks(gw: KeyedGateway, caplog: pytest.LogCaptureFixture) -> None:
    key, secret = await gw.create_key(name="secretive")
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    call = gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5)
    await call
    texts.append(str(await call.trailing_metadata()))
    for metadata in (bearer(secret[:-1] + "x"), bearer(secret + "x"), (("x-api-key", secret[:30]),)):
        details = await fails(gw.stub.Chat(chat(), metadata=metadata, timeout=5))
        texts += [details.message, str(details.error_info)]
    await gw.running.registry.refresh(force=True)
    texts.append(generate_latest(gw.running.metrics).decode())  # type: ignore[arg-type]
    texts.append(caplog.text)
    rows = str(await gw.running.registry.db(gw.running.registry.key_repository.load))
    texts.append(rows)
    for text in texts:
        assert secret not in text and secret[18:] not in text
    assert f'key_id="{key.id}"' in texts[-3]  # the public id is how metrics name it


async def test_key_and_limit_metrics_join_the_metrics_endpoint(keyed_factory: Any) -> None:
    gw: KeyedGateway = await keyed_factory(metrics={"address": "127.0.0.1:0"})
    key, secret = await gw.create_key(name="k", limits=api_key_pb2.RateLimits(requests_per_minute=1))
    assert (await gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5)).model == "mock/echo"
    assert (await fails(gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5))).reason == "RATE_LIMITED"
    assert (await fails(gw.stub.Chat(chat(), timeout=5))).reason == "API_KEY_INVALID"
    await gw.running.registry.refresh(force=True)
    scraped = await scrape(gw.running.metrics_port)
    assert scraped.series("llmgateway_auth_failures_total", "cause") == {("missing",): 1.0}
    assert scraped.series("llmgateway_rate_limited_total", "limit", "subject") == {("requests", "key"): 1.0}
    calls = scraped.series("llmgateway_api_key_calls_total", "key_id", "status")
    assert calls == {(key.id, "OK"): 1.0, (key.id, "RESOURCE_EXHAUSTED"): 1.0}
    assert scraped.value("llmgateway_api_keys") == 1.0
    assert secret not in scraped.text
