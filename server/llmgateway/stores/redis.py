"""The one Redis client of a server, shared by every slice that keeps state in
Redis (limits, budgets, cache, sessions): bounded timeouts so a call never hangs on
Redis, hiredis parsing, Lua scripts registered once, and one outage state that is
logged once per outage and reported through health (and metrics).

Slices call `run(script, keys, args)` or `call(fn)`; both raise `RedisUnavailable`
when Redis cannot answer in time, and each slice applies its configured failure
policy (fail open or closed)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
T = TypeVar("T")


class RedisUnavailable(Exception):
    """Redis did not answer (connection refused, timeout, server error)."""


class RedisStore:
    def __init__(self, url: str, timeout_s: float, key_prefix: str) -> None:
        self.client: aioredis.Redis = aioredis.Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry_on_timeout=False,
            health_check_interval=30,
        )
        self.key_prefix = key_prefix
        self.healthy = True
        self.outages = 0  # outages since start (for metrics)
        # Called with True/False when Redis becomes reachable/unreachable (health).
        self.on_health: list[Callable[[bool], Awaitable[None]]] = []

    def key(self, *parts: str) -> str:
        return self.key_prefix + ":".join(parts)

    def script(self, source: str) -> Any:
        """A Lua script run by its SHA (EVALSHA, loaded on first use)."""
        return self.client.register_script(source)

    async def run(self, script: Any, keys: Sequence[str], args: Sequence[Any]) -> Any:
        return await self.call(lambda: script(keys=list(keys), args=list(args)))

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
        await self.client.aclose()
