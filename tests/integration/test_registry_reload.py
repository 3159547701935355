"""Hot reload: replicas sharing a registry database converge within the refresh
bound (in-process on SQLite, two server processes on PostgreSQL), and a database
that goes away leaves the last snapshot serving, visibly."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import field_mask_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import admin_service_pb2_grpc
from llmgateway.admin.v1 import model_pb2 as admin_pb2
from llmgateway.config import Settings
from llmgateway.server import RunningServer, start_server
from llmgateway.v1 import gateway_service_pb2_grpc
from tests.canaries import ADMIN_TOKEN, LeakGuard
from tests.helpers import Details, chat
from tests.integration.served import serve
from tests.pgserver import PostgresCluster

TOKEN = ADMIN_TOKEN
AUTH = (("authorization", f"Bearer {TOKEN}"),)
ADMIN = "llmgateway.admin.v1.AdminService"


def disable(model_id: str) -> pb.UpdateModelRequest:
    return pb.UpdateModelRequest(
        model=admin_pb2.Model(id=model_id, is_available=False),
        update_mask=field_mask_pb2.FieldMask(paths=["is_available"]),
    )


async def refused_within(
    stub: gateway_service_pb2_grpc.GatewayServiceStub, bound: float
) -> tuple[float, str]:
    """Calls mock/echo until it is refused as disabled; returns (seconds taken, revision header)."""
    started = time.monotonic()
    while time.monotonic() - started < bound + 10:
        call = stub.Chat(chat("mock/echo"), timeout=5)
        try:
            await call
        except grpc.aio.AioRpcError as exc:
            assert Details(exc).reason == "MODEL_DISABLED"
            return time.monotonic() - started, dict(await call.trailing_metadata())["x-registry-revision"]
        await asyncio.sleep(0.05)
    pytest.fail("the model was never refused")


@pytest.fixture
async def servers(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    monkeypatch.setenv("RELOAD_ADMIN_TOKEN", TOKEN)
    running: list[RunningServer] = []
    channels: list[grpc.aio.Channel] = []

    async def start(
        database_url: str, refresh_interval_s: float, **registry: Any
    ) -> tuple[RunningServer, grpc.aio.Channel]:
        settings = Settings(
            server={"address": "127.0.0.1:0", "uvloop": False},
            registry={"database_url": database_url, "refresh_interval_s": refresh_interval_s, **registry},
            admin={"token_env": "RELOAD_ADMIN_TOKEN"},
        )
        server = await start_server(settings)
        running.append(server)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
        channels.append(channel)
        return server, channel

    yield start
    for channel in channels:
        await channel.close()
    for server in running:
        await server.stop(0)


async def test_replicas_on_one_sqlite_file_converge(servers: Any, tmp_path: Path) -> None:
    url, bound = f"sqlite:///{tmp_path}/shared.db", 0.5
    (_, channel_a), (_, channel_b) = [await servers(url, bound) for _ in range(2)]
    stub_b = gateway_service_pb2_grpc.GatewayServiceStub(channel_b)
    assert (await stub_b.Chat(chat("mock/echo"), timeout=5)).model == "mock/echo"
    updated = await admin_service_pb2_grpc.AdminServiceStub(channel_a).UpdateModel(
        disable("mock/echo"), metadata=AUTH, timeout=5
    )
    # The replica that took the write refuses at once...
    stub_a = gateway_service_pb2_grpc.GatewayServiceStub(channel_a)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub_a.Chat(chat("mock/echo"), timeout=5)
    assert Details(info.value).reason == "MODEL_DISABLED"
    # ...and the other within the refresh interval (plus one refresh).
    took, revision = await refused_within(stub_b, bound)
    assert took < bound + 2.0
    assert revision == updated.model.etag  # the revision that wrote the row is the one serving


async def test_two_server_processes_on_postgresql_converge(
    postgres: PostgresCluster, leak_guard: LeakGuard
) -> None:
    bound = 1.0
    env = {
        "LLMGATEWAY_REGISTRY__DATABASE_URL": postgres.new_database(),
        "LLMGATEWAY_REGISTRY__REFRESH_INTERVAL_S": str(bound),
        "LLMGATEWAY_ADMIN_TOKEN": TOKEN,
    }
    # Both start at once on an empty database: one migrates and syncs, the other waits its turn.
    a, b = await asyncio.gather(serve(env=env), serve(env=env))
    admin_a, admin_b = (admin_service_pb2_grpc.AdminServiceStub(p.channel) for p in (a, b))
    try:
        for p in (a, b):
            assert (await p.stub.Chat(chat("mock/echo"), timeout=5)).model == "mock/echo"
        updated = await admin_a.UpdateModel(disable("mock/echo"), metadata=AUTH, timeout=10)
        took, revision = await refused_within(b.stub, bound)
        assert took < bound + 3.0, f"converged after {took:.2f}s"
        assert revision == updated.model.etag
        # Re-enabled through the other replica, and back on the first.
        enable = disable("mock/echo")
        enable.model.is_available = True
        await admin_b.UpdateModel(enable, metadata=AUTH, timeout=10)
        deadline = time.monotonic() + bound + 5
        while True:
            try:
                await a.stub.Chat(chat("mock/echo"), timeout=5)
                break
            except grpc.aio.AioRpcError:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
    finally:
        for p in (a, b):
            await p.stop(signal.SIGTERM)
            for line in p.lines:  # the processes run with the canary admin token
                leak_guard.observe("gateway process log line", json.dumps(line))


async def test_an_unreachable_database_keeps_the_last_snapshot_serving(
    servers: Any, caplog: pytest.LogCaptureFixture
) -> None:
    cluster = PostgresCluster()
    try:
        server, channel = await servers(cluster.new_database(), 0.2)
        stub = gateway_service_pb2_grpc.GatewayServiceStub(channel)
        health = health_pb2_grpc.HealthStub(channel)
        admin = admin_service_pb2_grpc.AdminServiceStub(channel)
        revision = server.registry.status.revision

        async def admin_health() -> Any:
            response = await health.Check(health_pb2.HealthCheckRequest(service=ADMIN), timeout=5)
            return response.status

        assert await admin_health() == health_pb2.HealthCheckResponse.SERVING
        caplog.set_level(logging.ERROR, logger="llmgateway.registry.runtime")
        cluster.stop()
        deadline = time.monotonic() + 15
        while await admin_health() != health_pb2.HealthCheckResponse.NOT_SERVING:
            assert time.monotonic() < deadline, "health never reported the failing registry"
            await asyncio.sleep(0.1)
        status = server.registry.status
        assert not status.healthy and status.last_error and status.refresh_failures_total >= 1
        assert any("registry refresh failed" in r.getMessage() for r in caplog.records)
        call = stub.Chat(chat("mock/echo"), timeout=5)
        assert (await call).model == "mock/echo"  # still served from the last snapshot
        assert dict(await call.trailing_metadata())["x-registry-revision"] == str(revision)
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await admin.GetModel(pb.GetModelRequest(id="mock/echo"), metadata=AUTH, timeout=15)
        details = Details(info.value)
        assert details.code == grpc.StatusCode.UNAVAILABLE and details.reason == "REGISTRY_UNAVAILABLE"

        cluster.start()
        deadline = time.monotonic() + 15
        while await admin_health() != health_pb2.HealthCheckResponse.SERVING:
            assert time.monotonic() < deadline, "health never recovered"
            await asyncio.sleep(0.1)
        assert server.registry.status.healthy and server.registry.status.consecutive_failures == 0
        got = await admin.GetModel(pb.GetModelRequest(id="mock/echo"), metadata=AUTH, timeout=10)
        assert got.model.id == "mock/echo"
    finally:
        cluster.destroy()


async def test_a_database_that_turns_read_only_is_detected_and_reported(
    servers: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Reads keep working on a read-only server, so only the periodic write check notices it."""
    import psycopg

    cluster = PostgresCluster()
    try:
        server, channel = await servers(cluster.new_database(), 0.1, write_check_interval_s=0.1)
        health = health_pb2_grpc.HealthStub(channel)

        async def admin_health() -> Any:
            response = await health.Check(health_pb2.HealthCheckRequest(service=ADMIN), timeout=5)
            return response.status

        assert await admin_health() == health_pb2.HealthCheckResponse.SERVING
        caplog.set_level(logging.ERROR, logger="llmgateway.registry.runtime")
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET default_transaction_read_only = on")
            conn.execute("SELECT pg_reload_conf()")
        for _ in range(150):
            if await admin_health() == health_pb2.HealthCheckResponse.NOT_SERVING:
                break
            await asyncio.sleep(0.1)
        assert await admin_health() == health_pb2.HealthCheckResponse.NOT_SERVING
        assert "read-only" in server.registry.status.last_error  # the cause, as the database said it
        assert any("registry refresh failed" in r.getMessage() for r in caplog.records)
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM RESET default_transaction_read_only")
            conn.execute("SELECT pg_reload_conf()")
        for _ in range(150):
            if await admin_health() == health_pb2.HealthCheckResponse.SERVING:
                break
            await asyncio.sleep(0.1)
        assert await admin_health() == health_pb2.HealthCheckResponse.SERVING
    finally:
        cluster.destroy()
