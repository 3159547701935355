"""A real gateway process shared by the client tests of every language.

`live_gateway` runs `python -m llmgateway.cli serve --address 127.0.0.1:0` once per session with
the default models (`mock/echo`, `mock/embed`, `mock/image`, `mock/transcribe`, `mock/speech`)
plus the models of `LIVE_CONFIG` (`mock/slow`: an echo model that paces its stream by 200 ms per
chunk; `support/bot`: a virtual model with memory over `mock/echo`, for the session calls) and the
response cache on (deterministic calls, `temperature: 0`, are cached), reads the port from the
`{"msg": "serving", "port": N}` log line on stderr, and stops the process at the end. It runs
with the canary admin token configured; the canary guard (tests/conftest.py) reads its log lines.
The gateway requires an API key (`auth.mode: required`): `llmgateway keys create` makes one in
its registry before it starts, and every client test sends it (`LiveGateway.api_key`, and
`LLMGATEWAY_API_KEY` for the Go, Java and TypeScript tests).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.canaries import ADMIN_TOKEN, KEY_HASHING_SECRET, LeakGuard

LIVE_CONFIG = """
server:
  grace_period_s: 1
auth:
  mode: required
  key_secret_env: LIVE_GATEWAY_KEY_SECRET
cache:
  enabled: true
models:
  - id: mock/slow
    provider: mock
    upstream_model: echo
    capabilities: [chat, stream]
    options: {chunk_delay_ms: "200"}
  - id: support/bot
    kind: virtual
    description: A bot with memory over mock/echo
    capabilities: [chat, stream]
    virtual:
      system_prompt: "You are a test bot."
      default_target: mock/echo
      memory: {enabled: true}
"""
STARTUP_TIMEOUT_S = 30
ADDRESS = "127.0.0.1:0"
# Keys that would add real provider models (or change the settings) are not passed on.
_DROPPED_ENV = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY")


@dataclass
class LiveGateway:
    """A running gateway process: `address` is "127.0.0.1:PORT"; `logs` collects its JSON log
    lines, `raw` every line of its stderr."""

    process: subprocess.Popen[bytes]
    port: int
    config_path: Path
    api_key: str = ""
    logs: list[dict[str, Any]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def call_logs(self) -> list[dict[str, Any]]:
        """The one-per-call log lines (`msg: "call"`) so far."""
        return [line for line in list(self.logs) if line.get("msg") == "call"]


def _die_with_parent() -> None:
    """Linux: the gateway gets SIGTERM if the test process dies without tearing it down."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _environment(config_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMGATEWAY_") and k not in _DROPPED_ENV}
    env["LLMGATEWAY_ADMIN_TOKEN"] = ADMIN_TOKEN
    env["LIVE_GATEWAY_KEY_SECRET"] = KEY_HASHING_SECRET
    # Its own registry database, never the user's default file (which another gateway may own).
    env["XDG_DATA_HOME"] = str(config_path.parent / "xdg-data")
    return env


def create_key(config_path: Path, *args: str) -> str:
    """`llmgateway keys create ARGS` on the live gateway's registry; returns the secret."""
    result = subprocess.run(
        [sys.executable, "-m", "llmgateway.cli", "--config", str(config_path), "keys", "create", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment(config_path),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def start_gateway(config_path: Path) -> LiveGateway:
    env = _environment(config_path)
    api_key = create_key(config_path, "--name", "client-tests")
    process = subprocess.Popen(
        [sys.executable, "-m", "llmgateway.cli", "--config", str(config_path), "serve", "--address", ADDRESS],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    logs: list[dict[str, Any]] = []
    raw: list[bytes] = []
    started = threading.Event()
    port: list[int] = []

    def read() -> None:  # keeps draining stderr so the process never blocks on a full pipe
        assert process.stderr is not None
        for line in process.stderr:
            raw.append(line)
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict):
                continue
            logs.append(entry)
            if entry.get("msg") == "serving" and not port:
                port.append(int(entry["port"]))
                started.set()
        started.set()  # the process ended

    threading.Thread(target=read, name="live-gateway-stderr", daemon=True).start()
    if not started.wait(STARTUP_TIMEOUT_S) or not port:
        process.kill()
        process.wait()
        output = b"".join(raw).decode(errors="replace")[-4000:]
        raise RuntimeError(f"the gateway did not start (exit code {process.returncode}):\n{output}")
    return LiveGateway(process, port[0], config_path, api_key, logs, raw)


def stop_gateway(gateway: LiveGateway) -> None:
    if gateway.process.poll() is None:
        gateway.process.send_signal(signal.SIGTERM)
        try:
            gateway.process.wait(10)
        except subprocess.TimeoutExpired:
            gateway.process.kill()
            gateway.process.wait()


@pytest.fixture(scope="session")
def live_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    config_path = tmp_path_factory.mktemp("live-gateway") / "gateway.yaml"
    config_path.write_text(LIVE_CONFIG)
    gateway = start_gateway(config_path)
    try:
        yield gateway
    finally:
        stop_gateway(gateway)
    guard = LeakGuard()  # the lines written after the last test's check, shutdown included
    for line in gateway.raw:
        guard.observe("live gateway log line", line)
    guard.check()
