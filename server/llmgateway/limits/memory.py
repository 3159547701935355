"""The in-process limiter (the embedded default): the same windows and leases as
the Redis one, in this process's memory. Every operation is synchronous under the
event loop, so check-then-reserve is atomic without a lock, and answers at once (the
port's plain methods: the policy awaits nothing)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from llmgateway.core.limits import BUCKETS, WINDOW_S, Check, Grant, Kind, Refusal

_CONCURRENT, _REQUESTS, _TOKENS = Kind.CONCURRENT, Kind.REQUESTS, Kind.TOKENS


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
        self._windows: dict[str, _Window] = {}  # by Check.counter
        self._in_flight: dict[str, int] = {}
        self._swept = 0

    def _window(self, counter: str, first_live: int) -> _Window:
        window = self._windows.get(counter)
        if window is None:
            window = self._windows[counter] = _Window(first_live)
        return window

    def acquire(self, checks: Sequence[Check], tokens: int, deadline: float | None) -> Grant | Refusal:
        # Calls in flight here end with settle or with the process: `deadline` is not needed.
        # Runs on every call, in one pass: each check is reserved as it passes, and a
        # refusal (rare) takes back what the checks before it reserved. A window is only
        # evicted from when a bucket has left it since it was last touched.
        now = self.clock()
        index = int(now / self.bucket_s)
        n_buckets = self.n_buckets
        first_live = index - n_buckets + 1
        if first_live > self._swept:
            self._sweep(first_live)
        in_flight, windows = self._in_flight, self._windows
        remaining: list[int] = []  # also the position of the check at hand
        for check in checks:
            kind, limit, counter = check.kind, check.limit, check.counter
            if kind is _CONCURRENT:
                used = in_flight.get(counter, 0)
                if used >= limit:
                    self._unreserve(checks[: len(remaining)], tokens, index, first_live)
                    return Refusal(len(remaining), None)
                in_flight[counter] = used + 1
                remaining.append(limit - used - 1)
                continue
            cost = (tokens if tokens < limit else limit) if kind is _TOKENS else 1  # Check.cost
            window = windows.get(counter) or self._window(counter, first_live)
            used = window.evict(first_live, n_buckets) if window.oldest < first_live else window.total
            if used + cost > limit:
                self._unreserve(checks[: len(remaining)], tokens, index, first_live)
                frees = window.free_at(first_live, index, cost, limit)
                retry_after = None if frees is None else (frees + n_buckets) * self.bucket_s - now
                return Refusal(len(remaining), retry_after)
            buckets = window.buckets
            buckets[index] = buckets.get(index, 0) + cost
            window.total += cost
            remaining.append(limit - used - cost)
        return Grant(remaining, (index + n_buckets) * self.bucket_s - now, index, tokens)

    def release(self, checks: Sequence[Check], grant: Grant, tokens_used: int) -> None:
        first_live = None
        reserved = grant.tokens
        for check in checks:
            kind = check.kind
            if kind is _CONCURRENT:
                self._leave(check.counter)
            elif kind is _TOKENS:
                limit = check.limit
                delta = tokens_used - (reserved if reserved < limit else limit)  # Check.cost
                if delta:
                    if first_live is None:
                        first_live = int(self.clock() / self.bucket_s) - self.n_buckets + 1
                    self._settle(check.counter, grant.bucket, delta, first_live)

    def _unreserve(self, checks: Sequence[Check], tokens: int, index: int, first_live: int) -> None:
        """Takes back what `checks` reserved in bucket `index` a moment ago."""
        for check in checks:
            if check.kind is _CONCURRENT:
                self._leave(check.counter)
            else:
                self._settle(check.counter, index, -check.cost(tokens), first_live)

    def _leave(self, counter: str) -> None:
        count = self._in_flight.get(counter, 0) - 1
        if count > 0:
            self._in_flight[counter] = count
        else:
            self._in_flight.pop(counter, None)

    def _settle(self, counter: str, bucket: int, delta: int, first_live: int) -> None:
        """Moves a token reservation to the real usage: in its own bucket while that
        is still counted; after that, only an excess is charged, to the current one."""
        window = self._windows.get(counter)
        if window is not None and bucket >= first_live and bucket in window.buckets:
            window.buckets[bucket] += delta
            window.total += delta
        elif delta > 0:
            window = self._window(counter, first_live)
            window.evict(first_live, self.n_buckets)
            index = first_live + self.n_buckets - 1
            window.buckets[index] = window.buckets.get(index, 0) + delta
            window.total += delta

    def _sweep(self, first_live: int) -> None:
        """Forgets the windows that emptied (bounded memory for many subjects)."""
        self._swept = first_live + self.n_buckets - 1  # again once every bucket live now has left
        for key, window in list(self._windows.items()):
            if window.evict(first_live, self.n_buckets) <= 0:
                del self._windows[key]

    async def aclose(self) -> None:
        return None
