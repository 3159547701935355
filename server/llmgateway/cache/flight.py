"""Single flight: of identical calls in flight, one (the leader) asks the upstream and
the others wait for the value of its complete answer.

In this process the first call leads and the others await a future. In a shared
backend the process's leader also takes a short lock (SET NX PX in Redis): when
another replica holds it, this leader polls for that replica's answer, and takes the
lock itself once it is free without an answer (that leader failed). Every wait ends
at the caller's deadline and after `wait_s` at most; a waiter whose leader failed or
that waited long enough makes its own call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from llmgateway.core.ports import CacheUnavailable, ResponseCache


@dataclass(frozen=True, slots=True)
class Lead:
    """This call leads the flight of `key`: `land` its answer when the call ends."""

    key: str
    token: str  # the backend's lock ("" when it could not take one)


class SingleFlight:
    def __init__(
        self,
        store: ResponseCache,
        wait_s: float,
        lock_ttl_s: float,
        poll_interval_s: float,
        on_error: Callable[[], None],
    ) -> None:
        self.store = store
        self.wait_s = wait_s
        self.lock_ttl_s = lock_ttl_s
        self.poll_interval_s = poll_interval_s
        self.on_error = on_error  # the backend failed; the flight goes on without it
        self._flights: dict[str, asyncio.Future[bytes | None]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    async def join(self, key: str, deadline: float | None) -> tuple[bytes | None, Lead | None]:
        """(the value another call landed, None), or (None, the lead: this call asks the
        upstream), or (None, None): its leader failed or it waited long enough, so this
        call asks the upstream without leading."""
        end = time.monotonic() + self.wait_s
        if deadline is not None:
            end = min(end, deadline)
        flight = self._flights.get(key)
        if flight is not None:
            return await _wait(flight, end), None
        self._flights[key] = asyncio.get_running_loop().create_future()
        try:
            token = await self._lock(key, end)
            if token is None:  # another replica leads
                value, token = await self._await_replica(key, end)
                if value is not None:
                    self._land_here(key, value)
                    return value, None
        except BaseException:
            self._land_here(key, None)
            raise
        return None, Lead(key, token or "")

    def land(self, lead: Lead, value: bytes | None) -> None:
        """The leader's call ended with `value` (None: no complete answer): the waiters
        in this process take it at once."""
        self._land_here(lead.key, value)

    async def release(self, lead: Lead) -> None:
        """Frees the lead's lock, once its answer is stored (other replicas poll for it)."""
        if lead.token:
            try:
                await self.store.unlock(lead.key, lead.token)
            except CacheUnavailable:
                self.on_error()  # the lock expires by itself

    def _land_here(self, key: str, value: bytes | None) -> None:
        flight = self._flights.pop(key, None)
        if flight is not None and not flight.done():
            flight.set_result(value)

    async def _await_replica(self, key: str, end: float) -> tuple[bytes | None, str | None]:
        """Polls for another replica's answer until it is stored, its lock is free (this
        call then leads, with the lock) or `end`."""
        while (left := end - time.monotonic()) > 0:
            await asyncio.sleep(min(self.poll_interval_s, left))
            try:
                value = (await self.store.get_many([key]))[0]
            except CacheUnavailable:
                self.on_error()
                return None, ""
            if value is not None:
                return value, None
            token = await self._lock(key, end)
            if token is not None:
                return None, token
        return None, None

    async def _lock(self, key: str, end: float) -> str | None:
        """A token when this call leads ("" when the backend cannot say: lead without a
        lock), None when another replica does. Held no longer than a waiter would wait."""
        try:
            return await self.store.lock(key, max(0.001, min(self.lock_ttl_s, end - time.monotonic())))
        except CacheUnavailable:
            self.on_error()
            return ""


async def _wait(flight: asyncio.Future[bytes | None], end: float) -> bytes | None:
    """The leader's value, or None when it failed or did not land by `end`. Shielded: a
    waiter that gives up does not cancel the flight for the others."""
    left = end - time.monotonic()
    if left <= 0:
        return None
    try:
        return await asyncio.wait_for(asyncio.shield(flight), left)
    except TimeoutError:
        return None
