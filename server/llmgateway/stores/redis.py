"""The one Redis client of a server, shared by every slice that keeps state in
Redis (limits, budgets, cache, sessions): bounded timeouts so a call never hangs on
Redis, hiredis parsing, Lua scripts registered once, and one outage state that is
logged once per outage and reported through health (and metrics).

Slices call `run(script, keys, args)` or `call(fn)`; both raise `RedisUnavailable`
when Redis cannot answer in time, and each slice applies its configured failure
policy (fail open or closed). Scripts, which run on every call, are pipelined on one
connection of their own (stores/pipe.py); everything else goes through redis-py's pool."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError, RedisError

from llmgateway.stores.pipe import ScriptPipe

log = logging.getLogger(__name__)
T = TypeVar("T")


class RedisUnavailable(Exception):
    """Redis did not answer (connection refused, timeout, server error)."""


class RedisStore:
    def __init__(self, url: str, timeout_s: float, key_prefix: str, max_connections: int = 64) -> None:
        # A bounded pool that makes a call wait (at most timeout_s) for a free connection:
        # redis-py's default pool fails at once beyond 100 connections in use.
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeout_s,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry_on_timeout=False,
            health_check_interval=30,
        )
        self.client: aioredis.Redis = aioredis.Redis.from_pool(pool)  # owns it: aclose closes it
        self.key_prefix = key_prefix
        self.healthy = True
        self.outages = 0  # outages since start (for metrics)
        # Called with True/False when Redis becomes reachable/unreachable (health).
        self.on_health: list[Callable[[bool], Awaitable[None]]] = []
        self._scripts = ScriptPipe(pool, timeout_s)

    def key(self, *parts: str) -> str:
        return self.key_prefix + ":".join(parts)

    def script(self, source: str) -> AsyncScript:
        """A Lua script run by its SHA (EVALSHA, loaded on first use)."""
        return self.client.register_script(source)

    async def run(self, script: AsyncScript, keys: Sequence[str], args: Sequence[Any]) -> Any:
        return await self.call(lambda: self._evalsha(script, keys, args))

    async def _evalsha(self, script: AsyncScript, keys: Sequence[str], args: Sequence[Any]) -> Any:
        try:
            return await self._scripts.call("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:  # first use, or Redis restarted or flushed its scripts
            await self.client.script_load(script.script)
            return await self._scripts.call("EVALSHA", script.sha, len(keys), *keys, *args)

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        try:
            result = await fn()
        except (RedisError, OSError, TimeoutError) as exc:
            await self._down(exc)
            raise RedisUnavailable(type(exc).__name__) from exc
        if not self.healthy:
            await self._up()
        return result

    async def _down(self, exc: BaseException) -> None:
        if not self.healthy:
            return
        self.healthy = False
        self.outages += 1
        log.error(
            "redis is unreachable; policies apply their failure mode", extra={"error": type(exc).__name__}
        )
        for notify in self.on_health:
            await notify(False)

    async def _up(self) -> None:
        self.healthy = True
        log.warning("redis is reachable again")
        for notify in self.on_health:
            await notify(True)

    async def aclose(self) -> None:
        await self._scripts.aclose()
        await self.client.aclose()
