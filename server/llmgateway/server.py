"""Builds and runs the grpc.aio server: the model registry, gateway and admin
services, health, reflection, TLS, and graceful shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from llmgateway.admin.v1 import admin_service_pb2_grpc
from llmgateway.api.admin import ADMIN_SERVICE, AdminServicer, load_admin_token
from llmgateway.api.servicer import GatewayServicer
from llmgateway.config import Settings
from llmgateway.core.router import Router
from llmgateway.core.service import InferenceService
from llmgateway.providers import http
from llmgateway.registry.runtime import Registry
from llmgateway.telemetry.tracing import configure_tracing, shutdown_tracing
from llmgateway.v1 import gateway_service_pb2, gateway_service_pb2_grpc

log = logging.getLogger(__name__)
GATEWAY_SERVICE = gateway_service_pb2.DESCRIPTOR.services_by_name["GatewayService"].full_name


@dataclass
class RunningServer:
    server: grpc.aio.Server
    port: int
    health: HealthServicer
    router: Router
    registry: Registry

    async def stop(self, grace: float | None) -> None:
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
        await self.registry.aclose()
        await self.router.aclose()
        await asyncio.to_thread(shutdown_tracing)  # the OTLP exporter blocks while it flushes


def _credentials(settings: Settings) -> grpc.ServerCredentials | None:
    tls = settings.server.tls
    if tls.cert_file is None and tls.key_file is None:
        return None
    if tls.cert_file is None or tls.key_file is None:
        raise ValueError("TLS needs both server.tls.cert_file and server.tls.key_file")
    client_ca = tls.client_ca_file.read_bytes() if tls.client_ca_file else None
    return grpc.ssl_server_credentials(
        [(tls.key_file.read_bytes(), tls.cert_file.read_bytes())],
        root_certificates=client_ca,
        require_client_auth=client_ca is not None,
    )


async def start_server(settings: Settings) -> RunningServer:
    """Starts serving on `settings.server.address` (port 0 picks a free one).
    Opens the model registry first (migrating and syncing it as configured);
    raises registry.migrate.SchemaError / RegistryUnavailable when it cannot."""
    http.set_default_client(settings.upstream.client)
    admin_token = load_admin_token(settings.admin)
    registry = await Registry.open(settings)
    try:
        return await _start(settings, registry, admin_token)
    except BaseException:
        await registry.aclose()
        raise


async def _start(settings: Settings, registry: Registry, admin_token: str) -> RunningServer:
    router = Router(registry.catalog, policy=settings.credential_policy())
    interceptors = configure_tracing(settings.telemetry.otlp_endpoint, settings.telemetry.service_name)
    grpc_limit = max(settings.server.max_request_bytes * 4, 64 * 1024 * 1024)
    server = grpc.aio.server(
        interceptors=interceptors,
        maximum_concurrent_rpcs=settings.server.max_concurrent_rpcs,
        options=[
            ("grpc.max_receive_message_length", grpc_limit),
            ("grpc.max_send_message_length", grpc_limit),
            ("grpc.so_reuseport", 0),
        ],
    )
    gateway_service_pb2_grpc.add_GatewayServiceServicer_to_server(  # type: ignore[no-untyped-call]
        GatewayServicer(
            InferenceService(router, retry=settings.default_retry, cooldown=settings.default_cooldown),
            settings.server.max_request_bytes,
        ),
        server,
    )
    admin_service_pb2_grpc.add_AdminServiceServicer_to_server(  # type: ignore[no-untyped-call]
        AdminServicer(registry, admin_token), server
    )
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)

    async def registry_health(healthy: bool) -> None:
        # The data plane keeps serving the last snapshot; admin writes need the database.
        serving = health_pb2.HealthCheckResponse.SERVING
        await health.set(ADMIN_SERVICE, serving if healthy else health_pb2.HealthCheckResponse.NOT_SERVING)

    registry.on_health = registry_health
    if settings.server.reflection:
        reflection.enable_server_reflection(
            (
                GATEWAY_SERVICE,
                ADMIN_SERVICE,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ),
            server,
        )
    credentials = _credentials(settings)
    address = settings.server.address
    port = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    await server.start()
    for name in ("", GATEWAY_SERVICE):
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)
    await registry_health(registry.status.healthy)
    registry.start()
    log.info(
        "serving",
        extra={
            "address": address,
            "port": port,
            "tls": credentials is not None,
            "models": len(router.catalog.list()),
            "registry_revision": router.catalog.revision,
            "admin_api": bool(admin_token),
            "upstream_client": settings.upstream.client,
        },
    )
    return RunningServer(server, port, health, router, registry)


async def serve(settings: Settings) -> None:
    """Runs until SIGTERM/SIGINT, then drains in-flight calls for the grace period."""
    running = await start_server(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down", extra={"grace_period_s": settings.server.grace_period_s})
    await running.stop(settings.server.grace_period_s)
