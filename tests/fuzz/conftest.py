"""The fuzz suite's server and oracle: one real gateway (both services, an admin token,
its own SQLite registry) for the whole package, called with raw request bytes through
grpc channels with the default client limits (8 KiB of metadata included).

Hypothesis runs derandomized (the same examples in every run, so CI is stable);
`LLMGATEWAY_FUZZ_SCALE=10` runs ten times as many examples, with fresh randomness."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, settings

from llmgateway.config import Settings
from llmgateway.server import RunningServer, start_server
from tests.helpers import Details, chat

TOKEN = "fuzz-admin-token-0123456789abcdef"
AUTH = (("authorization", f"Bearer {TOKEN}"),)
SCALE = float(os.environ.get("LLMGATEWAY_FUZZ_SCALE", "1"))
settings.register_profile(
    "fuzz",
    derandomize=SCALE == 1,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
# Codes that mean the gateway failed, hung or crashed rather than judged the request.
FORBIDDEN = {
    grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.CANCELLED,
    grpc.StatusCode.UNIMPLEMENTED,
    grpc.StatusCode.DATA_LOSS,
}
METADATA_LIMIT = 8192  # gRPC clients' default for received metadata
# Served for the health check after each test: an id the admin fuzzing never draws (it may
# delete or disable the default models).
HEALTH_MODEL = "fuzz-health/echo"


def examples(n: int) -> settings:
    return settings(settings.get_profile("fuzz"), max_examples=max(1, int(n * SCALE)))


@dataclass
class Target:
    running: RunningServer
    channel: grpc.aio.Channel

    async def call(self, method: str, raw: bytes, *, admin: bool = False, streaming: bool = False) -> str:
        """Sends `raw` to `/service/Method` and checks the answer against the oracle;
        returns the status code's name."""
        metadata = AUTH if admin else None
        try:
            if streaming:
                async for _ in self.channel.unary_stream(method)(raw, metadata=metadata, timeout=10):
                    pass
            else:
                await self.channel.unary_unary(method)(raw, metadata=metadata, timeout=10)
        except grpc.aio.AioRpcError as exc:
            check_error(method, exc)
            return exc.code().name
        return "OK"

    async def healthy(self) -> None:
        health = health_pb2_grpc.HealthStub(self.channel)
        status = (await health.Check(health_pb2.HealthCheckRequest(), timeout=5)).status
        assert status == health_pb2.HealthCheckResponse.SERVING
        answer = await self.channel.unary_unary("/llmgateway.v1.GatewayService/Chat")(
            chat(HEALTH_MODEL).SerializeToString(), timeout=5
        )
        assert answer


def check_error(method: str, exc: grpc.aio.AioRpcError) -> None:
    code = exc.code()
    assert code not in FORBIDDEN, f"{method}: {code.name}: {exc.details()!r}"
    trailers = exc.trailing_metadata() or ()
    size = sum(len(key) + len(value) + 32 for key, value in trailers)
    assert size < METADATA_LIMIT, f"{method}: {size} bytes of trailers"
    details = Details(exc)
    assert details.error_info is not None, f"{method}: {code.name} without ErrorInfo"
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        assert details.fields, f"{method}: INVALID_ARGUMENT without a field violation: {exc.details()!r}"


@pytest.fixture(scope="package")
async def target(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Target]:
    home: Path = tmp_path_factory.mktemp("fuzz")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FUZZ_ADMIN_TOKEN", TOKEN)
        running = await start_server(
            Settings(
                server={"address": "127.0.0.1:0", "uvloop": False},
                admin={"token_env": "FUZZ_ADMIN_TOKEN"},
                registry={"database_url": f"sqlite:///{home}/registry.db"},
                models=[{"id": HEALTH_MODEL, "provider": "mock", "upstream_model": "echo"}],
            )
        )
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    yield Target(running, channel)
    await channel.close()
    await running.stop(0)


@pytest.fixture(autouse=True)
async def _healthy_afterwards(target: Target) -> AsyncIterator[None]:
    """After every fuzz test the server still answers health checks and calls."""
    yield
    await target.healthy()
