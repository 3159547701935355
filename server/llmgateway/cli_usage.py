"""`llmgateway usage`: the usage ledger aggregated, as a table, read from the registry
database like `llmgateway keys` (no server needed; the same query as the Admin API's
QueryUsage).

    llmgateway usage --since 7d --by key --by model
    llmgateway usage --since 2026-12-01 --by period --period day --team search
    llmgateway usage --since 30d --by tag --tag-key task --tag agent=planner
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from llmgateway.api.admin_usage import money
from llmgateway.config import Settings
from llmgateway.ledger.query import Dimension, Period, UsageGroup, UsageQuery, query_usage
from llmgateway.registry import migrate
from llmgateway.registry.db import create_registry_engine

_AGO = re.compile(r"^(\d+)([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
PAGE = 1000
_NUMBERS = ("calls", "errors", "cancelled", "prompt", "completion", "cached", "cache_write", "reasoning")


def add_command(commands: Any, command: Any, database: Any) -> None:
    """The `usage` command; `command(name, help)` and `database(parser)` are the main parser's helpers."""
    usage = command("usage", "print the usage ledger aggregated (calls, tokens, cost)")
    database(usage)
    usage.add_argument("--since", default="30d", help="ISO time or an age: 90m, 24h, 7d (default 30d)")
    usage.add_argument("--until", help="ISO time or an age (default now)")
    usage.add_argument(
        "--by",
        action="append",
        choices=[d.value for d in Dimension],
        help="group by this dimension (repeat, in order; none: one total)",
    )
    usage.add_argument("--period", choices=[p.value for p in Period], default="day", help="with --by period")
    usage.add_argument("--tag-key", default="", help="the tag of --by tag")
    usage.add_argument("--key", help="only this API key id")
    usage.add_argument("--team", help="only keys with this team label")
    usage.add_argument("--model", help="only this registry model")
    usage.add_argument("--provider", help="only this provider")
    usage.add_argument(
        "--tag", action="append", metavar="KEY=VALUE", help="only calls with this tag (repeat)"
    )


def _time(text: str, flag: str) -> datetime:
    match = _AGO.match(text)
    if match:
        return datetime.now(UTC) - timedelta(**{_UNITS[match[2]]: int(match[1])})
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{flag} {text!r}: expected an ISO time or an age such as 7d") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _tags(items: list[str] | None) -> dict[str, str]:
    tags = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--tag {item!r}: expected KEY=VALUE")
        tags[key] = value
    return tags


def parse_query(args: argparse.Namespace) -> UsageQuery:
    group_by = tuple(Dimension(d) for d in args.by or ())
    if len(set(group_by)) != len(group_by):
        raise ValueError("--by names a dimension twice")
    if Dimension.TAG in group_by and not args.tag_key:
        raise ValueError("--by tag needs --tag-key")
    start = _time(args.since, "--since")
    end = _time(args.until, "--until") if args.until else datetime.now(UTC)
    if end <= start:
        raise ValueError("--until must be after --since")
    return UsageQuery(
        start=start,
        end=end,
        group_by=group_by,
        period=Period(args.period) if Dimension.PERIOD in group_by else None,
        tag_key=args.tag_key,
        key_id=args.key,
        team=args.team,
        model=args.model,
        provider=args.provider,
        tags=_tags(args.tag),
        limit=PAGE,
    )


def _cells(g: UsageGroup) -> list[str]:
    """A group's row: its dimensions (a period as its UTC key: 2026-12-02T09, 2026-12-02,
    2026-12), its counts, its cost per currency and its calls of unknown cost."""
    dims = [k or "-" for k in g.keys]
    t = g.tokens
    numbers = [g.calls, g.errors, g.cancelled, *(t[k] for k in t)]
    cost = " + ".join(f"{money(a)} {cur}" for cur, a in sorted(g.cost.items())) or "-"
    return [*dims, *(str(n) for n in numbers), cost, str(g.unknown_cost_calls)]


def run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        q = parse_query(args)
    except ValueError as exc:
        print(f"llmgateway: {exc}", file=sys.stderr)
        return 2
    engine = create_registry_engine(settings.registry.database_url)
    rows: list[list[str]] = []
    try:
        migrate.prepare(engine, settings.registry.auto_migrate)
        page: UsageQuery | None = q
        while page is not None:
            groups, more = query_usage(engine, page)
            rows += [_cells(g) for g in groups]
            page = UsageQuery(**{**_fields(q), "after": groups[-1].keys}) if more and groups else None
    except SQLAlchemyError as exc:
        print(f"llmgateway: the registry database cannot be used: {type(exc).__name__}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    header = [*(d.value for d in q.group_by), *_NUMBERS, "cost", "unknown_cost"]
    _table(header, rows)
    return 0


def _fields(q: UsageQuery) -> dict[str, Any]:
    return {name: getattr(q, name) for name in UsageQuery.__dataclass_fields__}


def _table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    dims = len(header) - len(_NUMBERS) - 2
    for row in [header, *rows]:
        cells = [
            c.ljust(w) if i < dims else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
    if not rows:
        print("no calls in this range", file=sys.stderr)
