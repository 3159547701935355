"""A gateway with the Admin API on (its token in TEST_ADMIN_TOKEN), for the admin
tests; the `start` and `gw` fixtures (conftest.py) build it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.protobuf import field_mask_pb2

from llmgateway.admin.v1 import admin_service_pb2_grpc
from llmgateway.admin.v1 import model_pb2 as admin_pb2
from llmgateway.server import RunningServer
from llmgateway.v1 import gateway_service_pb2_grpc, model_pb2
from tests.canaries import ADMIN_TOKEN
from tests.helpers import Details

TOKEN = ADMIN_TOKEN
AUTH = (("authorization", f"Bearer {TOKEN}"),)


@dataclass
class Gateway:
    running: RunningServer
    channel: grpc.aio.Channel
    stub: gateway_service_pb2_grpc.GatewayServiceStub
    admin: admin_service_pb2_grpc.AdminServiceStub

    async def call(self, method: str, request: Any, metadata: Any = AUTH) -> Any:
        return await getattr(self.admin, method)(request, metadata=metadata, timeout=10)

    async def fails(self, method: str, request: Any, metadata: Any = AUTH) -> Details:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await self.call(method, request, metadata)
        return Details(info.value)


def new_model(model_id: str = "team/echo", **kw: Any) -> admin_pb2.Model:
    fields: dict[str, Any] = {
        "id": model_id,
        "provider": "mock",
        "upstream_model": "echo",
        "capabilities": [model_pb2.CAPABILITY_CHAT, model_pb2.CAPABILITY_STREAM],
    }
    fields.update(kw)
    return admin_pb2.Model(**fields)


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))
