"""grpc.health.v1: `Check` and `Watch` per service. On drain every status turns
NOT_SERVING and open `Watch` streams send it and end, so they do not hold the
server's shutdown for the whole grace period (grpcio's servicer keeps them open)."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
SERVICE_UNKNOWN = health_pb2.HealthCheckResponse.SERVICE_UNKNOWN


class Health(health_pb2_grpc.HealthServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        self._status: dict[str, Any] = {"": SERVING}
        self._changed = asyncio.Condition()
        self.draining = False

    def status(self, service: str = "") -> Any:
        return self._status.get(service, SERVICE_UNKNOWN)

    async def set(self, service: str, status: Any) -> None:
        """Sets a service's status (ignored once draining: it stays NOT_SERVING)."""
        if self.draining:
            return
        async with self._changed:
            self._status[service] = status
            self._changed.notify_all()

    async def drain(self) -> None:
        async with self._changed:
            self.draining = True
            for service in self._status:
                self._status[service] = NOT_SERVING
            self._changed.notify_all()

    async def Check(
        self, request: health_pb2.HealthCheckRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> health_pb2.HealthCheckResponse:
        status = self._status.get(request.service)
        if status is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"unknown service {request.service!r}")
        return health_pb2.HealthCheckResponse(status=status)

    async def Watch(
        self, request: health_pb2.HealthCheckRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> None:
        last = None
        while True:
            async with self._changed:
                status = self.status(request.service)
                draining = self.draining
                if status == last and not draining:
                    await self._changed.wait()
                    continue
            await context.write(health_pb2.HealthCheckResponse(status=status))
            last = status
            if draining:
                return
