"""The Go client (`clients/go`): `go vet`, `go test` against a live gateway (LLMGATEWAY_ADDR), the
example program, and the generated code is fresh (regenerated into a temporary directory with
clients/go/generate.sh and compared file by file).

Without `go` (or `buf`, for the freshness test) these tests are skipped locally; in CI (`CI=true`)
they fail instead. A cold Go build cache compiles gRPC once (about two minutes on two cores), hence
the longer timeouts; with a warm cache each test takes seconds.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.clients.conftest import LiveGateway

ROOT = Path(__file__).resolve().parents[2]
GO_CLIENT = ROOT / "clients/go"
REQUIRED = os.environ.get("CI") == "true"
COLD_BUILD_TIMEOUT_S = 600

pytestmark = pytest.mark.timeout(COLD_BUILD_TIMEOUT_S)


def _tool(name: str, install: str) -> str:
    found = shutil.which(name)
    if found is None:
        if REQUIRED:
            pytest.fail(f"{name} is required in CI ({install})")
        pytest.skip(f"{name} is not installed ({install}); the Go client tests need it")
    return found


def _go() -> str:
    return _tool("go", "https://go.dev/dl, Go 1.25 or newer")


def _run(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path = GO_CLIENT) -> str:
    result = subprocess.run(
        argv,
        cwd=cwd,
        env={**os.environ, "GOFLAGS": f"{os.environ.get('GOFLAGS', '')} -buildvcs=false", **(env or {})},
        capture_output=True,
        text=True,
        timeout=COLD_BUILD_TIMEOUT_S - 30,
    )
    assert result.returncode == 0, f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_go_vet() -> None:
    _run([_go(), "vet", "./..."])


def test_go_test_against_the_live_gateway(live_gateway: LiveGateway) -> None:
    env = {"LLMGATEWAY_ADDR": live_gateway.address, "LLMGATEWAY_API_KEY": live_gateway.api_key}
    output = _run([_go(), "test", "-count=1", "-v", "./..."], env=env)
    assert "--- SKIP" not in output, output
    names = ("TestChat", "TestStreamChatEveryEventKind", "TestEmbed", "TestSpeechAndItsTranscription")
    for name in (*names, "TestListModelsEveryPage", "TestTheGatewayRequiresTheAPIKey"):
        assert f"--- PASS: {name} " in output, output
    assert "--- PASS: TestErrorDetails/invalid_request_names_the_field" in output


def test_the_example_program(live_gateway: LiveGateway) -> None:
    argv = ["-addr", live_gateway.address, "-api-key", live_gateway.api_key, "Hello there"]
    output = _run([_go(), "run", "./examples/chat", *argv])
    lines = output.splitlines()
    assert lines[0].startswith("chat: Echo: Hello there (model mock/echo"), output
    assert lines[1] == "stream: Echo: Hello there [FINISH_REASON_STOP]", output
    assert lines[2].startswith("error: NotFound MODEL_NOT_FOUND model=nobody/nothing request_id="), output


def test_generated_go_is_fresh(tmp_path: Path) -> None:
    _go()
    _tool("buf", "npm install -g @bufbuild/buf")
    _run([str(GO_CLIENT / "generate.sh"), str(tmp_path)], cwd=ROOT)
    fresh, committed = tmp_path / "clients/go", GO_CLIENT
    generated = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    for proto in (ROOT / "protos").rglob("*.proto"):  # every proto package, admin included
        assert Path("gen", proto.relative_to(ROOT / "protos").with_suffix(".pb.go")) in generated, proto
    assert Path("gen/llmgateway/v1/gateway_service_grpc.pb.go") in generated
    on_disk = sorted(p.relative_to(committed) for p in (committed / "gen").rglob("*") if p.is_file())
    assert on_disk == [p for p in generated if p.parts[0] == "gen"], "stale or missing files in gen/"
    stale = [str(p) for p in generated if not filecmp.cmp(fresh / p, committed / p, shallow=False)]
    assert not stale, f"regenerate with clients/go/generate.sh (or make generate): {stale}"
