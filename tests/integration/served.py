"""`llmgateway serve` as a real process on a free loopback port, for tests.

It runs with the test's environment minus every `LLMGATEWAY_` setting (plus the ones
the test passes), is ready once it logs `serving`, and keeps its log lines (JSON;
another line as {"msg": text}). Its standard error is read to the end, so a server
that logs a lot never blocks on a full pipe."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Mapping
from typing import Any

import grpc

from llmgateway.v1 import gateway_service_pb2_grpc


class Served:
    def __init__(
        self,
        process: asyncio.subprocess.Process,
        port: int,
        lines: list[dict[str, Any]],
        reader: asyncio.Task[None],
    ) -> None:
        self.process, self.port, self.lines, self.reader = process, port, lines, reader
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        self.stub = gateway_service_pb2_grpc.GatewayServiceStub(self.channel)

    async def stop(self, sig: int = signal.SIGKILL) -> None:
        """Sends `sig` if it still runs, waits for it, and keeps its last log lines."""
        await self.channel.close()
        if self.process.returncode is None:
            self.process.send_signal(sig)
        await self.process.wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.reader, 5)


def environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test's environment without any `LLMGATEWAY_` setting, plus `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LLMGATEWAY_")}
    return {**clean, **(env or {})}


async def serve(*args: str, env: Mapping[str, str] | None = None) -> Served:
    """`llmgateway <args> serve --address 127.0.0.1:0` (e.g. args `--config FILE`)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "llmgateway.cli", *args, "serve", "--address", "127.0.0.1:0",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, env=environment(env),
    )  # fmt: skip
    lines: list[dict[str, Any]] = []
    started: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def read() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            try:
                entry = json.loads(raw)
            except ValueError:
                entry = None
            if not isinstance(entry, dict):
                entry = {"msg": raw.decode(errors="replace")}
            lines.append(entry)
            if entry.get("msg") == "serving" and not started.done():
                started.set_result(int(entry["port"]))
        if not started.done():
            started.set_exception(RuntimeError(f"the server exited: {lines[-5:]}"))

    reader = asyncio.create_task(read())
    try:
        port = await asyncio.wait_for(started, 30)
    except BaseException:
        if process.returncode is None:
            process.kill()
        await process.wait()
        reader.cancel()
        raise
    return Served(process, port, lines, reader)
