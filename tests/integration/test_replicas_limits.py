"""Exactness across replicas: two `llmgateway serve` processes share one Redis and
one registry database. 200 concurrent calls split between them against a key
limited to 50 requests per minute: exactly 50 succeed; the same for a
tokens-per-minute limit with known usage; and Redis stopped mid-run gives the
configured behaviour. The key is made with `llmgateway keys create`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest

from llmgateway.v1 import chat_pb2, gateway_service_pb2_grpc
from tests.canaries import KEY_HASHING_SECRET
from tests.helpers import chat, user
from tests.redisserver import RedisServer

CONFIG = """
server: {{grace_period_s: 1}}
auth: {{mode: required, key_secret_env: REPLICA_TEST_KEY_SECRET}}
registry: {{database_url: "sqlite:///{db}", refresh_interval_s: 0.5}}
redis: {{url: "{redis}", timeout_s: 0.3}}
limits: {{failure_mode: {mode}}}
"""
# Eight one-letter words with max_tokens 2 reserve 4 (the message's framing) + 4 (15 characters)
# + 2 tokens and use 8 + 2 ("Echo: a" of "Echo: a b c ..."): known usage, equal to the reservation.
KNOWN_USAGE = chat("mock/echo", user("a b c d e f g h"), generation=chat_pb2.GenerationConfig(max_tokens=2))


class Replica:
    def __init__(self, process: asyncio.subprocess.Process, port: int, reader: asyncio.Task[None]) -> None:
        self.process, self.port, self.reader = process, port, reader
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        self.stub = gateway_service_pb2_grpc.GatewayServiceStub(self.channel)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMGATEWAY_")}
    env["REPLICA_TEST_KEY_SECRET"] = KEY_HASHING_SECRET
    return env


async def _cli(config: Path, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "llmgateway.cli", "--config", str(config), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=_env(),
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode().strip()


async def _start(config: Path) -> Replica:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "llmgateway.cli", "--config", str(config), "serve", "--address", "127.0.0.1:0",
        stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL, env=_env(),
    )  # fmt: skip
    started: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def read() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            try:
                entry = json.loads(raw)
            except ValueError:
                continue
            if entry.get("msg") == "serving" and not started.done():
                started.set_result(int(entry["port"]))

    reader = asyncio.create_task(read())
    try:
        port = await asyncio.wait_for(started, 30)
    except BaseException:
        process.kill()
        await process.wait()
        raise
    return Replica(process, port, reader)


Setup = Callable[..., Awaitable[tuple[list[Replica], str]]]


@pytest.fixture
async def replicas(tmp_path: Path, redis_url: str) -> AsyncIterator[Setup]:
    running: list[Replica] = []

    async def setup(mode: str = "fail_open", **limits: int) -> tuple[list[Replica], str]:
        config = tmp_path / "gateway.yaml"
        config.write_text(CONFIG.format(db=tmp_path / "registry.db", redis=redis_url, mode=mode))
        await _cli(config, "migrate")
        flags = [f"--{name}={value}" for name, value in limits.items()]
        key = await _cli(config, "keys", "create", "--name", "replicas", *flags)
        running.extend(await asyncio.gather(_start(config), _start(config)))
        return running, key

    yield setup
    for replica in running:
        await replica.channel.close()
        if replica.process.returncode is None:
            replica.process.kill()
        await replica.process.wait()
        replica.reader.cancel()


async def _storm(replicas: list[Replica], key: str, request: Any, n: int = 200) -> dict[str, int]:
    """`n` concurrent calls, alternating between the replicas; counts by outcome."""
    metadata = (("authorization", f"Bearer {key}"),)

    async def one(i: int) -> str:
        try:
            await replicas[i % len(replicas)].stub.Chat(request, metadata=metadata, timeout=20)
        except grpc.aio.AioRpcError as exc:
            return exc.code().name
        return "OK"

    outcomes = await asyncio.gather(*(one(i) for i in range(n)))
    return {name: outcomes.count(name) for name in set(outcomes)}


async def test_requests_per_minute_are_exact_across_replicas(replicas: Setup) -> None:
    running, key = await replicas(rpm=50)
    assert await _storm(running, key, chat()) == {"OK": 50, "RESOURCE_EXHAUSTED": 150}


async def test_tokens_per_minute_are_exact_across_replicas(replicas: Setup) -> None:
    running, key = await replicas(tpm=500)
    assert await _storm(running, key, KNOWN_USAGE) == {"OK": 50, "RESOURCE_EXHAUSTED": 150}


@pytest.mark.parametrize(("mode", "after_outage"), [("fail_open", "OK"), ("fail_closed", "UNAVAILABLE")])
async def test_redis_stopped_mid_run(
    replicas: Setup, redis_server: RedisServer, mode: str, after_outage: str
) -> None:
    running, key = await replicas(mode=mode, rpm=50)
    try:
        assert await _storm(running, key, chat(), n=100) == {"OK": 50, "RESOURCE_EXHAUSTED": 50}
        redis_server.stop()
        assert await _storm(running, key, chat(), n=100) == {after_outage: 100}
    finally:
        redis_server.start()
