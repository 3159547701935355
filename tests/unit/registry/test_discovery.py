"""A sync learns the models of running servers (`discover:`), and skips a server that is down."""

from __future__ import annotations

import logging
import socket

import pytest

from llmgateway.config import Settings
from llmgateway.core.models import Capability
from llmgateway.registry.discovery import discover
from llmgateway.registry.sources import sync_sources
from tests.emulators.ollama import OllamaEmulator


async def test_a_running_server_adds_its_models() -> None:
    async with OllamaEmulator() as emu:
        settings = Settings(
            include_default_models=False,
            models=[{"id": "local/qwen3:8b", "provider": "mock", "upstream_model": "echo"}],
            discover=[
                {
                    "provider": "ollama",
                    "base_url": emu.base_url,
                    "id_prefix": "local",
                    "options": {"keep_alive": "1m"},
                }
            ],
        )
        found = await discover(settings, environ={})
    assert [m.id for m in found] == [
        "local/llama3.2:latest",
        "local/qwen3:8b",
        "local/llava:7b",
        "local/all-minilm:latest",
    ]
    records = {r.id: r for r in sync_sources(settings, environ={}, discovered=found)}
    assert records["local/qwen3:8b"].provider == "mock"  # a configured model keeps its id
    llava = records["local/llava:7b"]
    assert (llava.provider, llava.upstream_model, llava.base_url) == ("ollama", "llava:7b", emu.base_url)
    assert Capability.VISION in llava.capabilities and llava.context_length == 32768
    assert llava.options == {"keep_alive": "1m"}


async def test_a_server_that_is_down_or_cannot_list_is_skipped(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        settings = Settings(
            discover=[
                {"provider": "ollama", "base_url": f"http://127.0.0.1:{s.getsockname()[1]}"},
                {"provider": "mock"},
                {"provider": "gemini", "credential_ref": "NO_SUCH_API_KEY"},
            ]
        )
        with caplog.at_level(logging.WARNING, logger="llmgateway.registry.discovery"):
            assert await discover(settings, environ={}) == []
    messages = sorted(r.getMessage() for r in caplog.records)
    assert messages[0].startswith("discover: gemini skipped: ") and "NO_SUCH_API_KEY" in messages[0]
    assert messages[1].endswith("skipped: ollama is unavailable: ClientConnectorError while connecting")
    assert messages[2] == "discover: provider mock cannot list a server's models"
