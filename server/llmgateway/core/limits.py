"""Rate limits: what a limit is, and the limiter port that checks and reserves them.

A limiter counts in sliding windows of WINDOW_S seconds, kept as BUCKETS buckets
(one per second): the window of a call is the current bucket and the ones before
it. A bucket leaves the window whole, so a slot frees between WINDOW_S and
WINDOW_S + one bucket after it was taken: never more than the limit is admitted in
any window. The same buckets hold requests and tokens (a weighted count), which a
reservation can later correct to the real usage. Concurrent calls are leases that
the call's settle returns (and that expire with the call's deadline, should a
replica die holding them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, Protocol

WINDOW_S = 60.0
BUCKETS = 60


class Kind(StrEnum):
    REQUESTS = "requests"
    TOKENS = "tokens"
    CONCURRENT = "concurrent"


class Scope(StrEnum):
    """Whose limit it is: the metrics' and errors' `subject` (never a raw key or address)."""

    KEY = "key"
    ADDRESS = "address"
    MODEL = "model"
    KEY_MODEL = "key_model"


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-minute limits and a cap on calls in flight; 0 means no limit."""

    requests_per_minute: int = 0
    tokens_per_minute: int = 0
    concurrent_calls: int = 0

    def __bool__(self) -> bool:
        return bool(self.requests_per_minute or self.tokens_per_minute or self.concurrent_calls)


NO_LIMITS = Limits()


class Check(NamedTuple):
    """One limit of one call: `subject` (a key id, an address, a model id, ...) is
    counted against `limit`, `cost` at a time (1 request or call, or the tokens).
    NamedTuples here: several are made per call, on the hot path."""

    scope: Scope
    subject: str
    kind: Kind
    limit: int
    cost: int = 1


class Grant(NamedTuple):
    """Every check passed and is reserved. `remaining[i]` is what check i has left
    after this call; `reset_s` is when the windows are back at their full limits;
    `bucket` is where the reservation went (for settle)."""

    remaining: tuple[int, ...]
    reset_s: float
    bucket: int


class Refusal(NamedTuple):
    """Check `failed` would go over its limit; nothing was reserved. `retry_after_s`
    is when enough of its window frees (None when it cannot be known: calls in flight)."""

    failed: int  # the position of the refusing check
    retry_after_s: float | None


class LimiterUnavailable(Exception):
    """The limiter's store cannot answer; the policy applies its failure mode."""


class Limiter(Protocol):
    async def acquire(self, checks: Sequence[Check], lease: str, lease_ttl_s: float) -> Grant | Refusal:
        """Checks every limit and, only when all pass, reserves them all at once."""
        ...

    async def release(self, checks: Sequence[Check], grant: Grant, lease: str, tokens_used: int) -> None:
        """Settles a grant: token reservations become `tokens_used`, leases return."""
        ...

    async def aclose(self) -> None: ...
