"""The in-process limiter (the embedded default): the same windows and leases as
the Redis one, in this process's memory. Every operation is synchronous under the
event loop, so check-then-reserve is atomic without a lock."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from llmgateway.core.limits import BUCKETS, WINDOW_S, Check, Grant, Kind, Refusal

_CONCURRENT, _TOKENS = Kind.CONCURRENT, Kind.TOKENS


class _Window:
    """Amounts per bucket index, their total, and the oldest bucket still counted."""

    __slots__ = ("buckets", "oldest", "total")

    def __init__(self, first_live: int) -> None:
        self.buckets: dict[int, int] = {}
        self.total = 0
        self.oldest = first_live

    def evict(self, first_live: int, n_buckets: int) -> int:
        if self.oldest < first_live:
            if first_live - self.oldest >= n_buckets:
                self.buckets.clear()
                self.total = 0
            else:
                for index in range(self.oldest, first_live):
                    self.total -= self.buckets.pop(index, 0)
            self.oldest = first_live
        return self.total

    def free_at(self, first_live: int, last: int, cost: int, limit: int) -> int | None:
        """The first bucket whose expiry leaves room for `cost`."""
        freed = 0
        for index in range(first_live, last + 1):
            freed += self.buckets.get(index, 0)
            if self.total - freed + cost <= limit:
                return index
        return None


class MemoryLimiter:
    def __init__(
        self,
        window_s: float = WINDOW_S,
        buckets: int = BUCKETS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bucket_s = window_s / buckets
        self.n_buckets = buckets
        self.clock = clock
        self._windows: dict[tuple[Kind, str, str], _Window] = {}
        self._in_flight: dict[tuple[str, str], int] = {}
        self._swept = 0

    def _window(self, check: Check, first_live: int) -> _Window:
        key = (check.kind, check.scope, check.subject)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window(first_live)
        return window

    async def acquire(self, checks: Sequence[Check], lease: str, lease_ttl_s: float) -> Grant | Refusal:
        # Runs on every call: the lookups are inlined, and a window is only evicted
        # from when a bucket has left it since it was last touched.
        now = self.clock()
        index = int(now // self.bucket_s)
        n_buckets = self.n_buckets
        first_live = index - n_buckets + 1
        if index - self._swept >= n_buckets:
            self._sweep(first_live)
        in_flight, windows = self._in_flight, self._windows
        counters: list[_Window | tuple[str, str]] = []
        remaining: list[int] = []
        for i, check in enumerate(checks):
            if check.kind is _CONCURRENT:
                key = (check.scope, check.subject)
                used = in_flight.get(key, 0)
                if used >= check.limit:
                    return Refusal(i, None)
                counters.append(key)
                remaining.append(check.limit - used - 1)
                continue
            window = windows.get((check.kind, check.scope, check.subject)) or self._window(check, first_live)
            used = window.evict(first_live, n_buckets) if window.oldest < first_live else window.total
            if used + check.cost > check.limit:
                frees = window.free_at(first_live, index, check.cost, check.limit)
                return Refusal(i, None if frees is None else (frees + n_buckets) * self.bucket_s - now)
            counters.append(window)
            remaining.append(check.limit - used - check.cost)
        for check, counter in zip(checks, counters, strict=True):
            if isinstance(counter, _Window):
                buckets = counter.buckets
                buckets[index] = buckets.get(index, 0) + check.cost
                counter.total += check.cost
            else:
                in_flight[counter] = in_flight.get(counter, 0) + 1
        return Grant(tuple(remaining), (index + n_buckets) * self.bucket_s - now, index)

    async def release(self, checks: Sequence[Check], grant: Grant, lease: str, tokens_used: int) -> None:
        index = int(self.clock() // self.bucket_s)
        first_live = index - self.n_buckets + 1
        in_flight = self._in_flight
        for check in checks:
            kind = check.kind
            if kind is _CONCURRENT:
                key = (check.scope, check.subject)
                count = in_flight.get(key, 0) - 1
                if count > 0:
                    in_flight[key] = count
                else:
                    in_flight.pop(key, None)
            elif kind is _TOKENS and tokens_used != check.cost:
                self._settle(check, grant.bucket, tokens_used - check.cost, index, first_live)

    def _settle(self, check: Check, bucket: int, delta: int, index: int, first_live: int) -> None:
        """Moves a token reservation to the real usage: in its own bucket while that
        is still counted; after that, only an excess is charged, to the current one."""
        window = self._windows.get((check.kind, check.scope, check.subject))
        if window is not None and bucket >= first_live and bucket in window.buckets:
            window.buckets[bucket] += delta
            window.total += delta
        elif delta > 0:
            window = self._window(check, first_live)
            window.evict(first_live, self.n_buckets)
            window.buckets[index] = window.buckets.get(index, 0) + delta
            window.total += delta

    def _sweep(self, first_live: int) -> None:
        """Forgets the windows that emptied (bounded memory for many subjects)."""
        self._swept = first_live + self.n_buckets - 1
        for key, window in list(self._windows.items()):
            if window.evict(first_live, self.n_buckets) <= 0:
                del self._windows[key]

    async def aclose(self) -> None:
        return None
