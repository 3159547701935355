"""Adaptive delta coalescing through a real gateway: deltas that reach the gateway in
one read (a backlog: here the upstream writes the whole stream at once) are merged
into fewer events with the same folded answer; with no backlog (each upstream delta
written only after the client received the one before) every delta is its own event."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from llmgateway.providers import streaming
from llmgateway.v1 import chat_pb2
from tests.emulators.base import Script, ToolCallScript
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import stream, user

KEY_ENV = "COALESCE_TEST_API_KEY"
TEXT = [f"w{i} " for i in range(40)]


@pytest.fixture
async def emu(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[OpenAIEmulator]:
    monkeypatch.setenv(KEY_ENV, "sk-coalesce-0123456789")
    async with OpenAIEmulator() as emulator:
        yield emulator
    streaming.set_coalescing(True)  # the default, whatever a gateway of the test set


async def gateway(factory: Any, emu: OpenAIEmulator, coalesce: bool) -> Any:
    model = {
        "id": "up/openai",
        "provider": "openai",
        "upstream_model": "gpt-test",
        "base_url": emu.base_url,
        "credential_ref": KEY_ENV,
        "capabilities": ["chat", "stream", "tools", "reasoning"],
    }
    return await factory(include_default_models=False, models=[model], upstream={"coalesce_deltas": coalesce})


def fold(events: list[chat_pb2.StreamChatResponse]) -> tuple[str, str, str, dict[int, list[str]]]:
    """Text, reasoning, its signature and the tool calls, as a client folds them."""
    text = reasoning = signature = ""
    calls: dict[int, list[str]] = {}
    for e in events:
        kind = e.WhichOneof("event")
        if kind == "text_delta":
            text += e.text_delta.text
        elif kind == "reasoning_delta":
            reasoning += e.reasoning_delta.text
            signature = e.reasoning_delta.signature or signature
        elif kind == "tool_call_delta":
            d = e.tool_call_delta
            call = calls.setdefault(d.index, ["", "", ""])
            call[0], call[1] = call[0] or d.id, call[1] or d.name
            call[2] += d.arguments_fragment
    return text, reasoning, signature, calls


def deltas(events: list[chat_pb2.StreamChatResponse]) -> int:
    return sum(e.WhichOneof("event") not in ("start", "end") for e in events)


SCRIPTS = {
    "text": (Script(text_chunks=TEXT, one_write=True), ("".join(TEXT), "", "", {})),
    "reasoning": (
        Script(reasoning_chunks=[f"r{i} " for i in range(20)], text_chunks=TEXT[:10], one_write=True),
        ("".join(TEXT[:10]), "".join(f"r{i} " for i in range(20)), "", {}),
    ),
    "parallel tool calls": (
        Script(
            text_chunks=[],
            tool_calls=[
                ToolCallScript("call_1", "get_weather", ['{"ci', 'ty": ', '"Par', 'is"}']),
                ToolCallScript("call_2", "get_time", ['{"tz":', ' "C', 'ET"}']),
            ],
            finish="tool_calls",
            one_write=True,
        ),
        (
            "",
            "",
            "",
            {0: ["call_1", "get_weather", '{"city": "Paris"}'], 1: ["call_2", "get_time", '{"tz": "CET"}']},
        ),
    ),
}


@pytest.mark.parametrize("name", list(SCRIPTS))
async def test_a_backlog_is_merged_into_fewer_events_with_the_same_answer(
    gateway_factory: Any, emu: OpenAIEmulator, name: str
) -> None:
    script, expected = SCRIPTS[name]
    emu.script = script
    merged = [e async for e in (await gateway(gateway_factory, emu, True)).StreamChat(stream("up/openai"))]
    emu.script = script
    separate = [e async for e in (await gateway(gateway_factory, emu, False)).StreamChat(stream("up/openai"))]
    assert fold(merged) == fold(separate) == expected
    assert merged[0].WhichOneof("event") == "start" and merged[-1].WhichOneof("event") == "end"
    # coalescing off, every upstream delta is an event; on, the deltas read together merged
    assert deltas(merged) < deltas(separate)


async def test_with_no_backlog_every_delta_is_its_own_event(
    gateway_factory: Any, emu: OpenAIEmulator
) -> None:
    gate = asyncio.Semaphore(0)
    emu.script = Script(text_chunks=TEXT, gate=gate)
    stub = await gateway(gateway_factory, emu, True)
    texts = []
    async for event in stub.StreamChat(stream("up/openai", user("hi")), timeout=20):
        if event.HasField("text_delta"):
            texts.append(event.text_delta.text)
            gate.release()  # the upstream sends its next delta only now
    assert texts == TEXT
