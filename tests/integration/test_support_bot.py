"""A support bot end to end through the real server: a virtual model created through the
Admin API whose rules send code questions to one upstream (an OpenAI emulator) and
everything else to another (an Anthropic emulator), with a system prompt template,
defaults and memory. Four turns; the exact messages each upstream received, the
trimming at the smaller model's budget, a tool call kept with its result, the answer
naming only the virtual model, and a second key that cannot use the session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf import struct_pb2

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import model_pb2 as admin_pb2
from llmgateway.v1 import chat_pb2, model_pb2
from tests.canaries import PROVIDER_KEY, PROVIDER_KEY_ENV
from tests.emulators.anthropic import AnthropicEmulator
from tests.emulators.base import Script, ToolCallScript
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import Details, chat, stream, user
from tests.integration.adminkit import Gateway
from tests.integration.keyed import SPEC as USER_AS_KEY

CHAT, STREAM, TOOLS = model_pb2.CAPABILITY_CHAT, model_pb2.CAPABILITY_STREAM, model_pb2.CAPABILITY_TOOLS
LONG_QUESTION = "My order #123 has not arrived yet, " + "it was due last week " * 190  # ~1,000 tokens
PROMPT = "You are the support bot of team {{label.team}}. Today is {{date}}."


@pytest.fixture
async def upstreams(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(PROVIDER_KEY_ENV, PROVIDER_KEY)
    async with OpenAIEmulator() as coder, AnthropicEmulator() as general:
        yield coder, general


def _upstream(model_id: str, provider: str, base_url: str, context_length: int) -> dict[str, Any]:
    return {
        "id": model_id,
        "provider": provider,
        "upstream_model": model_id.split("/")[1],
        "base_url": base_url,
        "credential_ref": PROVIDER_KEY_ENV,
        "context_length": context_length,
        "capabilities": ["chat", "stream", "tools"],
        "retry": {"max_retries": 0},
    }


def support_bot() -> admin_pb2.Model:
    return admin_pb2.Model(
        id="support/bot",
        kind=model_pb2.MODEL_KIND_VIRTUAL,
        description="Answers customers; code questions go to the coding model.",
        capabilities=[CHAT, STREAM, TOOLS],
        virtual=admin_pb2.VirtualModel(
            system_prompt=PROMPT,
            defaults=admin_pb2.GenerationDefaults(
                temperature=0.2, max_tokens=64, locked=[admin_pb2.GENERATION_FIELD_MAX_TOKENS]
            ),
            memory=admin_pb2.Memory(enabled=True, max_messages=20),
            rules=[
                admin_pb2.RoutingRule(
                    name="code-words",
                    any_words=["python", "traceback", "exception"],
                    targets=[admin_pb2.RouteTarget(model="up/coder")],
                ),
                admin_pb2.RoutingRule(
                    name="code-block",
                    pattern=r"```|\bdef\s+\w+\(",
                    targets=[admin_pb2.RouteTarget(model="up/coder")],
                ),
            ],
            default_target="up/general",
        ),
    )


@pytest.fixture
async def gw(start: Any, upstreams: Any) -> Gateway:
    coder, general = upstreams
    gateway: Gateway = await start(
        include_default_models=False,
        models=[
            _upstream("up/coder", "openai", coder.base_url, 0),
            # Small enough that the long first turn no longer fits by the fourth.
            _upstream("up/general", "anthropic", general.base_url, 1000),
        ],
        pipeline={"policies": [USER_AS_KEY, "sessions"]},
    )
    await gateway.call("CreateModel", pb.CreateModelRequest(model=support_bot()))
    return gateway


LOOKUP = chat_pb2.Tool(
    name="lookup_docs",
    description="Searches the documentation.",
    parameters=struct_pb2.Struct(fields={"type": struct_pb2.Value(string_value="object")}),
)


def _text(text: str) -> dict[str, str]:
    return {"type": "text", "text": text}


def _system(team: str) -> set[str]:
    # The date the server rendered: today's, or tomorrow's if midnight passed meanwhile.
    now = datetime.now(UTC)
    days = {now.strftime("%Y-%m-%d"), (now + timedelta(minutes=1)).strftime("%Y-%m-%d")}
    return {f"You are the support bot of team {team}. Today is {d}." for d in days}


async def test_a_support_bot_conversation(gw: Gateway, upstreams: Any) -> None:
    coder, general = upstreams
    system = _system("KEY-A")

    # 1. A general question starts a session; the general model answers.
    general.scripts.append(Script(text_chunks=["Sorry to hear that, let me check."]))
    first = await gw.stub.Chat(chat("support/bot", user(LONG_QUESTION), user="key-a"), timeout=10)
    session = first.session_id
    assert session and first.model == "support/bot"
    assert (first.provider, first.upstream_model, first.deployment, first.id) == ("", "", "", "")
    body = general.requests[-1].body
    assert body["system"] in system or body["system"][0]["text"] in system
    assert body["messages"] == [{"role": "user", "content": [_text(LONG_QUESTION)]}]
    assert body["max_tokens"] == 64 and body["temperature"] == 0.2

    # 2. A code question in the same session goes to the coding model, with the history;
    # it answers with a tool call. The caller's max_tokens is locked out, its temperature wins.
    coder.scripts.append(
        Script(
            text_chunks=[],
            tool_calls=[ToolCallScript("call_1", "lookup_docs", ['{"q": ', '"KeyError"}'])],
            finish="tool_calls",
        )
    )
    question = "Why does my python script raise KeyError?"
    second = await gw.stub.Chat(
        chat(
            "support/bot",
            user(question),
            user="key-a",
            session_id=session,
            tools=[LOOKUP],
            generation=chat_pb2.GenerationConfig(max_tokens=4000, temperature=0.0),
        ),
        timeout=10,
    )
    assert second.session_id == session and second.message.tool_calls[0].id == "call_1"
    sent = coder.requests[-1].body
    assert sent["messages"][0]["role"] == "system" and sent["messages"][0]["content"] in system
    assert sent["messages"][1:] == [
        {"role": "user", "content": LONG_QUESTION},
        {"role": "assistant", "content": "Sorry to hear that, let me check."},
        {"role": "user", "content": question},
    ]
    assert sent["max_tokens"] == 64 and sent["temperature"] == 0.0

    # 3. The tool result, streamed: it continues the code question's turn, so the
    # rules still see that question and the coding model gets the call with its result.
    coder.scripts.append(Script(text_chunks=["A key is missing: ", "use dict.get."]))
    tool_result = chat_pb2.Message(
        role=chat_pb2.ROLE_TOOL, tool_call_id="call_1", content=[chat_pb2.ContentPart(text="KeyError: docs")]
    )
    events = [
        e
        async for e in gw.stub.StreamChat(
            stream("support/bot", tool_result, user="key-a", session_id=session, tools=[LOOKUP]), timeout=10
        )
    ]
    start = events[0].start
    assert start.session_id == session and start.model == "support/bot" and start.provider == ""
    sent = coder.requests[-1].body
    assert sent["messages"][3:] == [
        {"role": "user", "content": question},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "lookup_docs", "arguments": '{"q": "KeyError"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "KeyError: docs"},
    ]

    # 4. A general question again: the long first turn no longer fits the general
    # model's context and is left out whole; the code turn keeps its tool call and result.
    general.scripts.append(Script(text_chunks=["We open at 9."]))
    fourth = await gw.stub.Chat(
        chat("support/bot", user("Thanks! When do you open?"), user="key-a", session_id=session), timeout=10
    )
    assert fourth.message.content[0].text == "We open at 9."
    body = general.requests[-1].body
    tool_use = {"type": "tool_use", "id": "call_1", "name": "lookup_docs", "input": {"q": "KeyError"}}
    assert body["messages"] == [
        {"role": "user", "content": [_text(question)]},
        {"role": "assistant", "content": [tool_use]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": "KeyError: docs"}],
        },
        {"role": "assistant", "content": [_text("A key is missing: use dict.get.")]},
        {"role": "user", "content": [_text("Thanks! When do you open?")]},
    ]

    # A second key cannot continue, or even learn of, the session.
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gw.stub.Chat(chat("support/bot", user("hello"), user="key-b", session_id=session), timeout=10)
    details = Details(info.value)
    assert details.code == grpc.StatusCode.NOT_FOUND and details.reason == "SESSION_NOT_FOUND"
    assert len(general.requests) == 2 and len(coder.requests) == 2
