"""Single flight in one process: of identical calls in flight, the first (the leader)
asks the upstream and the others wait for what it lands: the stored value of its
complete answer, or None when it failed (each waiter then makes its own call)."""

from __future__ import annotations

import asyncio


class Flights:
    def __init__(self) -> None:
        self._flights: dict[str, asyncio.Future[bytes | None]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    def find(self, key: str) -> asyncio.Future[bytes | None] | None:
        return self._flights.get(key)

    def lead(self, key: str) -> None:
        self._flights[key] = asyncio.get_running_loop().create_future()

    def land(self, key: str, value: bytes | None) -> None:
        flight = self._flights.pop(key, None)
        if flight is not None and not flight.done():
            flight.set_result(value)


async def wait(flight: asyncio.Future[bytes | None], within: float) -> bytes | None:
    """The leader's value, or None when it failed or did not land `within` seconds.
    Shielded: a waiter that gives up does not cancel the flight for the others."""
    if within <= 0:
        return None
    try:
        return await asyncio.wait_for(asyncio.shield(flight), within)
    except TimeoutError:
        return None
