"""The `budgets:` section of the configuration (read by config.Settings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from llmgateway.core.budgets import MAX_UNITS, UNITS_PER, Period

NAME = r"^[a-z0-9][a-z0-9_.-]{0,62}$"
MAX_MONEY = Decimal(MAX_UNITS) / UNITS_PER
Glob = Annotated[str, Field(min_length=1, max_length=200)]


class BudgetLimit(BaseModel):
    """One budget: `limit` money (in `budgets.currency`) and/or `tokens` per `period`,
    counted separately for each subject of its `scope`:

    - global: every call;
    - key: each API key (its public id);
    - team: each value of the key label `label` (calls of keys without it: not counted);
    - tag: each value of the call's tag `tag` (one task, one agent; calls without it: not counted);
    - model: each model (the one the call resolved to, after virtual models).

    `match` (globs) restricts the subjects it applies to, e.g. key ids, team names or
    models (`openai/*`); empty: every subject."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=NAME)
    scope: Literal["global", "key", "team", "tag", "model"] = "global"
    period: Period = Period.DAY
    limit: Decimal | None = Field(default=None, ge=0, le=MAX_MONEY, decimal_places=6)
    tokens: int | None = Field(default=None, ge=0, le=MAX_UNITS)
    tag: str = Field(default="", max_length=64)
    label: str = Field(default="team", max_length=64)
    match: list[Glob] = Field(default=[], max_length=100)

    @model_validator(mode="after")
    def _complete(self) -> BudgetLimit:
        if self.limit is None and self.tokens is None:
            raise ValueError(f"budget {self.name!r} needs a money `limit`, `tokens`, or both")
        if self.scope == "tag" and not self.tag:
            raise ValueError(f"budget {self.name!r} has scope tag: name the tag (`tag: task`)")
        if self.match and self.scope == "global":
            raise ValueError(f"budget {self.name!r}: a global budget matches every call (drop `match`)")
        return self


class BudgetSettings(BaseModel):
    """Budgets in money (and tokens) per key, team, tag value, model and overall
    (llmgateway.budgets). The `budgets` policy is built when `limits` is not empty;
    counters live in Redis when `redis.url` is set (unless `backend: memory`)."""

    model_config = ConfigDict(extra="forbid")
    limits: list[BudgetLimit] = Field(default=[], max_length=1000)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    backend: Literal["auto", "memory", "redis"] = "auto"
    # Output tokens reserved when neither the call's max_tokens nor the model's
    # max_output_tokens is known (settled to the real usage).
    default_completion_tokens: int = Field(default=4096, ge=0, le=10**8)
    # Models without a price cannot be counted in money: calls to them under a money
    # budget are refused, unless they match one of these globs (e.g. local models).
    allow_unpriced: list[Glob] = Field(default=[], max_length=100)
    soft_thresholds: list[float] = Field(default=[0.8], max_length=10)  # fractions logged and counted
    # Redis unreachable: refuse calls under a budget (fail_closed) or admit them unchecked.
    failure_mode: Literal["fail_open", "fail_closed"] = "fail_closed"
    rebuild_on_start: bool = True  # counters from the usage ledger at start (Redis: only missing ones)

    @model_validator(mode="after")
    def _unique(self) -> BudgetSettings:
        names = [b.name for b in self.limits]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"budget names must be unique: {', '.join(twice)}")
        if any(not 0 < t < 1 for t in self.soft_thresholds):
            raise ValueError("soft_thresholds are fractions between 0 and 1 (e.g. 0.8)")
        return self
