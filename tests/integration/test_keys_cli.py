"""`llmgateway keys create|list|get|update|revoke` on the registry database, and a
key made by the CLI authenticating at a server on the same database."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest

from llmgateway.cli import main
from llmgateway.config import Settings
from llmgateway.server import start_server
from llmgateway.v1 import gateway_service_pb2_grpc
from tests.helpers import chat


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.strip(), err


async def test_the_key_lifecycle(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/keys.db"
    db = ("--database-url", url)
    monkeypatch.setenv("LLMGATEWAY_KEY_SECRET", "cli-test-secret")
    code, secret, err = run(
        capsys, "keys", "create", *db, "--name", "billing", "--label", "team=pay", "--model", "mock/*",
        "--rpm", "10", "--model-limit", "mock/echo:rpm=5,tpm=100", "--expires", "30d",
    )  # fmt: skip
    assert code == 0 and secret.startswith("llmgw_") and "shown once" in err
    key_id = secret[6:18]
    code, out, _ = run(capsys, "keys", "list", *db)
    assert out.startswith(f"{key_id}\tbilling\tactive\t") and "models=mock/*" in out
    assert "requests_per_minute=10" in out and secret[19:] not in out
    code, out, _ = run(capsys, "keys", "get", key_id, *db)
    shown = json.loads(out)
    assert shown["labels"] == {"team": "pay"} and shown["model_limits"] == [
        {"model": "mock/echo", "requests_per_minute": 5, "tokens_per_minute": 100}
    ]
    assert secret not in out and "digest" not in shown

    running = await start_server(
        Settings(
            server={"address": "127.0.0.1:0", "uvloop": False},
            auth={"mode": "required"},
            registry={"database_url": url},
        )
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = gateway_service_pb2_grpc.GatewayServiceStub(channel)
            metadata = (("authorization", f"Bearer {secret}"),)
            assert (await stub.Chat(chat(), metadata=metadata, timeout=5)).model == "mock/echo"
    finally:
        await running.stop(0)

    code, out, _ = run(capsys, "keys", "update", key_id, *db, "--disable", "--tpm", "500", "--etag", "999")
    assert code == 1  # a stale etag
    code, out, _ = run(capsys, "keys", "update", key_id, *db, "--disable", "--tpm", "500")
    updated = json.loads(out)
    assert updated["disabled"] and updated["limits"] == {"requests_per_minute": 10, "tokens_per_minute": 500}
    code, out, _ = run(capsys, "keys", "revoke", key_id, *db)
    assert code == 0 and json.loads(out)["revoke_time"]
    code, out, _ = run(capsys, "keys", "list", *db)
    assert out == ""
    code, out, _ = run(capsys, "keys", "list", *db, "--show-revoked")
    assert f"{key_id}\tbilling\trevoked" in out
    code, _, err = run(capsys, "keys", "update", key_id, *db, "--name", "x")
    assert code == 1 and "API_KEY_REVOKED" in err


def test_create_needs_the_hashing_secret_and_valid_flags(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ("--database-url", f"sqlite:///{tmp_path}/keys.db")
    monkeypatch.delenv("LLMGATEWAY_KEY_SECRET", raising=False)
    code, out, err = run(capsys, "keys", "create", *db, "--name", "x")
    assert code == 2 and out == "" and "LLMGATEWAY_KEY_SECRET" in err
    monkeypatch.setenv("LLMGATEWAY_KEY_SECRET", "cli-test-secret")
    for flags in (("--model-limit", "nolimits"), ("--label", "novalue"), ("--expires", "soon")):
        code, out, err = run(capsys, "keys", "create", *db, *flags)
        assert code == 2 and out == "", flags
    code, out, err = run(capsys, "keys", "create", *db, "--rpm", "-3")
    assert code == 1 and "requests_per_minute" in err and out == ""
    code, _, err = run(capsys, "keys", "get", "0123456789ab", *db)
    assert code == 1 and "API_KEY_NOT_FOUND" in err
