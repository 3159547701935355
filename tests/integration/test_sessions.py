"""Sessions through the real server, against an OpenAI emulator that records what it
received: the Session API (get, paged history, delete), what joins the history (never
a failed, cut or cancelled answer), two calls on one session one after the other or
SESSION_BUSY, idle expiry, a restart on SQLite, two replicas sharing Redis, and what
history costs a call in store operations (SQL transactions, Redis EVALSHA calls)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import grpc
import pytest
import redis.asyncio
import sqlalchemy

from llmgateway.registry.sessions import SqlSessionStore
from llmgateway.sessions.redis import RedisSessionStore
from llmgateway.v1 import chat_pb2, session_service_pb2, session_service_pb2_grpc
from tests.canaries import PROVIDER_KEY, PROVIDER_KEY_ENV
from tests.emulators.base import Script
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import Details, chat, stream, user
from tests.redisserver import RedisServer

BOT = "team/bot"


@pytest.fixture
async def emu(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(PROVIDER_KEY_ENV, PROVIDER_KEY)
    async with OpenAIEmulator() as emulator:
        yield emulator


def settings(emu: OpenAIEmulator, memory: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    """An upstream model on the emulator and a virtual model with memory over it (YAML)."""
    return {
        "include_default_models": False,
        "models": [
            {
                "id": "emu/chat",
                "provider": "openai",
                "upstream_model": "emulated",
                "base_url": emu.base_url,
                "credential_ref": PROVIDER_KEY_ENV,
                "capabilities": ["chat", "stream"],
                "retry": {"max_retries": 0},
            },
            {
                "id": BOT,
                "kind": "virtual",
                "capabilities": ["chat", "stream"],
                "virtual": {
                    "default_target": "emu/chat",
                    "memory": {"enabled": True, **(memory or {})},
                    "show_served": True,
                },
            },
        ],
        **more,
    }


def sessions_of(stub: Any) -> session_service_pb2_grpc.SessionServiceStub:
    return session_service_pb2_grpc.SessionServiceStub(stub.channel)


def sent(emu: OpenAIEmulator) -> list[tuple[str, str]]:
    """(role, text) of the messages the upstream received last."""
    return [(m["role"], m["content"] or "") for m in emu.requests[-1].body["messages"]]


async def failure(call: Any) -> Details:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    return Details(info.value)


async def test_the_session_api_shows_pages_and_deletes_history(
    gateway_factory: Any, emu: OpenAIEmulator
) -> None:
    gw = await gateway_factory(**settings(emu))
    api = sessions_of(gw)
    emu.script = Script(text_chunks=["answer"])
    first = await gw.Chat(chat(BOT, user("q0")), timeout=5)
    session = first.session_id
    for i in range(1, 3):
        await gw.Chat(chat(BOT, user(f"q{i}"), session_id=session), timeout=5)
    assert sent(emu) == [
        ("user", "q0"),
        ("assistant", "answer"),
        ("user", "q1"),
        ("assistant", "answer"),
        ("user", "q2"),
    ]

    got = (await api.GetSession(session_service_pb2.GetSessionRequest(session_id=session), timeout=5)).session
    assert (got.id, got.model, got.message_count) == (session, BOT, 6)
    assert got.create_time.seconds <= got.update_time.seconds < got.expire_time.seconds
    texts: list[str] = []
    token = ""
    while True:
        page = await api.ListSessionMessages(
            session_service_pb2.ListSessionMessagesRequest(session_id=session, page_size=4, page_token=token),
            timeout=5,
        )
        texts += [m.content[0].text for m in page.messages]
        token = page.next_page_token
        if not token:
            break
    assert texts == ["q0", "answer", "q1", "answer", "q2", "answer"]

    await api.DeleteSession(session_service_pb2.DeleteSessionRequest(session_id=session), timeout=5)
    for call in (
        api.GetSession(session_service_pb2.GetSessionRequest(session_id=session), timeout=5),
        api.DeleteSession(session_service_pb2.DeleteSessionRequest(session_id=session), timeout=5),
        gw.Chat(chat(BOT, user("again"), session_id=session), timeout=5),
    ):
        details = await failure(call)
        assert details.code == grpc.StatusCode.NOT_FOUND and details.reason == "SESSION_NOT_FOUND"
    details = await failure(
        api.GetSession(session_service_pb2.GetSessionRequest(session_id="bad id!"), timeout=5)
    )
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT and details.fields == ["session_id"]
    bad_token = session_service_pb2.ListSessionMessagesRequest(session_id=session, page_token="nope")
    details = await failure(api.ListSessionMessages(bad_token, timeout=5))
    assert details.fields == ["page_token"]


async def test_identical_requests_each_reach_the_upstream_as_the_first_did(
    gateway_factory: Any, emu: OpenAIEmulator
) -> None:
    """Byte-identical requests share one converted request (api/servicer.py): the virtual
    model's system prompt and history, and the adapter, must leave it as it was."""
    config = settings(emu)
    config["models"][1]["virtual"]["system_prompt"] = "Be brief."
    gw = await gateway_factory(**config)
    emu.script = Script(text_chunks=["answer"])
    expected = [("system", "Be brief."), ("user", "same question")]
    for _ in range(3):
        await gw.Chat(chat(BOT, user("same question")), timeout=5)
        assert sent(emu) == expected
        async for _event in gw.StreamChat(stream(BOT, user("same question")), timeout=5):
            pass
        assert sent(emu) == expected
        await gw.Chat(chat("emu/chat", user("same question")), timeout=5)
        assert sent(emu) == [("user", "same question")]
    assert len(emu.requests) == 9


async def test_only_complete_answers_join_the_history(gateway_factory: Any, emu: OpenAIEmulator) -> None:
    gw = await gateway_factory(**settings(emu))
    emu.script = Script(text_chunks=["kept"])
    session = (await gw.Chat(chat(BOT, user("first")), timeout=5)).session_id

    emu.scripts.append(Script(error_status=500, error_kind="server"))
    details = await failure(gw.Chat(chat(BOT, user("failed"), session_id=session), timeout=5))
    assert details.code == grpc.StatusCode.UNAVAILABLE
    emu.scripts.append(Script(text_chunks=["cut", " short"], finish="length"))
    await gw.Chat(chat(BOT, user("truncated"), session_id=session), timeout=5)
    emu.scripts.append(Script(text_chunks=["a", "b", "c"], midstream_error=True))
    with pytest.raises(grpc.aio.AioRpcError):
        async for _ in gw.StreamChat(stream(BOT, user("broken"), session_id=session), timeout=5):
            pass
    emu.scripts.append(Script(text_chunks=["never", " finished"], stall_after_first_event=5))
    cancelled = gw.StreamChat(stream(BOT, user("cancelled"), session_id=session), timeout=5)
    async for event in cancelled:
        if event.HasField("text_delta"):
            break
    cancelled.cancel()

    # The lease of each of those calls was released: the next call goes straight on.
    events = [e async for e in gw.StreamChat(stream(BOT, user("streamed"), session_id=session), timeout=5)]
    assert events[0].start.session_id == session and events[-1].HasField("end")
    assert sent(emu) == [("user", "first"), ("assistant", "kept"), ("user", "streamed")]
    await gw.Chat(chat(BOT, user("last"), session_id=session), timeout=5)
    assert sent(emu)[-3:] == [("user", "streamed"), ("assistant", "kept"), ("user", "last")]


async def test_calls_on_one_session_run_one_after_the_other(
    gateway_factory: Any, emu: OpenAIEmulator
) -> None:
    gw = await gateway_factory(**settings(emu))
    emu.script = Script(text_chunks=["one"])
    session = (await gw.Chat(chat(BOT, user("start")), timeout=5)).session_id
    emu.scripts.append(Script(text_chunks=["slow", " answer"], stall_after_first_event=1.5))
    emu.scripts.append(Script(text_chunks=["after"]))
    slow = gw.StreamChat(stream(BOT, user("slow"), session_id=session), timeout=10)
    text = ""
    while not text:  # the slow call holds the session once it streams
        text = (await slow.read()).text_delta.text
    # A call whose deadline comes first gives up with ABORTED; one that can wait waits.
    details = await failure(gw.Chat(chat(BOT, user("impatient"), session_id=session), timeout=0.5))
    assert details.code == grpc.StatusCode.ABORTED and details.reason == "SESSION_BUSY"
    patient = await gw.Chat(chat(BOT, user("patient"), session_id=session), timeout=10)
    assert patient.message.content[0].text == "after"
    while (event := await slow.read()) is not grpc.aio.EOF:
        text += event.text_delta.text
    assert text == "slow answer"
    assert sent(emu) == [
        ("user", "start"),
        ("assistant", "one"),
        ("user", "slow"),
        ("assistant", "slow answer"),
        ("user", "patient"),
    ]


async def test_idle_sessions_expire(gateway_factory: Any, emu: OpenAIEmulator) -> None:
    gw = await gateway_factory(**settings(emu, {"idle_timeout": 0.3}))
    session = (await gw.Chat(chat(BOT, user("hi")), timeout=5)).session_id
    await asyncio.sleep(0.6)
    details = await failure(gw.Chat(chat(BOT, user("still there?"), session_id=session), timeout=5))
    assert details.reason == "SESSION_NOT_FOUND"


async def test_sessions_survive_a_restart_on_sqlite(
    gateway_factory: Any, emu: OpenAIEmulator, tmp_path: Any
) -> None:
    database = {"registry": {"database_url": f"sqlite:///{tmp_path}/gateway.db"}}
    first = await gateway_factory(**settings(emu, **database))
    emu.script = Script(text_chunks=["remembered"])
    session = (await first.Chat(chat(BOT, user("before")), timeout=5)).session_id
    second = await gateway_factory(**settings(emu, **database))
    await second.Chat(chat(BOT, user("after"), session_id=session), timeout=5)
    assert sent(emu) == [("user", "before"), ("assistant", "remembered"), ("user", "after")]


async def test_replicas_on_one_redis_share_sessions(
    gateway_factory: Any, emu: OpenAIEmulator, redis_url: str, tmp_path: Any
) -> None:
    replicas = [
        await gateway_factory(
            **settings(
                emu, redis={"url": redis_url}, registry={"database_url": f"sqlite:///{tmp_path}/{i}.db"}
            )
        )
        for i in range(2)
    ]
    emu.script = Script(text_chunks=["from A"])
    session = (await replicas[0].Chat(chat(BOT, user("on A")), timeout=5)).session_id
    await replicas[1].Chat(chat(BOT, user("on B"), session_id=session), timeout=5)
    assert sent(emu) == [("user", "on A"), ("assistant", "from A"), ("user", "on B")]
    got = await sessions_of(replicas[0]).GetSession(
        session_service_pb2.GetSessionRequest(session_id=session), timeout=5
    )
    assert got.session.message_count == 4


async def test_without_its_store_a_session_fails_unavailable_and_other_calls_go_on(
    gateway_factory: Any, emu: OpenAIEmulator, redis_server: RedisServer, redis_url: str
) -> None:
    gw = await gateway_factory(**settings(emu, redis={"url": redis_url, "timeout_s": 0.2}))
    emu.script = Script(text_chunks=["fine"])
    session = (await gw.Chat(chat(BOT, user("before")), timeout=5)).session_id
    redis_server.stop()
    try:
        for request in (chat(BOT, user("new")), chat(BOT, user("again"), session_id=session)):
            details = await failure(gw.Chat(request, timeout=5))
            assert details.code == grpc.StatusCode.UNAVAILABLE and details.reason == "SESSIONS_UNAVAILABLE"
        # Calls that keep no conversation do not need the store.
        assert (await gw.Chat(chat("emu/chat", user("direct")), timeout=5)).message.content[0].text == "fine"
    finally:
        redis_server.start()  # empty: this test server keeps nothing on disk
    again = await gw.Chat(chat(BOT, user("after")), timeout=5)
    assert again.session_id and again.session_id != session
    assert sent(emu) == [("user", "after")]


PORT = ("create", "open", "commit", "release", "get", "messages", "delete")


class StoreOps:
    """Counts the session store's operations as they end (each port method of its
    class, wrapped) and, on SQL, the transactions and statements of the store's engine."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, store_class: type) -> None:
        self.ops: list[str] = []
        self.transactions = self.statements = 0
        self._engines: set[Any] = set()
        for name in PORT:
            monkeypatch.setattr(store_class, name, self._counted(name, getattr(store_class, name)))

    def _counted(self, name: str, method: Any) -> Any:
        async def counted(store: Any, *args: Any) -> Any:
            engine = getattr(store, "engine", None)
            if engine is not None and engine not in self._engines:
                self._engines.add(engine)
                sqlalchemy.event.listen(engine, "begin", self._begin)
                sqlalchemy.event.listen(engine, "before_cursor_execute", self._statement)
            try:
                return await method(store, *args)
            finally:
                self.ops.append(name)

        return counted

    def _begin(self, *_: Any) -> None:
        self.transactions += 1

    def _statement(self, *_: Any) -> None:
        self.statements += 1

    def take(self) -> tuple[list[str], int, int]:
        """The operations, transactions and statements since the last take."""
        taken = (self.ops, self.transactions, self.statements)
        self.ops, self.transactions, self.statements = [], 0, 0
        return taken


async def evalsha_calls(url: str) -> int:
    """How many EVALSHA commands the redis-server ran (INFO commandstats)."""
    client = redis.asyncio.Redis.from_url(url)
    try:
        stats = await client.info("commandstats")
    finally:
        await client.aclose()
    return int(stats.get("cmdstat_evalsha", {}).get("calls", 0))


@pytest.mark.parametrize("backend", ["sql", "redis"])
async def test_history_costs_one_store_operation_before_a_call_and_one_after(
    gateway_factory: Any, emu: OpenAIEmulator, request: pytest.FixtureRequest, backend: str
) -> None:
    url = request.getfixturevalue("redis_url") if backend == "redis" else ""
    store_class = RedisSessionStore if url else SqlSessionStore
    ops = StoreOps(request.getfixturevalue("monkeypatch"), store_class)
    gw = await gateway_factory(**settings(emu, **({"redis": {"url": url}} if url else {})))

    async def measured(request: chat_pb2.ChatRequest) -> tuple[str, tuple[list[str], int, int, int]]:
        before = await evalsha_calls(url) if url else 0
        session = ""
        with contextlib.suppress(grpc.aio.AioRpcError):
            session = (await gw.Chat(request, timeout=5)).session_id  # the call starts after the count
        taken = ops.take()  # a unary call settles before it answers: nothing is left to come
        return session, (*taken, (await evalsha_calls(url) if url else 0) - before)

    async def conversation() -> list[tuple[list[str], int, int, int]]:
        session, new = await measured(chat(BOT, user("new")))
        _, again = await measured(chat(BOT, user("again"), session_id=session))
        emu.scripts.append(Script(error_status=500, error_kind="server"))
        _, failed = await measured(chat(BOT, user("fails"), session_id=session))
        return [new, again, failed]

    await conversation()  # the first use of each Redis script loads it (NOSCRIPT, SCRIPT LOAD)
    measures = await conversation()
    # new session, a call on it, a call on it that fails: one operation before, one after
    assert [m[0] for m in measures] == [["create", "commit"], ["open", "commit"], ["open", "release"]]
    if url:
        assert [m[3] for m in measures] == [2, 2, 2]  # one EVALSHA round trip each
    else:
        assert [m[1] for m in measures] == [2, 2, 2]  # one transaction each
        assert [m[2] for m in measures] == [4, 6, 4]  # create 1, open 3, commit 3, release 1
    await gw.Chat(chat("emu/chat"), timeout=5)  # no session: no store operation
    assert ops.take()[0] == []
