"""Replicas for exactness tests: `llmgateway serve` processes started from one config
file (so they share its Redis and registry database), the CLI run against that file,
and a storm of concurrent calls split between the replicas, counted by outcome.
The `replicas` fixture (tests/integration/conftest.py) starts them and stops them."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import grpc

from tests.canaries import KEY_HASHING_SECRET
from tests.integration.served import Served, environment, serve

KEY_SECRET_ENV = "REPLICA_TEST_KEY_SECRET"  # name it in `auth.key_secret_env` to use keys
_ENV = {KEY_SECRET_ENV: KEY_HASHING_SECRET}


async def cli(config: Path, *args: str) -> str:
    """Runs `llmgateway --config <config> <args>`; its standard output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "llmgateway.cli", "--config", str(config), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=environment(_ENV),
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode().strip()


async def start(config: Path) -> Served:
    """A serving replica on a free port, once it logged that it serves."""
    return await serve("--config", str(config), env=_ENV)


async def storm(
    replicas: Sequence[Served], request: Any, n: int = 200, metadata: Sequence[tuple[str, str]] = ()
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
        self.running: list[Served] = []

    async def start(self, config: Path, n: int = 2) -> list[Served]:
        started = await asyncio.gather(*(start(config) for _ in range(n)))
        self.running.extend(started)
        return list(started)

    async def stop(self) -> None:
        for replica in self.running:
            await replica.stop()
