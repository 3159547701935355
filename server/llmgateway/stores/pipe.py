"""One pipelined Redis connection for the Lua scripts of every call (auto-pipelining).

redis-py spends 60-110 µs of CPU on each command it sends from asyncio (on uvloop;
more on asyncio's own loop): a pool checkout and release, a task per write
(`wait_for` under its socket timeout), a timeout scope per read and its observability
hooks. The scripts of the limits, budgets and sessions run on every call, so they
take a leaner path: each is written at once on one shared connection, its caller
waits on a future, and the replies are parsed by hiredis as the bytes arrive (an
asyncio protocol, no reader task) and handed out in the order Redis sends them (Redis
answers a connection's commands in order). Each script is still one atomic EVALSHA
and each call still waits for one round trip; a script costs 9-50 µs this way
(`python bench/redis_scripts.py` compares the two paths).

The connection is opened by redis-py (it connects, authenticates, selects the
database, speaks TLS); then this module takes its transport over. One timer, not one
per command, watches the oldest command in flight: a reply that does not come within
the store's timeout fails every script in flight and the connection is dropped, so a
call never waits longer than that on a Redis that went silent."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable
from typing import Any

import hiredis
from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.exceptions import ConnectionError, InvalidResponse, NoScriptError, ResponseError, TimeoutError

_NOT_YET = object()  # hiredis: no complete reply buffered (a reply may itself be falsy)


def _error_reply(message: str) -> ResponseError:
    # NOSCRIPT is the one error reply the store acts on (it loads the script again).
    return NoScriptError(message) if message.startswith("NOSCRIPT") else ResponseError(message)


class _Replies(asyncio.Protocol):
    """The connection's protocol once it is taken over: matches each reply to the
    oldest command in flight."""

    def __init__(
        self,
        pipe: ScriptPipe,
        writer: asyncio.StreamWriter,
        pack: Callable[..., list[bytes]],
        timeout_s: float,
    ) -> None:
        self.pipe = pipe
        self.writer = writer  # held: a StreamWriter closes its transport when collected
        self.transport = writer.transport
        self.pack = pack
        self.timeout_s = timeout_s
        self.loop = asyncio.get_running_loop()
        self.parser = hiredis.Reader(
            protocolError=InvalidResponse, replyError=_error_reply, notEnoughData=_NOT_YET
        )
        # (reply future, the loop time by which it must come), oldest first.
        self.waiting: collections.deque[tuple[asyncio.Future[Any], float]] = collections.deque()
        self.watchdog: asyncio.TimerHandle | None = None
        self.closed = False

    def send(self, packed: list[bytes]) -> asyncio.Future[Any]:
        if self.closed:  # lost after its caller was handed it
            raise ConnectionError("the connection to Redis was lost")
        reply = self.loop.create_future()
        deadline = self.loop.time() + self.timeout_s
        self.waiting.append((reply, deadline))
        if self.watchdog is None:
            self.watchdog = self.loop.call_at(deadline, self._check)
        # Never blocks: a Redis that stops reading lets the buffer grow only until the
        # watchdog drops the connection (the commands in flight are bounded by the calls).
        self.transport.writelines(packed)
        return reply

    def data_received(self, data: bytes) -> None:
        self.parser.feed(data)
        waiting = self.waiting
        while True:
            try:
                reply = self.parser.gets()
            except InvalidResponse as exc:  # not RESP: nothing after it can be trusted
                self.fail(ConnectionError(f"Redis sent a malformed reply: {exc}"))
                return
            if reply is _NOT_YET:
                return
            if not waiting:  # a reply nobody asked for: out of step, start afresh
                self.fail(ConnectionError("unexpected reply from Redis"))
                return
            future, _ = waiting.popleft()
            if future.done():
                continue  # its caller gave up; the reply was read to stay in step
            if isinstance(reply, ResponseError):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(ConnectionError("Redis closed the connection"))

    def _check(self) -> None:
        self.watchdog = None
        if not self.waiting or self.closed:
            return
        deadline = self.waiting[0][1]
        if self.loop.time() >= deadline:
            self.fail(TimeoutError(f"no reply from Redis within {self.timeout_s} s"))
        else:
            self.watchdog = self.loop.call_at(deadline, self._check)

    def fail(self, error: Exception) -> None:
        """Fails every command in flight and closes the connection (the pipe opens a
        new one for the next call); a no-op the second time."""
        if self.closed:
            return
        self.closed = True
        self.pipe.forget(self)
        if self.watchdog is not None:
            self.watchdog.cancel()
        waiting, self.waiting = self.waiting, collections.deque()
        for future, _ in waiting:
            if not future.done():
                future.set_exception(error)
        self.transport.close()


class ScriptPipe:
    def __init__(self, pool: ConnectionPool, timeout_s: float) -> None:
        self.pool = pool
        self.timeout_s = timeout_s
        self._replies: _Replies | None = None
        self._connecting: asyncio.Task[_Replies] | None = None

    async def call(self, *args: Any) -> Any:
        """Sends one command and returns its reply; raises redis-py's errors (an error
        reply as ResponseError, a dead or silent Redis as ConnectionError/TimeoutError)."""
        replies = self._replies or await self._connect()
        return await replies.send(replies.pack(*args))  # packed first: a bad argument fails alone

    async def _connect(self) -> _Replies:
        if self._connecting is None or self._connecting.done():  # concurrent calls share one
            self._connecting = asyncio.ensure_future(self._open())
        return await asyncio.shield(self._connecting)

    async def _open(self) -> _Replies:
        connection: AbstractConnection = self.pool.connection_class(**self.pool.connection_kwargs)
        await connection.connect()  # type: ignore[no-untyped-call]  # socket_connect_timeout bounds it
        # redis-py's stream pair is done with once the handshake (AUTH, SELECT) is read:
        # its transport now feeds this module's protocol, and redis-py lets go of it
        # (its connection's finaliser would otherwise close it).
        writer = connection._writer
        if writer is None:
            raise ConnectionError("redis-py connected without a stream")
        connection._reader = connection._writer = None
        replies = _Replies(self, writer, connection.pack_command, self.timeout_s)
        writer.transport.set_protocol(replies)
        self._replies = replies
        return replies

    def forget(self, replies: _Replies) -> None:
        if self._replies is replies:
            self._replies = None

    async def aclose(self) -> None:
        if self._replies is not None:
            self._replies.fail(ConnectionError("the Redis store is closed"))
