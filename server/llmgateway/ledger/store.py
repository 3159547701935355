"""The `usage_ledger` table: batched inserts, retention, and sums of spend.

Money is exact: NUMERIC on PostgreSQL; on SQLite the decimal's text, summed by an
aggregate of our own (`ledger_money_sum`, Python's Decimal) registered on each
connection that sums, since SQLite's SUM would add floats.

`spend_since` is the read budgets rebuild from at start: the calls, cost and tokens
since a time, for one key, team, model or tag value, or all calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, delete, event, func, insert, select, true
from sqlalchemy.exc import DBAPIError

from llmgateway.registry.db import sqlite_normal_sync
from llmgateway.registry.schema import Money, usage_ledger

ZERO = Decimal(0)
PURGE_BATCH = 5000
TOKEN_KINDS = (
    "prompt_tokens",
    "completion_tokens",
    "cached_prompt_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
)


class _MoneySum:
    """SQLite aggregate: the exact sum of decimal texts (NULL when all are NULL)."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, value: str | None) -> None:
        if value is not None:
            self.total = (self.total or ZERO) + Decimal(value)

    def finalize(self) -> str | None:
        return None if self.total is None else str(self.total)


def money_sum(conn: Connection, column: Any) -> ColumnElement[Decimal]:
    """SUM of a Money column, exact on both databases."""
    if conn.dialect.name == "sqlite":
        raw: Any = conn.connection.driver_connection
        raw.create_aggregate("ledger_money_sum", 1, _MoneySum)
        return func.ledger_money_sum(column, type_=Money())
    return func.sum(column, type_=Money())


def tag_value(key: str) -> ColumnElement[str]:
    """The value of the tag `key` of a row (NULL when the call had no such tag)."""
    value: ColumnElement[str] = usage_ledger.c.tags[key].as_string()
    return value


def row_filter(
    key_id: str | None = None,
    team: str | None = None,
    model: str | None = None,
    provider: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> ColumnElement[bool]:
    c = usage_ledger.c
    conditions: list[ColumnElement[bool]] = []
    for column, value in ((c.key_id, key_id), (c.team, team), (c.model, model), (c.provider, provider)):
        if value is not None:
            conditions.append(column == value)
    for key, value in (tags or {}).items():
        conditions.append(tag_value(key) == value)
    return and_(true(), *conditions)


@dataclass(frozen=True, slots=True)
class Spend:
    """What the matching calls used. `cost` sums the calls of known cost, by currency;
    `unknown_cost_calls` is how many had none (no usage, or a model without a price)."""

    calls: int
    cost: Mapping[str, Decimal]
    unknown_cost_calls: int
    prompt_tokens: int
    completion_tokens: int
    cached_prompt_tokens: int
    cache_write_tokens: int
    reasoning_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


_COPIED = [column.name for column in usage_ledger.columns if column.name != "id"]
_TAGS = _COPIED.index("tags")
_COPY = f"COPY usage_ledger ({', '.join(_COPIED)}) FROM STDIN"


def _copy(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """The rows by COPY on psycopg's connection; its errors become SQLAlchemy's (an
    unreachable server is an OperationalError, retried; a refused row another error)."""
    import psycopg
    from psycopg.types.json import Json

    raw: Any = conn.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(_COPY) as copy:
            for row in rows:
                values = [row.get(name) for name in _COPIED]
                if values[_TAGS] is not None:
                    values[_TAGS] = Json(values[_TAGS])
                copy.write_row(values)
    except psycopg.Error as exc:
        raise DBAPIError.instance(_COPY, None, exc, psycopg.Error) from exc


class LedgerStore:
    """The table's operations, synchronous (run them in a thread). `engine` is the
    store's own: on SQLite its connections commit without waiting for fsync."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", sqlite_normal_sync)

    def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """One transaction. On PostgreSQL by COPY: a third of the CPU of a multi-row INSERT
        (11 against 37 us a row, bench/ledger_cost.py)."""
        if not rows:
            return
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                _copy(conn, rows)
            else:
                conn.execute(insert(usage_ledger), list(rows))

    def purge_batch(self, before: datetime) -> int:
        """Deletes at most PURGE_BATCH rows of calls that ended before `before`; how many."""
        c = usage_ledger.c
        with self.engine.begin() as conn:
            ids = select(c.id).where(c.at < before).limit(PURGE_BATCH).scalar_subquery()
            return int(conn.execute(delete(usage_ledger).where(c.id.in_(ids))).rowcount)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(usage_ledger)).scalar_one())

    def spend_since(
        self,
        since: datetime,
        until: datetime | None = None,
        *,
        key_id: str | None = None,
        team: str | None = None,
        model: str | None = None,
        tag: tuple[str, str] | None = None,
    ) -> Spend:
        """The spend of the calls that ended at or after `since` (and before `until`),
        of one key, team, model or tag value (key, value), or of every call."""
        c = usage_ledger.c
        where = [c.at >= since, row_filter(key_id, team, model, tags=dict([tag]) if tag else None)]
        if until is not None:
            where.append(c.at < until)
        with self.engine.connect() as conn:
            totals = conn.execute(
                select(
                    func.count(),
                    func.count() - func.count(c.cost),
                    *(func.coalesce(func.sum(c[kind]), 0) for kind in TOKEN_KINDS),
                ).where(*where)
            ).one()
            known = select(c.currency, money_sum(conn, c.cost)).where(*where, c.cost.is_not(None))
            costs = conn.execute(known.group_by(c.currency)).all()
        calls, unknown, *tokens = (int(v) for v in totals)
        return Spend(calls, {cur or "": amount for cur, amount in costs}, unknown, *tokens)
