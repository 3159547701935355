"""The Java client (`clients/java`: Maven, grpc-java) against the live gateway.

`mvn verify` compiles the committed generated code (`src/main/java-gen`), regenerates it with the
pinned protoc + protoc-gen-grpc-java and fails when the committed copy is stale, and runs the JUnit
tests; `LiveGatewayTest` (Chat, StreamChat, error details, deadlines, the service config, the
response cache) calls the `live_gateway` process through `LLMGATEWAY_ADDR`. Maven runs offline
(`-o`) when the local repository already has everything, else online (a cold `~/.m2` downloads
about 65 MB from Maven Central, about a minute). Without `java`/`mvn` the Maven test is skipped,
except under `CI=true`, where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.clients.conftest import LiveGateway

REPO = Path(__file__).resolve().parents[2]
JAVA_DIR = REPO / "clients" / "java"
MAVEN_TIMEOUT_S = 900
# JUnit classes and the number of tests each must run (none may be skipped with a live gateway).
EXPECTED_TESTS = {"LiveGatewayTest": 13, "GeneratedCodeTest": 2, "ServiceConfigTest": 2}


def _require_java_and_maven() -> str:
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        message = (
            f"{' and '.join(missing)} not found: the Java client needs a JDK 17+ and Maven 3.8+ "
            "(e.g. apt-get install openjdk-17-jdk-headless maven)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    mvn = shutil.which("mvn")
    assert mvn is not None
    return mvn


def _maven_verify(mvn: str, build_dir: Path, address: str, api_key: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LLMGATEWAY_ADDR": address, "LLMGATEWAY_API_KEY": api_key}
    base = [mvn, "-B", "-q", f"-Dllmgateway.build.dir={build_dir}"]

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*base, *extra, "verify"],
            cwd=JAVA_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=MAVEN_TIMEOUT_S,
        )

    result = run("-o")
    if result.returncode != 0 and "in offline mode" in result.stdout + result.stderr:
        result = run()  # the local repository lacks something: download it
    return result


def _surefire_results(reports: Path) -> dict[str, dict[str, int]]:
    results: dict[str, dict[str, int]] = {}
    for report in sorted(reports.glob("TEST-*.xml")):
        suite = ET.parse(report).getroot()
        counts = {key: int(suite.get(key, "0")) for key in ("tests", "failures", "errors", "skipped")}
        results[str(suite.get("name", report.stem)).rsplit(".", 1)[-1]] = counts
    return results


def _failure_messages(reports: Path) -> str:
    lines = []
    for report in sorted(reports.glob("TEST-*.xml")):
        for case in ET.parse(report).getroot().iter("testcase"):
            for problem in list(case.findall("failure")) + list(case.findall("error")):
                lines.append(f"{case.get('classname')}.{case.get('name')}: {problem.get('message')}")
    return "\n".join(lines)


def test_maven_verify_against_the_live_gateway(live_gateway: LiveGateway, tmp_path: Path) -> None:
    mvn = _require_java_and_maven()
    build_dir = tmp_path / "target"  # not clients/java/target: concurrent runs must not share it
    result = _maven_verify(mvn, build_dir, live_gateway.address, live_gateway.api_key)
    reports = build_dir / "surefire-reports"
    output = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, f"mvn verify failed:\n{_failure_messages(reports)}\n{output}"
    results = _surefire_results(reports)
    for name, count in EXPECTED_TESTS.items():
        assert name in results, f"{name} did not run: {results}\n{output}"
        assert results[name] == {"tests": count, "failures": 0, "errors": 0, "skipped": 0}, results
    # The Java calls reached this gateway (their one-per-call log lines).
    methods = {line.get("method") for line in live_gateway.call_logs()}
    assert {"Chat", "StreamChat", "Transcribe", "SynthesizeSpeech"} <= methods


def test_service_config_copy_is_identical() -> None:
    shared = REPO / "clients" / "service_config.json"
    bundled = JAVA_DIR / "src" / "main" / "resources" / "llmgateway" / "client" / "service_config.json"
    assert shared.read_bytes() == bundled.read_bytes(), "copy clients/service_config.json over it"


def test_generate_script_is_executable_and_generated_code_is_committed() -> None:
    script = JAVA_DIR / "generate.sh"
    assert os.access(script, os.X_OK), "make generate runs only executable clients/*/generate.sh"
    generated = JAVA_DIR / "src" / "main" / "java-gen"
    assert (generated / "llmgateway" / "v1" / "GatewayServiceGrpc.java").is_file()
    for proto_dir in sorted({p.parent for p in (REPO / "protos").rglob("*.proto")}):
        package = proto_dir.relative_to(REPO / "protos")
        assert any((generated / package).glob("*.java")), f"no generated Java code for protos/{package}"
