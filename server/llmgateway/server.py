"""The composition root: registry -> router and resilience -> observers and policies
-> InferenceService -> the gRPC edge (gateway and admin services, health,
reflection, TLS), and graceful shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import CollectorRegistry

from llmgateway import access
from llmgateway.api.admin import ADMIN_SERVICE, AdminServicer, load_admin_token
from llmgateway.api.edge import Edge, EdgeLimits
from llmgateway.api.health import NOT_SERVING, SERVING, Health
from llmgateway.api.servicer import GATEWAY_SERVICE, GatewayServicer
from llmgateway.api.sessions import SESSION_SERVICE, SessionServicer
from llmgateway.cache import policy as cache_policy
from llmgateway.components import (
    BUILTIN_OBSERVERS,
    BUILTIN_POLICIES,
    Components,
    aclose_all,
    observer_specs,
    register_metrics,
    start_components,
)
from llmgateway.config import PipelineSettings, Settings
from llmgateway.core.balancer import InProcessState
from llmgateway.core.calls import ADMIN_METHOD_PREFIX
from llmgateway.core.pipeline import Observers, Pipeline, build_components
from llmgateway.core.resilience import Resilience
from llmgateway.core.router import Router
from llmgateway.core.service import InferenceService
from llmgateway.providers import http, streaming
from llmgateway.registry.runtime import Registry
from llmgateway.sessions import policy as sessions_policy
from llmgateway.stores.redis import RedisStore
from llmgateway.telemetry.access_metrics import AccessMetrics
from llmgateway.telemetry.logs import LogObserver
from llmgateway.telemetry.metrics import MetricsObserver
from llmgateway.telemetry.tracing import Tracing

log = logging.getLogger(__name__)
HEALTH_SERVICE = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name
# Health "service" name that reports whether the shared Redis answers.
REDIS_HEALTH = "llmgateway.redis"


@dataclass
class RunningServer:
    servers: list[grpc.aio.Server]  # the data plane's accept loops, all on `port`
    port: int
    health: Health
    router: Router
    registry: Registry
    redis: RedisStore | None = None
    admin_server: grpc.aio.Server | None = None
    admin_port: int = 0
    metrics: CollectorRegistry | None = None  # the access metrics (keys, rate limits)
    closers: list[Callable[[], None]] = field(default_factory=list)
    metrics_port: int = 0
    async_closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def stop(self, grace: float | None) -> None:
        await self.health.drain()
        servers = self.servers + ([self.admin_server] if self.admin_server else [])
        await asyncio.gather(*(s.stop(grace) for s in servers))
        await aclose_all(self.async_closers)
        await self.registry.aclose()
        await self.router.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        for close in self.closers:
            await asyncio.to_thread(close)  # e.g. the OTLP exporter blocks while it flushes


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


async def start_server(settings: Settings, worker: int = 0) -> RunningServer:
    """Starts serving on `settings.server.address` (port 0 picks a free one).
    Opens the model registry first (migrating and syncing it as configured);
    raises registry.migrate.SchemaError / RegistryUnavailable when it cannot.
    `worker` (1..N): one of several processes sharing the port (SO_REUSEPORT)."""
    http.set_default_client(settings.upstream.client)
    streaming.set_coalescing(settings.upstream.coalesce_deltas)
    admin_token = load_admin_token(settings.admin)
    registry = await Registry.open(settings)
    try:
        return await _start(settings, registry, admin_token, worker)
    except BaseException:
        await registry.aclose()
        raise


def _new_server(settings: Settings, interceptors: list[Any], reuse_port: bool) -> grpc.aio.Server:
    # grpc's own limit sits above ours, so an oversized request reaches the edge and
    # gets INVALID_ARGUMENT with a field violation rather than a bare RESOURCE_EXHAUSTED;
    # not far above: grpc buffers what it accepts (a 60 MiB request took 190 MB).
    receive_limit = settings.server.max_request_bytes * 4
    send_limit = max(receive_limit, 64 * 1024 * 1024)  # images and embeddings can be large
    return grpc.aio.server(
        interceptors=interceptors,
        options=[
            ("grpc.max_receive_message_length", receive_limit),
            ("grpc.max_send_message_length", send_limit),
            ("grpc.so_reuseport", int(reuse_port)),
        ],
    )


def _listen(server: grpc.aio.Server, address: str, credentials: grpc.ServerCredentials | None) -> int:
    return server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)


async def _start(settings: Settings, registry: Registry, admin_token: str, worker: int) -> RunningServer:
    router = Router(registry.catalog, policy=settings.credential_policy())
    edge_auth = access.edge_auth(settings, registry)
    r = settings.redis
    redis = RedisStore(r.url, r.timeout_s, r.key_prefix, r.max_connections) if r.url else None
    deployments = InProcessState()
    access_metrics = AccessMetrics(registry.keyring)
    if edge_auth is not None:
        edge_auth.on_failure = access_metrics.auth_failed
    components = Components(settings, registry, redis, deployments, access_metrics, worker)
    closers: list[Callable[[], None]] = []
    interceptors: list[Any] = []
    observers: list[Any] = [LogObserver(), access_metrics]
    if settings.telemetry.otlp_endpoint:
        tracing = Tracing(settings.telemetry.otlp_endpoint, settings.telemetry.service_name)
        interceptors, closers = tracing.interceptors(), [tracing.shutdown]
        observers.append(tracing.observer())
    observers += build_components(observer_specs(settings), BUILTIN_OBSERVERS, components)
    policies = build_components(
        PipelineSettings.specs(settings.pipeline.policies), BUILTIN_POLICIES, components
    )
    register_metrics(observers, policies, access_metrics)
    fan_out = Observers(observers)
    resilience = Resilience(
        registry.catalog.get,
        router.adapter,
        state=deployments,
        retry=settings.default_retry,
        cooldown=settings.default_cooldown,
        observers=fan_out,
        timeouts=settings.default_timeouts,
    )
    service = InferenceService(router, resilience, Pipeline(policies, fan_out))
    s = settings.server
    edge = Edge(
        fan_out,
        lambda: registry.catalog.revision,
        EdgeLimits(
            s.max_request_bytes,
            s.max_concurrent_calls,
            s.max_concurrent_streams,
            s.overload_retry_after_s,
            s.max_call_duration_s,
        ),
    )
    credentials = _credentials(settings)
    health = Health()
    caching = any(isinstance(p, cache_policy.CachePolicy) for p in policies)
    authenticate = edge_auth.authenticate if edge_auth is not None else None
    sessions = next((p for p in policies if isinstance(p, sessions_policy.SessionPolicy)), None)
    handlers = [
        edge.bind(GATEWAY_SERVICE, GatewayServicer(service, caching), authenticate=authenticate),
        edge.bind(
            SESSION_SERVICE, SessionServicer(sessions.store if sessions else None), authenticate=authenticate
        ),
    ]
    admin = AdminServicer(registry, admin_token)
    admin_handler = edge.bind(
        ADMIN_SERVICE, admin, prefix=ADMIN_METHOD_PREFIX, authenticate=admin.authenticate, counted=False
    )
    admin_server: grpc.aio.Server | None = None
    admin_port = 0
    if settings.admin.address:
        admin_server = _new_server(settings, interceptors, reuse_port=worker > 0)
        admin_server.add_generic_rpc_handlers((admin_handler,))
        health_pb2_grpc.add_HealthServicer_to_server(health, admin_server)
        admin_port = _listen(admin_server, settings.admin.address, credentials)
    else:
        handlers.append(admin_handler)
    names = [GATEWAY_SERVICE.full_name, SESSION_SERVICE.full_name, HEALTH_SERVICE, reflection.SERVICE_NAME]
    if settings.admin.reflection and admin_server is None:
        names.append(ADMIN_SERVICE.full_name)
    # Several grpc.aio servers on one port, one accept loop each (see ServerSettings.accept_loops).
    servers = [
        _new_server(settings, interceptors, reuse_port=worker > 0 or s.accept_loops > 1)
        for _ in range(s.accept_loops)
    ]
    for server in servers:
        server.add_generic_rpc_handlers(handlers)
        health_pb2_grpc.add_HealthServicer_to_server(health, server)
        if s.reflection:
            reflection.enable_server_reflection(names, server)
    if admin_server is not None and settings.admin.reflection:
        reflection.enable_server_reflection(
            [ADMIN_SERVICE.full_name, HEALTH_SERVICE, reflection.SERVICE_NAME], admin_server
        )

    async def registry_health(healthy: bool) -> None:
        # The data plane keeps serving the last snapshot; admin writes need the database.
        await health.set(ADMIN_SERVICE.full_name, SERVING if healthy else NOT_SERVING)

    registry.on_health = registry_health
    if redis is not None:

        async def redis_health(healthy: bool) -> None:
            await health.set(REDIS_HEALTH, SERVING if healthy else NOT_SERVING)

        redis.on_health.append(redis_health)
        await redis_health(True)
    async_closers = await start_components([*observers, *policies])
    try:
        port = _listen(servers[0], s.address, credentials)
        for server in servers[1:]:  # the port the first one got (the address may say 0)
            if _listen(server, f"{s.address.rpartition(':')[0]}:{port}", credentials) != port:
                raise RuntimeError(f"accept loop could not share port {port}")
        for server in servers:
            await server.start()
        if admin_server is not None:
            await admin_server.start()
    except BaseException:
        await aclose_all(async_closers)
        raise
    metrics_port = next((o.port for o in observers if isinstance(o, MetricsObserver)), 0)
    for name in ("", GATEWAY_SERVICE.full_name):
        await health.set(name, SERVING)
    await registry_health(registry.status.healthy)
    registry.start()
    log.info(
        "serving",
        extra={
            "address": s.address,
            "port": port,
            "admin_address": settings.admin.address or None,
            "admin_port": admin_port or None,
            "metrics_port": metrics_port or None,
            "tls": credentials is not None,
            "models": len(router.catalog.list()),
            "registry_revision": router.catalog.revision,
            "admin_api": bool(admin_token),
            "auth": "required" if edge_auth is not None and edge_auth.required else "off",
            "api_keys": len(registry.keyring),
            "upstream_client": settings.upstream.client,
            "policies": [type(p).__name__ for p in policies] or None,
        },
    )
    return RunningServer(
        servers,
        port,
        health,
        router,
        registry,
        redis,
        admin_server,
        admin_port,
        access_metrics.registry,
        closers,
        metrics_port,
        async_closers,
    )


def _freeze_startup_objects() -> None:
    """Moves what start-up built (modules, SQLAlchemy, grpc: ~100k objects) out of the
    garbage collector's sight: else each full collection, which large requests trigger,
    scans them all and stalls the event loop for 60-100 ms."""
    gc.collect()
    gc.freeze()


def _stop_with_parent(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """A worker drains and stops when its parent dies (killed, so it could not say)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def orphaned() -> None:
        loop.remove_reader(parent.sentinel)
        stop.set()

    loop.add_reader(parent.sentinel, orphaned)


def run(settings: Settings, worker: int = 0) -> None:
    """Serves until SIGTERM/SIGINT, on uvloop when it is installed and enabled."""
    if settings.server.uvloop:
        try:
            import uvloop
        except ImportError:
            pass
        else:
            uvloop.run(serve(settings, worker))
            return
    asyncio.run(serve(settings, worker))


async def serve(settings: Settings, worker: int = 0) -> None:
    """Runs until SIGTERM/SIGINT, then drains in-flight calls for the grace period."""
    running = await start_server(settings, worker)
    _freeze_startup_objects()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if worker:
        _stop_with_parent(loop, stop)
    await stop.wait()
    log.info("shutting down", extra={"grace_period_s": settings.server.grace_period_s})
    await running.stop(settings.server.grace_period_s)
