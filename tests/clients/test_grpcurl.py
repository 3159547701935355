"""The README's grpcurl commands, run as written against a live gateway.

The commands are parsed out of the first ```sh block under "## Calling it with grpcurl" in README.md,
with `127.0.0.1:50051` replaced by the live address and `$LLMGATEWAY_API_KEY` by its API key (the
live gateway requires one), so the README cannot drift from the server:
every command there must succeed, and the ones this test knows (list, describe, health, Chat,
StreamChat, ...) must show what they promise. grpcurl works through server reflection alone.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.clients.conftest import LiveGateway

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("CI") == "true"
README_ADDRESS = "127.0.0.1:50051"
README_KEY = "$LLMGATEWAY_API_KEY"
GRPCURL_INSTALL = "go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4"


def readme_commands() -> list[list[str]]:
    """Every grpcurl command of the README's grpcurl block, as argument lists."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Calling it with grpcurl", 1)[-1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    if block is None:
        return []
    text = block.group(1).replace("\\\n", " ")  # line continuations
    # A command starts at the beginning of a line; JSON inside quotes continues on indented lines.
    chunks = re.split(r"\n(?=grpcurl\s)", "\n" + text)
    commands = [shlex.split(chunk, comments=True) for chunk in chunks]
    return [command for command in commands if command and command[0] == "grpcurl"]


COMMANDS = readme_commands()


def _label(command: list[str]) -> str:
    """`list`, `describe`, or the method name, plus what makes the call special."""
    if "list" in command:
        return "list"
    if "describe" in command:
        return "describe"
    method = command[-1].rsplit("/", 1)[-1]
    if "-rpc-header" in command:
        return f"{method}-request-id"
    if "-max-time" in command:
        return f"{method}-deadline"
    if "-d" in command:
        body = command[command.index("-d") + 1]
        labels = (
            ('"tools"', "tools"),
            ('"image"', "vision"),
            ('"generation"', "generation"),
            ('"tags"', "tags"),
        )
        for key, label in labels:
            if key in body and method in ("Chat", "StreamChat"):
                return f"{method}-{label}"
    return method


LABELS = [_label(command) for command in COMMANDS]


def _grpcurl() -> str:
    found = shutil.which("grpcurl")
    gopath = Path(os.environ.get("GOPATH") or Path.home() / "go")
    if found is None and (gopath / "bin/grpcurl").is_file():
        found = str(gopath / "bin/grpcurl")
    if found is None:
        if REQUIRED:
            pytest.fail(f"grpcurl is required in CI ({GRPCURL_INSTALL})")
        pytest.skip(f"grpcurl is not installed ({GRPCURL_INSTALL})")
    return found


def _json_stream(output: str) -> list[dict[str, Any]]:
    """grpcurl prints one pretty JSON object per response message."""
    decoder, objects, position = json.JSONDecoder(), [], 0
    while position < len(output):
        if output[position].isspace():
            position += 1
            continue
        value, position = decoder.raw_decode(output, position)
        objects.append(value)
    return objects


def test_the_readme_shows_the_required_commands() -> None:
    for needed in (
        "list",
        "describe",
        "Check",
        "Chat",
        "StreamChat-generation",
        "SynthesizeSpeech",
        "Transcribe",
    ):
        assert needed in LABELS, f"README's grpcurl block lacks {needed}: {LABELS}"
    for command in COMMANDS:
        assert README_ADDRESS in command and "-plaintext" in command, shlex.join(command)
        if command[-1].startswith("llmgateway.v1.GatewayService/"):  # the gateway requires a key
            assert f"authorization: Bearer {README_KEY}" in command, shlex.join(command)


@pytest.mark.parametrize("command", COMMANDS, ids=LABELS)
def test_readme_command(command: list[str], live_gateway: LiveGateway) -> None:
    argv = [
        _grpcurl(),
        *(
            live_gateway.address if arg == README_ADDRESS else arg.replace(README_KEY, live_gateway.api_key)
            for arg in command[1:]
        ),
    ]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"{shlex.join(command)}\n{result.stderr}"
    output, label = result.stdout, _label(command)
    if label == "list":
        services = output.split()
        assert {"llmgateway.v1.GatewayService", "grpc.health.v1.Health"} <= set(services), output
        return
    if label == "describe":
        assert "is a message:" in output and "oneof event" in output, output
        for kind in ("start", "text_delta", "reasoning_delta", "tool_call_delta", "end"):
            assert re.search(rf"\b{kind} = \d+;", output), (kind, output)
        return
    responses = _json_stream(output)
    if label == "Check":
        assert responses == [{"status": "SERVING"}]
    elif label.startswith("StreamChat"):
        kinds = [next(iter(event)) for event in responses]
        assert kinds[0] == "start" and kinds[-1] == "end", kinds
        assert kinds.count("start") == kinds.count("end") == 1 and "text_delta" in kinds, kinds
        if label == "StreamChat-generation":
            assert "reasoning_delta" in kinds, kinds
        text = "".join(event["text_delta"]["text"] for event in responses if "text_delta" in event)
        assert text.startswith("Echo: "), text
    elif label.startswith("Chat"):
        [response] = responses
        assert response["model"] == "mock/echo" and response["request_id"], response
        parts = response["message"].get("content", [])
        if label == "Chat-tools":
            [call] = response["message"]["tool_calls"]
            assert json.loads(call["arguments"]) == {"input": "weather in Paris"}
            assert response["finish_reason"] == "FINISH_REASON_TOOL_CALLS"
        elif label == "Chat-vision":
            assert "[image https://" in parts[0]["text"], parts
        else:
            assert parts[0]["text"].startswith("Echo: "), parts
        if label == "Chat-tags":  # the mock's list prices: a known, positive cost
            money = response["cost"]["money"]
            assert money["currency_code"] == "USD" and Decimal(money["amount"]) > 0, response
        if label == "Chat-request-id":
            assert response["request_id"] == command[command.index("-rpc-header") + 1].split(": ", 1)[1]
    elif label == "Embed":
        [response] = responses
        assert [len(e["values"]) for e in response["embeddings"]] == [8, 8], response
    elif label == "GenerateImage":
        [response] = responses
        assert response["images"] and response["images"][0]["mime_type"] == "image/png", response
    elif label == "SynthesizeSpeech":
        kinds = [next(iter(event)) for event in responses]
        assert kinds[0] == "start" and kinds[-1] == "end" and set(kinds[1:-1]) == {"audio"}, kinds
        assert responses[0]["start"]["mime_type"] == "audio/wav", responses[0]
        audio = b"".join(base64.b64decode(event["audio"]["data"]) for event in responses[1:-1])
        assert audio[:4] == b"RIFF" and int(responses[-1]["end"]["audio_bytes"]) == len(audio)
    elif label == "Transcribe":
        [response] = responses
        assert (response["text"], response["language"]) == ("Hello!", "en"), response
    elif label == "ListModels":
        [response] = responses
        assert response["models"], response
    else:
        assert responses, output
