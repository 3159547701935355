"""`llmgateway serve --workers 2` as a real process: two workers share one port (calls
land on both), one `/metrics` counts both, a killed worker is replaced, and SIGTERM
lets the streams in flight on both finish."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from llmgateway.v1 import gateway_service_pb2_grpc
from tests.helpers import chat, stream, user

CONFIG = """
server:
  grace_period_s: 10
models:
  - id: mock/slow
    provider: mock
    upstream_model: echo
    capabilities: [chat, stream]
    options: {chunk_delay_ms: "150"}
"""
MAX_CHANNELS = 40  # the kernel spreads connections at random: enough to reach both workers


class Workers:
    def __init__(self, process: asyncio.subprocess.Process, lines: list[dict[str, Any]]) -> None:
        self.process, self.lines = process, lines
        self.channels: list[grpc.aio.Channel] = []
        self.port = self.metrics_port = 0

    def stub(self) -> gateway_service_pb2_grpc.GatewayServiceStub:
        """A stub on a new connection (a local subchannel pool: not shared with the others)."""
        channel = grpc.aio.insecure_channel(
            f"127.0.0.1:{self.port}", options=[("grpc.use_local_subchannel_pool", 1)]
        )
        self.channels.append(channel)
        return gateway_service_pb2_grpc.GatewayServiceStub(channel)

    def logged(self, msg: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line.get("msg") == msg]

    async def wait_for(self, msg: str, count: int, within: float = 60) -> list[dict[str, Any]]:
        for _ in range(int(within * 10)):
            if len(found := self.logged(msg)) >= count:
                return found
            await asyncio.sleep(0.1)
        raise AssertionError(f"no {count} {msg!r} lines: {self.lines[-5:]}")

    def scrape(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as r:
            return str(r.read().decode())


async def _read_logs(process: asyncio.subprocess.Process, lines: list[dict[str, Any]]) -> None:
    assert process.stderr is not None
    async for raw in process.stderr:
        try:
            lines.append(json.loads(raw))
        except ValueError:
            continue


@pytest.fixture
async def workers(tmp_path: Path) -> AsyncIterator[Workers]:
    config = tmp_path / "gateway.yaml"
    config.write_text(CONFIG)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMGATEWAY_")}
    env["LLMGATEWAY_METRICS__ADDRESS"] = "127.0.0.1:0"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "llmgateway.cli",
        "--config",
        str(config),
        "serve",
        "--address",
        "127.0.0.1:0",
        "--workers",
        "2",
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    lines: list[dict[str, Any]] = []
    reader = asyncio.create_task(_read_logs(process, lines))
    gateway = Workers(process, lines)
    try:
        (started,) = await gateway.wait_for("workers started", 1)
        gateway.port, gateway.metrics_port = started["port"], started["metrics_port"]
        serving = await gateway.wait_for("serving", 2)
        assert {line["worker"] for line in serving} == {1, 2}
        assert {line["port"] for line in serving} == {gateway.port}
        yield gateway
    finally:
        for channel in gateway.channels:
            await channel.close()
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()  # the workers follow their parent (server.py)
                await process.wait()
        reader.cancel()


def _process_of(request_id: str) -> str:
    return request_id[:16]  # request ids start with a random prefix of their process


async def test_two_workers_share_one_port_and_one_metrics_endpoint(workers: Workers) -> None:
    served: set[str] = set()
    calls = 0
    while len(served) < 2 and calls < MAX_CHANNELS:
        response = await workers.stub().Chat(chat("mock/echo", user("hi")), timeout=10)
        served.add(_process_of(response.request_id))
        calls += 1
    assert len(served) == 2, "every call landed on one worker"
    await asyncio.sleep(0.3)
    lines = workers.logged("call")
    assert len(lines) == calls and {line["worker"] for line in lines} == {1, 2}
    assert all("worker" in line for line in workers.lines)  # every line names its process
    counted = sum(
        float(line.rsplit(" ", 1)[1])
        for line in workers.scrape().splitlines()
        if line.startswith("llmgateway_calls_total{") and 'grpc_method="Chat"' in line
    )
    assert counted == calls  # both workers' calls in the one scrape

    # A worker that dies is started again, and the port keeps answering.
    pid = workers.logged("workers started")[0]["pids"][0]  # worker 1
    os.kill(pid, signal.SIGKILL)
    (restarted,) = await workers.wait_for("worker restarted", 1)
    assert restarted["new_worker"] == 1 and restarted["pid"] != pid
    assert (await workers.wait_for("serving", 3))[-1]["port"] == workers.port
    for _ in range(4):
        assert (await workers.stub().Chat(chat("mock/echo", user("again")), timeout=10)).message.content


async def test_sigterm_lets_the_streams_on_both_workers_finish(workers: Workers) -> None:
    calls: dict[str, Any] = {}
    for _ in range(MAX_CHANNELS):
        call = workers.stub().StreamChat(stream("mock/slow", user("one two three four five")), timeout=30)
        first = await call.read()
        if calls.setdefault(_process_of(first.start.request_id), call) is not call:
            call.cancel()  # another stream on a worker that has one
        if len(calls) == 2:
            break
    assert len(calls) == 2, "every stream landed on one worker"
    workers.process.send_signal(signal.SIGTERM)
    for call in calls.values():
        rest = []
        while (event := await call.read()) is not grpc.aio.EOF:
            rest.append(event)
        assert rest[-1].WhichOneof("event") == "end"
        assert "".join(e.text_delta.text for e in rest) == "Echo: one two three four five"
    assert await asyncio.wait_for(workers.process.wait(), 30) == 0
    assert len(workers.logged("shutting down")) == 3  # the parent and both workers
