"""`llmgateway migrate`, `models sync`, `models list`, and start-up refusing a
database migrated by a newer gateway."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from llmgateway.cli import main
from llmgateway.config import CONFIG_FILE_ENV
from llmgateway.registry import migrate
from llmgateway.registry.db import create_registry_engine

CONFIG = """
models:
  - id: local/llama3
    provider: openai
    upstream_model: llama3.1:8b
    base_url: http://127.0.0.1:11434/v1
    capabilities: [chat, stream]
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_migrate_sync_and_list(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    config = tmp_path / "gateway.yaml"
    config.write_text(CONFIG)
    # `--config` exports LLMGATEWAY_CONFIG_FILE; undo that after the test.
    monkeypatch.setenv(CONFIG_FILE_ENV, str(config))
    code, out, _ = run(capsys, "migrate", "--database-url", url)
    assert code == 0 and f"migrated from empty to {migrate.head_revision()}" in out
    code, out, _ = run(capsys, "migrate", "--database-url", url)
    assert code == 0 and "already at" in out

    code, out, err = run(capsys, "--config", str(config), "models", "sync", "--database-url", url)
    assert code == 0
    assert "added\tlocal/llama3" in out and "added\tmock/echo" in out
    code, out, err = run(capsys, "--config", str(config), "models", "sync", "--database-url", url)
    assert code == 0 and "added" not in out and "unchanged\tmock/echo" in out and "0 added, 0 changed" in err

    code, out, _ = run(capsys, "models", "list", "--database-url", url)
    rows = [line.split("\t") for line in out.splitlines()]
    assert ["local/llama3", "openai", "llama3.1:8b", "chat,stream", "available"] in rows
    code, out2, _ = run(capsys, "models", "--database-url", url)  # `list` is the default
    assert out2 == out

    code, out, err = run(capsys, "models", "sync", "--all-providers", "--dry-run", "--database-url", url)
    assert code == 0 and "added\topenai/" in out and err.startswith("dry run")


def test_the_default_database_lives_under_xdg_data_home(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "models", "sync")
    assert code == 0 and "added\tmock/echo" in out
    assert Path(os.environ["XDG_DATA_HOME"], "llmgateway", "registry.db").exists()


def _newer(url: str) -> None:
    engine = create_registry_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0042_future'"))
    engine.dispose()


def test_commands_refuse_a_newer_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/newer.db"
    _newer(url)
    for argv in (["migrate"], ["models", "list"], ["models", "sync"]):
        code, _, err = run(capsys, *argv, "--database-url", url)
        assert code == 2 and "0042_future" in err and "newer version" in err


async def test_serve_refuses_a_newer_database_with_a_clear_message(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/newer.db"
    _newer(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMGATEWAY_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "llmgateway.cli", "serve", "--address", "127.0.0.1:0", "--database-url", url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert b"0042_future" in err and b"newer version" in err and b"Traceback" not in err


def test_an_unreachable_database_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "models", "list", "--database-url", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 1 and "registry database cannot be used" in err and "Traceback" not in err
