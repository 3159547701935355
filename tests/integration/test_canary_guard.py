"""The canary guard itself (tests/canaries.py): it sees every path a secret could leave
by, and a test that leaks fails."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import grpc
import pytest

from llmgateway.v1 import gateway_service_pb2_grpc
from tests.canaries import LeakGuard, canary
from tests.helpers import chat, stream, user

REPO = Path(__file__).resolve().parents[2]


async def test_the_guard_sees_responses_streams_errors_and_logs(
    gateway: gateway_service_pb2_grpc.GatewayServiceStub, leak_guard: LeakGuard
) -> None:
    # A canary the scrubber does not know: only the guard stands between it and the caller.
    secret = canary("selftest")
    leak_guard.add_canary(secret)
    await gateway.Chat(chat("mock/echo", user(secret)), timeout=5)  # the echo model repeats it
    call = gateway.StreamChat(stream("mock/echo", user(secret)), timeout=5)
    assert await call.read() is not grpc.aio.EOF  # read() as well as iteration is watched
    [e async for e in call]
    with pytest.raises(grpc.aio.AioRpcError):
        await gateway.Chat(chat(f"nobody/{secret}"), timeout=5)  # quoted in the status and its details
    logging.getLogger("llmgateway.selftest").warning("saw %s", secret)
    leaks = leak_guard.forget()  # cleared, so that this test itself passes
    sources = {leak.split(": ", 1)[0] for leak in leaks}
    assert sources == {
        "/llmgateway.v1.GatewayService/Chat response",
        "/llmgateway.v1.GatewayService/StreamChat message",
        "/llmgateway.v1.GatewayService/Chat status message",
        "/llmgateway.v1.GatewayService/Chat trailers grpc-status-details-bin",
        "log line",
    }, leaks
    leak_guard.observe("a prefix", f"key={secret[:-20]}...")  # the first characters are enough
    assert leak_guard.forget()


LEAKING_TEST = """
from tests.canaries import PROVIDER_KEY
from tests.helpers import chat, user


async def test_clean(gateway):
    await gateway.Chat(chat("mock/echo"), timeout=5)


async def test_leaks_a_canary(gateway):
    await gateway.Chat(chat("mock/echo", user(PROVIDER_KEY)), timeout=5)
"""


def test_a_test_that_leaks_a_canary_fails(tmp_path: Path) -> None:
    """Runs a small suite with this suite's conftest: the leaking test errors at teardown."""
    suite = tmp_path / "integration"
    suite.mkdir()
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import _registry_home, gateway, gateway_factory, leak_guard  # noqa: F401\n"
    )
    (suite / "test_leak.py").write_text(textwrap.dedent(LEAKING_TEST))
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = session\n"
        "asyncio_default_test_loop_scope = session\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 passed, 1 error" in result.stdout, result.stdout  # the leak: an error at teardown
    assert "ERROR at teardown of test_leaks_a_canary" in result.stdout
    assert "canary secret(s) left the gateway" in result.stdout
