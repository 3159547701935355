"""Fixtures of the admin tests: `start(token=..., **settings)` starts a gateway with
the Admin API (a Gateway of adminkit.py); `gw` is one with the defaults."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from llmgateway.admin.v1 import admin_service_pb2_grpc
from llmgateway.config import Settings
from llmgateway.server import start_server
from llmgateway.v1 import gateway_service_pb2_grpc
from tests.integration.adminkit import TOKEN, Gateway
from tests.integration.replicas import ReplicaSet


@pytest.fixture
async def start(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    started: list[Gateway] = []

    async def start(token: str | None = TOKEN, **overrides: Any) -> Gateway:
        monkeypatch.delenv("TEST_ADMIN_TOKEN", raising=False)
        if token is not None:
            monkeypatch.setenv("TEST_ADMIN_TOKEN", token)
        overrides.setdefault("admin", {"token_env": "TEST_ADMIN_TOKEN"})
        settings = Settings(server={"address": "127.0.0.1:0", "uvloop": False}, **overrides)
        running = await start_server(settings)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
        gateway = Gateway(
            running,
            channel,
            gateway_service_pb2_grpc.GatewayServiceStub(channel),
            admin_service_pb2_grpc.AdminServiceStub(channel),
        )
        started.append(gateway)
        return gateway

    yield start
    for gateway in started:
        await gateway.channel.close()
        await gateway.running.stop(0)


@pytest.fixture
async def gw(start: Any) -> Gateway:
    gateway: Gateway = await start()
    return gateway


@pytest.fixture
async def replicas() -> AsyncIterator[ReplicaSet]:
    """`await replicas.start(config_file, n)`: `llmgateway serve` processes, stopped at the end."""
    started = ReplicaSet()
    yield started
    await started.stop()
