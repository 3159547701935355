"""The `llmgateway` command as a real process: start-up, one log line per call,
and a SIGTERM that lets an in-flight stream finish."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from tests.helpers import chat, stream, user
from tests.integration.served import Served, serve

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


@pytest.fixture
async def process_gateway(tmp_path: Path) -> AsyncIterator[Served]:
    config = tmp_path / "gateway.yaml"
    config.write_text(CONFIG)
    gateway = await serve("--config", str(config))
    yield gateway
    await gateway.stop()


async def test_one_structured_line_per_call_without_prompt_text(process_gateway: Served) -> None:
    secret_prompt = "my very private prompt"
    response = await process_gateway.stub.Chat(chat("mock/echo", user(secret_prompt)), timeout=5)
    events = [e async for e in process_gateway.stub.StreamChat(stream("mock/slow", user("a b")), timeout=5)]
    assert events[-1].WhichOneof("event") == "end"
    await asyncio.sleep(0.3)
    calls = [line for line in process_gateway.lines if line.get("msg") == "call"]
    assert [c["method"] for c in calls] == ["Chat", "StreamChat"]
    chat_line, stream_line = calls
    assert chat_line["request_id"] == response.request_id
    assert (
        chat_line["model"] == "mock/echo" and chat_line["provider"] == "mock" and chat_line["status"] == "OK"
    )
    assert (
        chat_line["latency_ms"] >= 0 and chat_line["prompt_tokens"] > 0 and chat_line["completion_tokens"] > 0
    )
    assert stream_line["ttft_ms"] >= 100  # the mock paces its first text event by 150 ms
    assert all(secret_prompt not in json.dumps(line) for line in process_gateway.lines)


async def test_sigterm_lets_an_inflight_stream_finish(process_gateway: Served) -> None:
    call = process_gateway.stub.StreamChat(stream("mock/slow", user("one two three four five")), timeout=20)
    first = await call.read()
    assert first.WhichOneof("event") == "start"
    process_gateway.process.send_signal(signal.SIGTERM)
    rest = []
    while (event := await call.read()) is not grpc.aio.EOF:
        rest.append(event)
    assert rest[-1].WhichOneof("event") == "end"
    assert "".join(e.text_delta.text for e in [first, *rest]) == "Echo: one two three four five"
    assert await asyncio.wait_for(process_gateway.process.wait(), 15) == 0
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await process_gateway.stub.Chat(chat(), timeout=2)
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_bad_config_is_reported_without_a_traceback(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("models:\n  - id: a/b\n    provider: nobody\n    upstream_model: m\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "llmgateway.cli",
        "--config",
        str(config),
        "models",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 2
    assert b"invalid configuration" in err and b"Traceback" not in err
