"""Sessions in the registry database (SQLite by default, so they survive a restart;
PostgreSQL for several replicas): the `llm_sessions` and `llm_session_messages`
tables. Each operation is one transaction of synchronous SQLAlchemy, run in a small
thread pool of its own so that sessions never queue behind admin writes.

The lease is a conditional UPDATE (only one of two concurrent calls changes the row:
PostgreSQL's row lock and SQLite's single writer decide), in the transaction that
then reads the history. Expired sessions stop being found at once and are deleted
every `purge_interval_s`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Engine, Row, and_, bindparam, delete, event, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from llmgateway.core.ports import OpenedSession, SessionLeased, SessionsUnavailable, StoredSession
from llmgateway.registry.db import sqlite_normal_sync
from llmgateway.registry.schema import session_messages, sessions

log = logging.getLogger(__name__)
T = TypeVar("T")
PURGE_BATCH = 500


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _now() -> int:
    return _ms(time.time())


class SqlSessionStore:
    """`engine` is the store's own (it sets its connections' pragmas and disposes of it)."""

    def __init__(self, engine: Engine, purge_interval_s: float = 300.0, workers: int = 4) -> None:
        self.engine = engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", sqlite_normal_sync)
        self.purge_interval_s = purge_interval_s
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sessions-db")
        self._purger: asyncio.Task[None] | None = None

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, partial(fn, *args))
        except SQLAlchemyError as exc:
            log.error("session store: %s", type(exc).__name__)
            raise SessionsUnavailable(type(exc).__name__) from exc

    # -- the port ------------------------------------------------------------------------
    async def create(
        self, session_id: str, owner: str, model: str, token: str, lease_s: float, ttl_s: float
    ) -> None:
        await self._run(self._create, session_id, owner, model, token, _ms(lease_s), _ms(ttl_s))

    async def open(self, session_id: str, owner: str, token: str, lease_s: float) -> OpenedSession | None:
        return await self._run(self._open, session_id, owner, token, _ms(lease_s))

    async def commit(
        self, session_id: str, token: str, append: Sequence[bytes], drop: int, ttl_s: float
    ) -> bool:
        return await self._run(self._commit, session_id, token, list(append), drop, _ms(ttl_s))

    async def release(self, session_id: str, token: str) -> None:
        await self._run(self._release, session_id, token)

    async def get(self, session_id: str, owner: str) -> StoredSession | None:
        return await self._run(self._get, session_id, owner)

    async def messages(
        self, session_id: str, owner: str, after_seq: int, limit: int
    ) -> tuple[StoredSession, list[tuple[int, bytes]]] | None:
        return await self._run(self._messages, session_id, owner, after_seq, limit)

    async def delete(self, session_id: str, owner: str) -> bool:
        return await self._run(self._delete, session_id, owner)

    async def start(self) -> None:
        if self._purger is None:
            self._purger = asyncio.create_task(self._purge_every(), name="sessions-purge")

    async def aclose(self) -> None:
        if self._purger is not None:
            self._purger.cancel()
            await asyncio.gather(self._purger, return_exceptions=True)
            self._purger = None
        self._executor.shutdown(wait=False, cancel_futures=True)
        await asyncio.to_thread(self.engine.dispose)

    async def purge(self) -> int:
        """Deletes expired sessions; how many."""
        return await self._run(self._purge)

    # -- transactions (worker threads) ---------------------------------------------------
    def _create(
        self, session_id: str, owner: str, model: str, token: str, lease_ms: int, ttl_ms: int
    ) -> None:
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(
                insert(sessions).values(
                    id=session_id,
                    owner=owner,
                    model=model,
                    create_ms=now,
                    update_ms=now,
                    expire_ms=now + ttl_ms,
                    first_seq=0,
                    next_seq=0,
                    lease_token=token,
                    lease_until=now + lease_ms,
                )
            )

    def _open(self, session_id: str, owner: str, token: str, lease_ms: int) -> OpenedSession | None:
        now = _now()
        with self.engine.begin() as conn:
            who = {"sid": session_id, "who": owner, "now": now}
            taken = conn.execute(_TAKE, {**who, "tok": token, "until": now + lease_ms}).rowcount
            row = conn.execute(_FIND, who).first()
            if row is None:
                return None
            if not taken:
                raise SessionLeased(session_id)
            bodies = conn.execute(_BODIES, {"sid": session_id}).scalars()
            return OpenedSession(_stored(row), [bytes(b) for b in bodies])

    def _commit(self, session_id: str, token: str, append: list[bytes], drop: int, ttl_ms: int) -> bool:
        now = _now()
        with self.engine.begin() as conn:
            row = conn.execute(_HELD, {"sid": session_id, "tok": token, "now": now}).first()
            if row is None:
                return False
            first, seq = row
            if append:
                conn.execute(
                    _APPEND,
                    [{"session_id": session_id, "seq": seq + i, "body": b} for i, b in enumerate(append)],
                )
            first = min(first + drop, seq + len(append))
            if drop:
                conn.execute(_TRIM, {"sid": session_id, "first": first})
            values = {"first": first, "next": seq + len(append), "now": now, "expires": now + ttl_ms}
            conn.execute(_SETTLE, {"sid": session_id, **values})
            return True

    def _release(self, session_id: str, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(sessions)
                .where(sessions.c.id == session_id, sessions.c.lease_token == token)
                .values(lease_token=None, lease_until=None)
            )

    def _get(self, session_id: str, owner: str) -> StoredSession | None:
        with self.engine.connect() as conn:
            row = conn.execute(_FIND, {"sid": session_id, "who": owner, "now": _now()}).first()
            return None if row is None else _stored(row)

    def _messages(
        self, session_id: str, owner: str, after_seq: int, limit: int
    ) -> tuple[StoredSession, list[tuple[int, bytes]]] | None:
        with self.engine.connect() as conn:
            row = conn.execute(_FIND, {"sid": session_id, "who": owner, "now": _now()}).first()
            if row is None:
                return None
            found = conn.execute(
                select(session_messages.c.seq, session_messages.c.body)
                .where(session_messages.c.session_id == session_id, session_messages.c.seq > after_seq)
                .order_by(session_messages.c.seq)
                .limit(limit)
            ).all()
            return _stored(row), [(int(seq), bytes(body)) for seq, body in found]

    def _delete(self, session_id: str, owner: str) -> bool:
        with self.engine.begin() as conn:
            gone = conn.execute(
                delete(sessions).where(sessions.c.id == session_id, sessions.c.owner == owner)
            ).rowcount
            if gone:
                conn.execute(delete(session_messages).where(session_messages.c.session_id == session_id))
            return bool(gone)

    def _purge(self) -> int:
        purged = 0
        while True:
            with self.engine.begin() as conn:
                expired = list(
                    conn.execute(
                        select(sessions.c.id).where(sessions.c.expire_ms <= _now()).limit(PURGE_BATCH)
                    ).scalars()
                )
                if not expired:
                    return purged
                conn.execute(delete(session_messages).where(session_messages.c.session_id.in_(expired)))
                conn.execute(delete(sessions).where(sessions.c.id.in_(expired)))
            purged += len(expired)

    async def _purge_every(self) -> None:
        while True:
            await asyncio.sleep(self.purge_interval_s)
            try:
                purged = await self.purge()
            except SessionsUnavailable:
                continue  # logged; the next round tries again
            if purged:
                log.info("expired sessions deleted", extra={"sessions": purged})


# The statements of every call, built once (bound parameters by name).
_LIVE = and_(
    sessions.c.id == bindparam("sid"),
    sessions.c.owner == bindparam("who"),
    sessions.c.expire_ms > bindparam("now"),
)
_FREE = or_(sessions.c.lease_token.is_(None), sessions.c.lease_until < bindparam("now"))
_TAKE = (
    update(sessions).where(_LIVE, _FREE).values(lease_token=bindparam("tok"), lease_until=bindparam("until"))
)
_FIND = select(sessions).where(_LIVE)
_BODIES = (
    select(session_messages.c.body)
    .where(session_messages.c.session_id == bindparam("sid"))
    .order_by(session_messages.c.seq)
)
_HELD = select(sessions.c.first_seq, sessions.c.next_seq).where(
    sessions.c.id == bindparam("sid"),
    sessions.c.lease_token == bindparam("tok"),
    sessions.c.lease_until >= bindparam("now"),
)
_APPEND = insert(session_messages)
_TRIM = delete(session_messages).where(
    session_messages.c.session_id == bindparam("sid"), session_messages.c.seq < bindparam("first")
)
_SETTLE = (
    update(sessions)
    .where(sessions.c.id == bindparam("sid"))
    .values(
        first_seq=bindparam("first"),
        next_seq=bindparam("next"),
        update_ms=bindparam("now"),
        expire_ms=bindparam("expires"),
        lease_token=None,
        lease_until=None,
    )
)


def _stored(row: Row[Any]) -> StoredSession:
    m = row._mapping
    return StoredSession(
        id=m["id"],
        owner=m["owner"],
        model=m["model"],
        create_time=m["create_ms"] / 1000,
        update_time=m["update_ms"] / 1000,
        expire_time=m["expire_ms"] / 1000,
        first_seq=m["first_seq"],
        message_count=m["next_seq"] - m["first_seq"],
    )
