"""QueryUsage: the ledger's calls in a time range, filtered, grouped by dimensions
(key, team, model, provider, a tag's value, an hour / day / month), one page at a
time, ordered by the groups' keys.

Every dimension is a string expression that is never NULL (absent values group as
""), so a page ends at a tuple of strings and the next page starts after it (keyset
pagination: no offset to skip, stable while rows are added). The cost of a group is
summed per currency in a second query over the page's groups only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, case, func, literal, select, tuple_

from llmgateway.ledger.store import TOKEN_KINDS, money_sum, row_filter, tag_value
from llmgateway.registry.schema import usage_ledger


class Dimension(StrEnum):
    KEY = "key"
    TEAM = "team"
    MODEL = "model"
    PROVIDER = "provider"
    TAG = "tag"
    PERIOD = "period"


class Period(StrEnum):
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"


# strftime / to_char patterns of each period, and how to read one back.
_SQLITE_PERIODS = {Period.HOUR: "%Y-%m-%dT%H", Period.DAY: "%Y-%m-%d", Period.MONTH: "%Y-%m"}
_PG_PERIODS = {Period.HOUR: 'YYYY-MM-DD"T"HH24', Period.DAY: "YYYY-MM-DD", Period.MONTH: "YYYY-MM"}
_PARSE = {Period.HOUR: "%Y-%m-%dT%H", Period.DAY: "%Y-%m-%d", Period.MONTH: "%Y-%m"}


@dataclass(frozen=True, slots=True)
class UsageQuery:
    start: datetime
    end: datetime
    group_by: tuple[Dimension, ...] = ()
    period: Period | None = None  # with Dimension.PERIOD
    tag_key: str = ""  # with Dimension.TAG
    key_id: str | None = None
    team: str | None = None
    model: str | None = None
    provider: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    after: tuple[str, ...] | None = None  # the last group of the previous page
    limit: int = 100


@dataclass(slots=True)
class UsageGroup:
    keys: tuple[str, ...]  # one per dimension of the query, in its order
    calls: int
    errors: int
    cancelled: int
    estimated_calls: int
    unknown_cost_calls: int
    tokens: dict[str, int]  # by TOKEN_KINDS name
    cost: dict[str, Decimal] = field(default_factory=dict)  # by currency

    def value(self, query: UsageQuery, dimension: Dimension) -> str:
        return self.keys[query.group_by.index(dimension)] if dimension in query.group_by else ""


def period_start(period: Period, key: str) -> datetime:
    """The UTC start of the period a PERIOD group key names."""
    return datetime.strptime(key, _PARSE[period]).replace(tzinfo=UTC)


def _dimension(conn: Connection, query: UsageQuery, dimension: Dimension) -> ColumnElement[str]:
    c = usage_ledger.c
    if dimension is Dimension.PERIOD:
        assert query.period is not None
        if conn.dialect.name == "sqlite":
            return func.strftime(_SQLITE_PERIODS[query.period], c.at)
        return func.to_char(func.timezone("UTC", c.at), _PG_PERIODS[query.period])
    columns: dict[Dimension, ColumnElement[str]] = {
        Dimension.KEY: c.key_id,
        Dimension.TEAM: c.team,
        Dimension.MODEL: c.model,
        Dimension.PROVIDER: c.provider,
    }
    column = tag_value(query.tag_key) if dimension is Dimension.TAG else columns[dimension]
    return func.coalesce(column, literal(""))


def query_usage(engine: Engine, query: UsageQuery) -> tuple[list[UsageGroup], bool]:
    """One page of groups, and whether more follow. The dimensions are computed in a
    subquery and grouped by name: PostgreSQL would not match a GROUP BY expression that
    carries bound parameters (a tag's key, a period's pattern) to the selected one."""
    c = usage_ledger.c
    with engine.connect() as conn:
        rows = select(
            *(_dimension(conn, query, d).label(f"d{i}") for i, d in enumerate(query.group_by)),
            c.status,
            c.usage_estimated,
            c.cost,
            c.currency,
            *(c[kind] for kind in TOKEN_KINDS),
        ).where(
            c.at >= query.start,
            c.at < query.end,
            row_filter(query.key_id, query.team, query.model, query.provider, query.tags),
        )
        r = rows.subquery("r")
        dims = [r.c[f"d{i}"] for i in range(len(query.group_by))]
        totals = select(
            *dims,
            func.count().label("calls"),
            func.sum(case((r.c.status.not_in(("OK", "CANCELLED")), 1), else_=0)).label("errors"),
            func.sum(case((r.c.status == "CANCELLED", 1), else_=0)).label("cancelled"),
            func.sum(case((r.c.usage_estimated, 1), else_=0)).label("estimated"),
            (func.count() - func.count(r.c.cost)).label("unknown"),
            *(func.coalesce(func.sum(r.c[kind]), 0).label(kind) for kind in TOKEN_KINDS),
        )
        if dims:
            if query.after is not None:
                totals = totals.where(tuple_(*dims) > tuple_(*query.after))
            totals = totals.group_by(*dims).order_by(*dims)
        found = conn.execute(totals.limit(query.limit + 1)).all()
        groups = [g for g in (_group(row, len(dims)) for row in found[: query.limit]) if g.calls]
        if groups:
            _add_costs(conn, groups, r, dims)
    return groups, len(found) > query.limit


def _group(row: Any, n: int) -> UsageGroup:
    m = row._mapping
    return UsageGroup(
        keys=tuple(str(v) for v in row[:n]),
        calls=int(m["calls"]),
        errors=int(m["errors"] or 0),
        cancelled=int(m["cancelled"] or 0),
        estimated_calls=int(m["estimated"] or 0),
        unknown_cost_calls=int(m["unknown"]),
        tokens={kind: int(m[kind]) for kind in TOKEN_KINDS},
    )


def _add_costs(conn: Connection, groups: Sequence[UsageGroup], r: Any, dims: Sequence[Any]) -> None:
    """The known cost of each group of the page, per currency."""
    costs = select(*dims, r.c.currency, money_sum(conn, r.c.cost)).where(r.c.cost.is_not(None))
    if dims:
        first, last = tuple_(*groups[0].keys), tuple_(*groups[-1].keys)
        costs = costs.where(tuple_(*dims) >= first, tuple_(*dims) <= last)
    by_keys = {g.keys: g for g in groups}
    for row in conn.execute(costs.group_by(*dims, r.c.currency)):
        group = by_keys.get(tuple(str(v) for v in row[: len(dims)]))
        if group is not None and row[-1] is not None:
            group.cost[row[-2] or ""] = row[-1]
