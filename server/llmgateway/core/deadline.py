"""Time budgets for one upstream call: the model's own timeouts, each capped by
what is left of the caller's gRPC deadline."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

# Upstream work stops this long before the caller's deadline, so that the caller
# receives the gateway's DEADLINE_EXCEEDED with its details rather than its own bare one.
DEADLINE_MARGIN = 0.02


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Upstream timeouts in seconds: the gateway's `default_timeouts`, and a model's
    own once its overrides are resolved against them."""

    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}  # settings refuse unknown keys

    connect: float = 10.0
    first_token: float = 60.0  # until response headers and, for streams, the first event
    idle: float = 60.0  # longest gap between two chunks of a stream
    total: float = 600.0


class Budget(NamedTuple):
    """The timeouts that apply to one attempt, already capped by the caller's deadline.
    A NamedTuple: made once per attempt, and a frozen dataclass costs 3x as much to build."""

    connect: float
    first_token: float
    idle: float
    total: float

    @classmethod
    def for_call(cls, timeouts: Timeouts, deadline: float | None) -> Budget:
        """`deadline` is an absolute time.monotonic() value, or None for no caller deadline."""
        total = timeouts.total
        if deadline is not None:
            total = min(total, max(deadline - time.monotonic() - DEADLINE_MARGIN, 0.0))
        return cls(
            min(timeouts.connect, total), min(timeouts.first_token, total), min(timeouts.idle, total), total
        )
