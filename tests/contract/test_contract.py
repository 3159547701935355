"""The contract: Chat/StreamChat request parity, generated code fresh, buf lint and format."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from llmgateway.v1 import chat_pb2

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("CI") == "true"


def _message_shape(message):  # type: ignore[no-untyped-def]
    """A message type by name; a map's entry (one per message) by its key and value types."""
    if message is None:
        return ""
    if message.GetOptions().map_entry:
        return tuple(f.type for f in message.fields)
    return message.full_name


def test_chat_and_stream_chat_requests_are_identical() -> None:
    def shape(descriptor):  # type: ignore[no-untyped-def]
        return [
            (
                f.name,
                f.number,
                f.type,
                f.is_repeated,
                _message_shape(f.message_type),
                f.has_presence,
            )
            for f in descriptor.fields
        ]

    assert shape(chat_pb2.ChatRequest.DESCRIPTOR) == shape(chat_pb2.StreamChatRequest.DESCRIPTOR)


def test_generated_python_is_fresh(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "protos", copy / "protos")
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    (copy / "clients/python/src").mkdir(parents=True)
    env = {**os.environ, "PYTHON": str(ROOT / ".venv/bin/python")}
    subprocess.run([str(copy / "scripts/generate-python.sh")], check=True, env=env)
    fresh, committed = copy / "clients/python/src/llmgateway", ROOT / "clients/python/src/llmgateway"
    generated = sorted(p.relative_to(fresh) for p in fresh.rglob("*_pb2*"))
    assert generated, "generation produced nothing"
    assert (
        sorted(p.relative_to(committed) for p in committed.rglob("*_pb2*") if "__pycache__" not in p.parts)
        == generated
    )
    stale = [str(p) for p in generated if not filecmp.cmp(fresh / p, committed / p, shallow=False)]
    assert not stale, f"regenerate with scripts/generate-python.sh: {stale}"


def _buf() -> str:
    buf = shutil.which("buf")
    if buf is None:
        if REQUIRED:
            pytest.fail("buf is required in CI")
        pytest.skip("buf is not installed (npm install -g @bufbuild/buf)")
    return buf


def test_buf_lint() -> None:
    result = subprocess.run([_buf(), "lint"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_buf_format() -> None:
    result = subprocess.run(
        [_buf(), "format", "--diff", "--exit-code"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
