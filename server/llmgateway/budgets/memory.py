"""The in-process budget store (the embedded default): the same counters as the Redis
one, in this process's memory. Every operation is synchronous under the event loop,
so check-then-reserve of all a call's counters is atomic without a lock."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from llmgateway.core.budgets import NO_LIMIT, Charge, Refused, Reserved, Used

SWEEP_S = 3600.0  # how often expired counters are forgotten
_GONE = Used(-1, -1)


class _Counter:
    __slots__ = ("expire_at", "money", "tokens")

    def __init__(self, money: int, tokens: int, expire_at: float) -> None:
        self.money = money
        self.tokens = tokens
        self.expire_at = expire_at


class MemoryBudgetStore:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._counters: dict[str, _Counter] = {}
        self._next_sweep = 0.0

    def _live(self, key: str, now: float) -> _Counter | None:
        counter = self._counters.get(key)
        if counter is not None and counter.expire_at and counter.expire_at <= now:
            del self._counters[key]
            return None
        return counter

    async def reserve(self, charges: Sequence[Charge]) -> Reserved | Refused:
        now = self.clock()
        if now >= self._next_sweep:
            self._sweep(now)
        found: list[_Counter | None] = []
        for i, charge in enumerate(charges):
            counter = self._live(charge.key, now)
            money, tokens = (0, 0) if counter is None else (counter.money, counter.tokens)
            if (charge.money_limit != NO_LIMIT and money + charge.money > charge.money_limit) or (
                charge.token_limit != NO_LIMIT and tokens + charge.tokens > charge.token_limit
            ):
                return Refused(i, Used(money, tokens))
            found.append(counter)
        used = []
        for charge, counter in zip(charges, found, strict=True):
            if counter is None:
                counter = self._counters[charge.key] = _Counter(0, 0, charge.expire_at)
            counter.money += charge.money
            counter.tokens += charge.tokens
            used.append(Used(counter.money, counter.tokens))
        return Reserved(tuple(used))

    async def adjust(self, charges: Sequence[Charge], deltas: Sequence[Used]) -> tuple[Used, ...]:
        now = self.clock()
        used = []
        for charge, delta in zip(charges, deltas, strict=True):
            counter = self._live(charge.key, now)
            if counter is None:
                used.append(_GONE)
                continue
            counter.money = max(0, counter.money + delta.money)
            counter.tokens = max(0, counter.tokens + delta.tokens)
            used.append(Used(counter.money, counter.tokens))
        return tuple(used)

    async def seed(self, counters: Sequence[tuple[Charge, Used]], only_missing: bool) -> int:
        now = self.clock()
        done = 0
        for charge, value in counters:
            if only_missing and self._live(charge.key, now) is not None:
                continue
            self._counters[charge.key] = _Counter(value.money, value.tokens, charge.expire_at)
            done += 1
        return done

    def _sweep(self, now: float) -> None:
        """Forgets the counters of periods long over (bounded memory)."""
        self._next_sweep = now + SWEEP_S
        for key, counter in list(self._counters.items()):
            if counter.expire_at and counter.expire_at <= now:
                del self._counters[key]
