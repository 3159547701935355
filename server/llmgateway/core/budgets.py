"""Budgets: what a budget counter is, its periods, and the store port that reserves
and settles them (in this process, or in Redis shared by replicas).

Money is counted in integer micro-units of the budget's currency (1e-6: a millionth
of a dollar), never in floats: a call's exact `Decimal` cost is rounded *up* to the
next micro-unit, so a counter never undercounts (by less than one micro-unit per
call). Counters stay exact up to 2**53 micro-units (about 9 billion units of money),
the largest limit a budget may have (Redis's Lua numbers are doubles).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from typing import NamedTuple, Protocol

UNITS_PER = 1_000_000  # micro-units per unit of money
MAX_UNITS = 2**53  # exact in a Lua number
NO_LIMIT = -1
DAY_S = 86_400
# A period's counters outlive it this long: a call that started in it settles there.
GRACE_S = DAY_S


class Period(StrEnum):
    DAY = "day"  # UTC
    MONTH = "month"  # UTC
    TOTAL = "total"  # never resets


class Window(NamedTuple):
    """One instance of a period: `id` names it in counter keys (2026-12-02, 2026-12,
    total); `end` is when the next one starts (None: never)."""

    id: str
    start: float
    end: float | None


def window(period: Period, now: float) -> Window:
    """The window of `period` holding `now` (unix seconds)."""
    if period is Period.TOTAL:
        return Window("total", 0.0, None)
    if period is Period.DAY:
        day = int(now // DAY_S)
        start = day * DAY_S
        return Window(
            datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%d"), float(start), float(start + DAY_S)
        )
    at = datetime.fromtimestamp(now, UTC)
    start_m = calendar.timegm((at.year, at.month, 1, 0, 0, 0))
    year, month = (at.year + 1, 1) if at.month == 12 else (at.year, at.month + 1)
    return Window(
        f"{at.year:04d}-{at.month:02d}", float(start_m), float(calendar.timegm((year, month, 1, 0, 0, 0)))
    )


def to_units(amount: Decimal) -> int:
    """Money in micro-units, rounded up (a counter may overcount, never undercount)."""
    return int((amount * UNITS_PER).to_integral_value(rounding=ROUND_CEILING))


def from_units(units: int) -> Decimal:
    return Decimal(units) / UNITS_PER


class Charge(NamedTuple):
    """One budget counter a call counts against: its `key` (budget, subject, window),
    its limits (NO_LIMIT: not checked, still counted) and what this call reserves.
    `expire_at` (unix seconds, 0: never) is when the counter may be forgotten."""

    key: str
    money_limit: int
    token_limit: int
    money: int
    tokens: int
    expire_at: float


class Used(NamedTuple):
    """What a counter holds (money in micro-units, tokens); (-1, -1) when it is gone.
    `version` counts the writes of a shared counter (0: in-process, where results arrive
    in the order the writes happened), so that concurrent results applied out of order
    do not leave a stale value in the metrics."""

    money: int
    tokens: int
    version: int = 0


class Reserved(NamedTuple):
    """Every charge fitted and is reserved; `used[i]`: counter i after this call."""

    used: tuple[Used, ...]


class Refused(NamedTuple):
    """Charge `failed` does not fit; nothing was reserved. `used`: that counter now."""

    failed: int
    used: Used


class BudgetsUnavailable(Exception):
    """The store cannot answer; the policy applies its failure mode."""


class BudgetStore(Protocol):
    async def reserve(self, charges: Sequence[Charge]) -> Reserved | Refused:
        """Checks every charge and, only when all fit, adds them all at once."""
        ...

    async def adjust(self, charges: Sequence[Charge], deltas: Sequence[Used]) -> tuple[Used, ...]:
        """Adds `deltas` (money, tokens; negative returns a reservation) to counters that
        still exist, never below zero; returns what they hold after."""
        ...

    async def seed(self, counters: Sequence[tuple[Charge, Used]], only_missing: bool) -> int:
        """Sets counters to what the ledger says (`only_missing`: those that do not
        exist yet); returns how many were set."""
        ...
