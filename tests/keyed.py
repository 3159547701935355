"""A real gateway that requires API keys, with the Admin API to make them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import admin_service_pb2_grpc, api_key_pb2
from llmgateway.config import Settings
from llmgateway.server import RunningServer, start_server
from llmgateway.v1 import gateway_service_pb2_grpc
from tests.canaries import ADMIN_TOKEN, KEY_HASHING_SECRET

ADMIN = (("authorization", f"Bearer {ADMIN_TOKEN}"),)


def bearer(key: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {key}"),)


@dataclass
class KeyedGateway:
    running: RunningServer
    channel: grpc.aio.Channel
    stub: gateway_service_pb2_grpc.GatewayServiceStub
    admin: admin_service_pb2_grpc.AdminServiceStub

    async def create_key(self, **fields: Any) -> tuple[api_key_pb2.ApiKey, str]:
        response = await self.admin.CreateApiKey(
            pb.CreateApiKeyRequest(api_key=api_key_pb2.ApiKey(**fields)), metadata=ADMIN, timeout=10
        )
        return response.api_key, response.secret


@pytest.fixture
async def keyed_factory(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    """Starts gateways that require keys (override `auth`, `limits`, `redis`, ...)."""
    monkeypatch.setenv("KEYS_TEST_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.setenv("KEYS_TEST_SECRET", KEY_HASHING_SECRET)
    started: list[KeyedGateway] = []

    async def start(**overrides: Any) -> KeyedGateway:
        overrides.setdefault("auth", {"mode": "required", "key_secret_env": "KEYS_TEST_SECRET"})
        settings = Settings(
            server={"address": "127.0.0.1:0", "uvloop": False},
            admin={"token_env": "KEYS_TEST_ADMIN_TOKEN"},
            **overrides,
        )
        running = await start_server(settings)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
        gateway = KeyedGateway(
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
