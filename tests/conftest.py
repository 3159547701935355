"""Shared fixtures: a real gateway server on 127.0.0.1:0 and stubs to call it, and the
canary guard (tests/canaries.py) that checks after every integration and client test
that no configured secret reached a response, a log line or a span."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from llmgateway.config import Settings
from llmgateway.server import RunningServer, start_server
from llmgateway.v1 import gateway_service_pb2_grpc
from tests.canaries import LeakGuard
from tests.pgserver import PostgresCluster
from tests.redisserver import RedisServer

ServerFactory = Callable[..., Awaitable[gateway_service_pb2_grpc.GatewayServiceStub]]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL server for the whole session (skipped when PostgreSQL is
    not installed, required when CI=true); `postgres.new_database()` gives each test its own."""
    cluster = PostgresCluster()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A throwaway redis-server for the whole session (skipped when not installed,
    required when CI=true); use the `redis_url` fixture for a flushed one per test."""
    server = RedisServer()
    yield server
    server.destroy()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of the session's redis-server, empty (flushed) for this test and started
    again if an earlier test stopped it."""
    if redis_server.process is None:
        redis_server.start()
    redis_server.flush()
    return redis_server.url


GUARDED_SUITES = ("integration", "clients")


@pytest.fixture(autouse=True)
def leak_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[LeakGuard]:
    """Fails an integration or client test in which a canary secret reached a caller,
    a log line or an exported span (see tests/canaries.py)."""
    guard = LeakGuard()
    if not set(GUARDED_SUITES) & set(request.node.path.parts):
        yield guard
        return
    live = request.getfixturevalue("live_gateway") if "live_gateway" in request.fixturenames else None
    seen = len(live.raw) if live is not None else 0
    with guard.watching(monkeypatch):
        yield guard
    if live is not None:
        for line in live.raw[seen:]:
            guard.observe("live gateway log line", line)
    guard.check()


@pytest.fixture(autouse=True)
def _registry_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test (and every process it starts) gets its own registry database:
    the default SQLite file lives under $XDG_DATA_HOME."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("LLMGATEWAY_REGISTRY__DATABASE_URL", raising=False)


@pytest.fixture
async def gateway_factory() -> AsyncIterator[ServerFactory]:
    """Starts gateways with the given settings overrides; returns a stub for each.
    Every server and channel is stopped at the end of the test."""
    servers: list[RunningServer] = []
    channels: list[grpc.aio.Channel] = []

    async def start(**overrides: Any) -> gateway_service_pb2_grpc.GatewayServiceStub:
        overrides.setdefault("server", {})
        overrides["server"] = {"address": "127.0.0.1:0", "uvloop": False, **overrides["server"]}
        running = await start_server(Settings(**overrides))
        servers.append(running)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
        channels.append(channel)
        stub = gateway_service_pb2_grpc.GatewayServiceStub(channel)
        stub.channel = channel  # type: ignore[attr-defined]  # handy for health/reflection stubs
        stub.port = running.port  # type: ignore[attr-defined]
        stub.metrics_port = running.metrics_port  # type: ignore[attr-defined]  # 0: metrics off
        return stub

    yield start
    for channel in channels:
        await channel.close()
    for running in servers:
        await running.stop(0)


@pytest.fixture
async def gateway(gateway_factory: ServerFactory) -> gateway_service_pb2_grpc.GatewayServiceStub:
    """A gateway with the default models only (the mock provider)."""
    return await gateway_factory(include_default_models=True)
