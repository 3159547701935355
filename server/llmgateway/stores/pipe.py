"""One pipelined Redis connection for the Lua scripts of every call (auto-pipelining).

redis-py spends 120-190 µs of CPU on each command it sends from asyncio: a pool
checkout and release, a task per write (`wait_for` under its socket timeout), a
timeout scope per read and its observability hooks. The scripts of the limits,
budgets and sessions run on every call, so they take a leaner path: each is written
at once on one shared connection, the callers wait on futures, and one reader task
hands the replies out in the order Redis sends them (Redis answers a connection's
commands in order). Each script is still one atomic EVALSHA and each call still
waits for one round trip (`python bench/redis_scripts.py` compares the two paths).

The connection itself is redis-py's (it connects, authenticates, selects the
database, speaks TLS); it is only driven differently. A reply that does not come
within the store's timeout fails every script in flight and the connection is
dropped, so a call never waits longer than that on a Redis that went silent."""

from __future__ import annotations

import asyncio
import collections
from typing import Any

from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.exceptions import ConnectionError, RedisError, ResponseError


class ScriptPipe:
    def __init__(self, pool: ConnectionPool, timeout_s: float) -> None:
        self.pool = pool
        self.timeout_s = timeout_s
        self._connection: AbstractConnection | None = None
        self._connecting: asyncio.Task[AbstractConnection] | None = None
        self._waiting: collections.deque[asyncio.Future[Any]] = collections.deque()
        self._reader: asyncio.Task[None] | None = None

    async def call(self, *args: Any) -> Any:
        """Sends one command and returns its reply; raises redis-py's errors (an error
        reply as ResponseError, a dead or silent Redis as ConnectionError/TimeoutError)."""
        connection = self._connection or await self._connect()
        packed = connection.pack_command(*args)  # before queueing: a bad argument fails alone
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        # Queued in the same step as the write (send_packed_command writes before it
        # first suspends): the queue keeps the order of the commands on the wire.
        self._waiting.append(reply)
        try:
            # The write only suspends while Redis is not reading fast enough (its socket
            # buffer full); a caller cancelled there makes redis-py close the connection,
            # which fails the scripts in flight with it (bounded, and counted as an outage).
            await connection.send_packed_command(packed, check_health=False)
            async with asyncio.timeout(self.timeout_s):
                return await reply
        except (RedisError, OSError, TimeoutError) as exc:
            if not isinstance(exc, ResponseError):  # not the script's own error: the link's
                await self._drop(connection, exc)
            raise

    async def _connect(self) -> AbstractConnection:
        if self._connecting is None or self._connecting.done():  # concurrent calls share one
            self._connecting = asyncio.ensure_future(self._open())
        return await asyncio.shield(self._connecting)

    async def _open(self) -> AbstractConnection:
        # The pool's settings (address, credentials, TLS), without redis-py's per-command
        # write timeout: this class bounds the wait for each reply itself.
        settings = {**self.pool.connection_kwargs, "socket_timeout": None}
        connection: AbstractConnection = self.pool.connection_class(**settings)
        await connection.connect()  # type: ignore[no-untyped-call]  # socket_connect_timeout bounds it
        self._connection = connection
        self._reader = asyncio.create_task(self._read(connection))
        return connection

    async def _read(self, connection: AbstractConnection) -> None:
        """For the connection's life: hands each reply to the oldest waiting caller
        (and notices at once when Redis closes the connection)."""
        while True:
            try:
                reply: Any = await connection.read_response()
            except ResponseError as exc:  # an error reply: that command's own
                reply = exc
            except Exception as exc:  # the connection failed (redis-py closed it)
                await self._drop(connection, exc)
                return
            if not self._waiting:  # a reply nobody asked for: out of step, start afresh
                await self._drop(connection, ConnectionError("unexpected reply from Redis"))
                return
            waiting = self._waiting.popleft()
            if waiting.done():
                continue  # its caller gave up; the reply was read to stay in step
            if isinstance(reply, ResponseError):
                waiting.set_exception(reply)
            else:
                waiting.set_result(reply)

    async def _drop(self, connection: AbstractConnection, error: BaseException) -> None:
        """Fails every command in flight on `connection` and forgets it (the next call
        opens a new one); a no-op when it was already dropped."""
        if connection is not self._connection:
            return
        self._connection = None
        waiting, self._waiting = self._waiting, collections.deque()
        for future in waiting:
            if not future.done():
                future.set_exception(error)
        reader, self._reader = self._reader, None
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
        await connection.disconnect(nowait=True)

    async def aclose(self) -> None:
        if self._connection is not None:
            await self._drop(self._connection, ConnectionError("the Redis store is closed"))
