"""Replicas for exactness tests: `llmgateway serve` processes started from one config
file (so they share its Redis and registry database), the CLI run against that file,
and a storm of concurrent calls split between the replicas, counted by outcome.
The `replicas` fixture (tests/integration/conftest.py) starts them and stops them."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import grpc

from llmgateway.v1 import gateway_service_pb2_grpc
from tests.canaries import KEY_HASHING_SECRET

KEY_SECRET_ENV = "REPLICA_TEST_KEY_SECRET"  # name it in `auth.key_secret_env` to use keys


class Replica:
    def __init__(self, process: asyncio.subprocess.Process, port: int, reader: asyncio.Task[None]) -> None:
        self.process, self.port, self.reader = process, port, reader
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        self.stub = gateway_service_pb2_grpc.GatewayServiceStub(self.channel)

    async def stop(self) -> None:
        await self.channel.close()
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        self.reader.cancel()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMGATEWAY_")}
    env[KEY_SECRET_ENV] = KEY_HASHING_SECRET
    return env


async def cli(config: Path, *args: str) -> str:
    """Runs `llmgateway --config <config> <args>`; its standard output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "llmgateway.cli", "--config", str(config), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=_env(),
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode().strip()


async def start(config: Path) -> Replica:
    """A serving replica on a free port, once it logged that it serves."""
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


async def storm(
    replicas: Sequence[Replica], request: Any, n: int = 200, metadata: Sequence[tuple[str, str]] = ()
) -> dict[str, int]:
    """`n` concurrent Chat calls, alternating between the replicas; counts by outcome."""

    async def one(i: int) -> str:
        try:
            await replicas[i % len(replicas)].stub.Chat(request, metadata=tuple(metadata), timeout=20)
        except grpc.aio.AioRpcError as exc:
            return exc.code().name
        return "OK"

    outcomes = await asyncio.gather(*(one(i) for i in range(n)))
    return {name: outcomes.count(name) for name in set(outcomes)}


class ReplicaSet:
    """Replicas started by a test (the `replicas` fixture stops them at its end)."""

    def __init__(self) -> None:
        self.running: list[Replica] = []

    async def start(self, config: Path, n: int = 2) -> list[Replica]:
        started = await asyncio.gather(*(start(config) for _ in range(n)))
        self.running.extend(started)
        return list(started)

    async def stop(self) -> None:
        for replica in self.running:
            await replica.stop()
