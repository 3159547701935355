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

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

WINDOW_S = 60.0
BUCKETS = 60


class Kind(StrEnum):
    REQUESTS = "requests"
    TOKENS = "tokens"
    CONCURRENT = "concurrent"


# Starts the name of a counter (`Check.counter`); the Redis scripts read it as the kind.
KIND_LETTER = {Kind.REQUESTS: "r", Kind.TOKENS: "t", Kind.CONCURRENT: "c"}


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


@dataclass(frozen=True, slots=True)
class Check:
    """One limit of a subject (a key id, an address, a model id, ...): a request or a
    call in flight counts 1 against `limit`; a token check counts the tokens the call
    reserves, but at most `limit` (a call larger than the whole window may still run
    alone in an empty one). `counter` names where the count is kept. A call's checks
    depend only on who calls which model, so the policy builds them once for each pair
    (`Check.of`) and every call reuses them (slotted classes, not named tuples: the
    interpreter specializes reading their fields, on every call)."""

    scope: Scope
    subject: str
    kind: Kind
    limit: int
    counter: str  # "<kind letter>:<scope>:<subject>"

    @classmethod
    def of(cls, scope: Scope, subject: str, kind: Kind, limit: int) -> Check:
        return cls(scope, subject, kind, limit, f"{KIND_LETTER[kind]}:{scope.value}:{subject}")

    def cost(self, tokens: int) -> int:
        """What one call reserving `tokens` takes from this limit (the in-process
        limiter inlines it on its hot path)."""
        return (tokens if tokens < self.limit else self.limit) if self.kind is Kind.TOKENS else 1


@dataclass(slots=True)
class Grant:
    """Every check passed and is reserved. `remaining[i]` is what check i has left
    after this call; `reset_s` is when the windows are back at their full limits;
    `bucket` is where the reservation went, `tokens` what it reserved and `lease` the
    call's lease on its calls-in-flight counters, if the limiter names them (for settle)."""

    remaining: list[int]
    reset_s: float
    bucket: int
    tokens: int
    lease: str = ""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Check `failed` would go over its limit; nothing was reserved. `retry_after_s`
    is when enough of its window frees (None when it cannot be known: calls in flight)."""

    failed: int  # the position of the refusing check
    retry_after_s: float | None


class LimiterUnavailable(Exception):
    """The limiter's store cannot answer; the policy applies its failure mode."""


class Limiter(Protocol):
    """A limiter whose counts are in this process answers at once (plain methods: no
    coroutine per call); one whose counts are in a shared store returns awaitables."""

    def acquire(
        self, checks: Sequence[Check], tokens: int, deadline: float | None
    ) -> Grant | Refusal | Awaitable[Grant | Refusal]:
        """Checks every limit for a call reserving `tokens` and, only when all pass,
        reserves them all at once. A shared limiter's call-in-flight leases expire a
        while after the call's `deadline` (time.monotonic()) unless released first:
        a replica may die holding them."""
        ...

    def release(self, checks: Sequence[Check], grant: Grant, tokens_used: int) -> Awaitable[None] | None:
        """Settles a grant: token reservations become `tokens_used`, leases return.
        `checks` are the grant's, in any order; request checks may be left out (a
        request, once made, is not given back)."""
        ...

    async def aclose(self) -> None: ...
