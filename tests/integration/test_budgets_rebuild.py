"""Budgets rebuilt from the usage ledger at start: a restarted gateway does not forget
what was spent. In-process counters are rebuilt whole; Redis counters are shared and
persistent, so a gateway only fills the ones that are missing (after Redis lost them)
and never overwrites live ones."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import pytest

from llmgateway.config import Settings
from llmgateway.server import start_server
from llmgateway.v1 import gateway_service_pb2_grpc
from tests.integration.test_budgets import KNOWN, PRICED, budgets
from tests.redisserver import RedisServer

TEN_CALLS = budgets({"name": "all", "limit": "0.0001"})  # each call reserves and spends 10 micro-dollars

Run = Callable[..., Awaitable[list[str]]]


@pytest.fixture
async def run() -> AsyncIterator[Run]:
    """`await run(calls, **settings)`: a gateway started, `calls` Chat calls made one after
    the other, the gateway stopped (the ledger flushes at shutdown); their outcomes."""

    async def run(calls: int, **overrides: Any) -> list[str]:
        overrides.setdefault("budgets", TEN_CALLS)
        settings = Settings(server={"address": "127.0.0.1:0", "uvloop": False}, models=[PRICED], **overrides)
        running = await start_server(settings)
        outcomes = []
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
                stub = gateway_service_pb2_grpc.GatewayServiceStub(channel)
                for _ in range(calls):
                    try:
                        await stub.Chat(KNOWN, timeout=5)
                        outcomes.append("OK")
                    except grpc.aio.AioRpcError as exc:
                        outcomes.append(exc.code().name)
        finally:
            await running.stop(0)
        return outcomes

    yield run


LEDGER = {"enabled": True}


async def test_in_process_counters_are_rebuilt_from_the_ledger(run: Run) -> None:
    assert await run(6, ledger=LEDGER) == ["OK"] * 6
    assert await run(5, ledger=LEDGER) == ["OK"] * 4 + ["RESOURCE_EXHAUSTED"]
    # Without the ledger (or with rebuild_on_start off) a restart starts from zero.
    no_rebuild = budgets({"name": "all", "limit": "0.0001"}, rebuild_on_start=False)
    assert await run(10, ledger=LEDGER, budgets=no_rebuild) == ["OK"] * 10


async def test_redis_counters_are_filled_only_when_missing(
    run: Run, redis_url: str, redis_server: RedisServer
) -> None:
    redis = {"url": redis_url}
    assert await run(3, ledger=LEDGER, redis=redis) == ["OK"] * 3  # Redis 30, ledger 30
    assert await run(2, redis=redis) == ["OK"] * 2  # Redis 50, ledger still 30
    # The live counter (50) is kept, not replaced by the ledger's 30.
    assert await run(6, ledger=LEDGER, redis=redis) == ["OK"] * 5 + ["RESOURCE_EXHAUSTED"]
    redis_server.flush()
    # Redis lost it: rebuilt from the ledger (3 + 5 calls: 80).
    assert await run(3, ledger=LEDGER, redis=redis) == ["OK"] * 2 + ["RESOURCE_EXHAUSTED"]
