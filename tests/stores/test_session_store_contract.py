"""The session store port, one contract over every store: the registry database on
SQLite and on a real PostgreSQL, and a real redis-server (`session_store` fixture)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from llmgateway.core.ports import SessionLeased, SessionStore
from llmgateway.registry.schema import session_messages, sessions
from llmgateway.registry.sessions import SqlSessionStore

DAY = 86_400.0


async def _started(store: SessionStore, sid: str = "s1", owner: str = "key-a", token: str = "t1") -> None:
    await store.create(sid, owner, "team/bot", token, 30.0, DAY)


async def test_a_new_session_is_leased_to_its_creator_until_released(session_store: SessionStore) -> None:
    await _started(session_store)
    with pytest.raises(SessionLeased):
        await session_store.open("s1", "key-a", "t2", 30.0)
    await session_store.release("s1", "someone-else")  # not the holder: nothing happens
    with pytest.raises(SessionLeased):
        await session_store.open("s1", "key-a", "t2", 30.0)
    await session_store.release("s1", "t1")
    opened = await session_store.open("s1", "key-a", "t2", 30.0)
    assert opened is not None and opened.messages == []
    session = opened.session
    assert (session.id, session.owner, session.model, session.message_count) == ("s1", "key-a", "team/bot", 0)
    assert session.create_time <= session.update_time < session.expire_time


async def test_commit_appends_trims_the_oldest_and_releases(session_store: SessionStore) -> None:
    await _started(session_store)
    assert await session_store.commit("s1", "t1", [b"m0", b"m1", b"m2"], 0, DAY)
    opened = await session_store.open("s1", "key-a", "t2", 30.0)
    assert opened is not None and opened.messages == [b"m0", b"m1", b"m2"]
    assert await session_store.commit("s1", "t2", [b"m3", b"m4"], 2, DAY)
    opened = await session_store.open("s1", "key-a", "t3", 30.0)
    assert opened is not None and opened.messages == [b"m2", b"m3", b"m4"]
    assert (opened.session.first_seq, opened.session.message_count) == (2, 3)
    # A drop beyond what is stored leaves nothing, appended messages included.
    assert await session_store.commit("s1", "t3", [b"m5"], 10, DAY)
    session = await session_store.get("s1", "key-a")
    assert session is not None and session.message_count == 0 and session.first_seq == 6


async def test_only_the_lease_holder_commits(session_store: SessionStore) -> None:
    await _started(session_store)
    assert not await session_store.commit("s1", "not-the-holder", [b"x"], 0, DAY)
    assert await session_store.commit("s1", "t1", [b"a"], 0, DAY)
    assert not await session_store.commit("s1", "t1", [b"again"], 0, DAY)  # released by the first
    found = await session_store.messages("s1", "key-a", -1, 10)
    assert found is not None and found[1] == [(0, b"a")]


async def test_messages_page_by_sequence_number(session_store: SessionStore) -> None:
    await _started(session_store)
    assert await session_store.commit("s1", "t1", [f"m{i}".encode() for i in range(7)], 2, DAY)
    found = await session_store.messages("s1", "key-a", -1, 3)
    assert found is not None
    session, page = found
    assert page == [(2, b"m2"), (3, b"m3"), (4, b"m4")] and session.message_count == 5
    found = await session_store.messages("s1", "key-a", 4, 3)
    assert found is not None and found[1] == [(5, b"m5"), (6, b"m6")]
    found = await session_store.messages("s1", "key-a", 6, 3)
    assert found is not None and found[1] == []


async def test_a_session_belongs_to_its_owner(session_store: SessionStore) -> None:
    await _started(session_store)
    assert await session_store.commit("s1", "t1", [b"secret"], 0, DAY)
    assert await session_store.open("s1", "key-b", "t2", 30.0) is None
    assert await session_store.get("s1", "key-b") is None
    assert await session_store.messages("s1", "key-b", -1, 10) is None
    assert not await session_store.delete("s1", "key-b")
    assert await session_store.get("s1", "key-a") is not None


async def test_delete_removes_the_session_and_a_late_commit_does_not_bring_it_back(
    session_store: SessionStore,
) -> None:
    await _started(session_store)
    assert await session_store.delete("s1", "key-a")
    assert not await session_store.commit("s1", "t1", [b"late"], 0, DAY)
    assert await session_store.get("s1", "key-a") is None
    assert await session_store.messages("s1", "key-a", -1, 10) is None
    assert not await session_store.delete("s1", "key-a")
    assert await session_store.open("missing", "key-a", "t", 30.0) is None


async def test_idle_sessions_expire_and_each_commit_extends_them(session_store: SessionStore) -> None:
    await session_store.create("s1", "key-a", "team/bot", "t1", 30.0, 0.3)
    await session_store.create("s2", "key-a", "team/bot", "u1", 30.0, 0.3)
    assert await session_store.commit("s2", "u1", [b"kept"], 0, DAY)
    await asyncio.sleep(0.6)
    assert await session_store.get("s1", "key-a") is None
    assert await session_store.open("s1", "key-a", "t2", 30.0) is None
    session = await session_store.get("s2", "key-a")
    assert session is not None and session.message_count == 1


async def test_a_lease_whose_call_died_expires(session_store: SessionStore) -> None:
    await session_store.create("s1", "key-a", "team/bot", "dead", 0.2, DAY)
    await asyncio.sleep(0.4)
    opened = await session_store.open("s1", "key-a", "alive", 30.0)
    assert opened is not None
    assert not await session_store.commit("s1", "dead", [b"late"], 0, DAY)
    assert await session_store.commit("s1", "alive", [b"mine"], 0, DAY)


async def test_of_concurrent_opens_exactly_one_takes_the_lease(session_store: SessionStore) -> None:
    await _started(session_store)
    await session_store.release("s1", "t1")

    async def attempt(i: int) -> bool:
        try:
            return await session_store.open("s1", "key-a", f"c{i}", 30.0) is not None
        except SessionLeased:
            return False

    results = await asyncio.gather(*(attempt(i) for i in range(12)))
    assert results.count(True) == 1


async def test_the_database_deletes_expired_sessions(session_store: SessionStore) -> None:
    if not isinstance(session_store, SqlSessionStore):
        pytest.skip("Redis expires keys itself")
    await session_store.create("old", "key-a", "team/bot", "t1", 30.0, 0.2)
    assert await session_store.commit("old", "t1", [b"a", b"b"], 0, 0.2)
    await _started(session_store, "kept")
    await asyncio.sleep(0.4)
    assert await session_store.purge() == 1
    with session_store.engine.connect() as conn:
        left = conn.execute(select(session_messages.c.session_id)).scalars().all()
        ids = conn.execute(select(sessions.c.id)).scalars().all()
    assert left == [] and ids == ["kept"]
