"""QueryUsage through the Admin API and `llmgateway usage`, over ledger rows written
through the store (SQLite and PostgreSQL): totals, exact cost per currency, groups by
key, team, model, provider, tag and period, filters, pages, and every bad field."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import grpc
import pytest
from google.protobuf import timestamp_pb2

from llmgateway import cli
from llmgateway.admin.v1 import usage_pb2 as pb
from llmgateway.ledger.store import LedgerStore
from llmgateway.registry.db import create_registry_engine
from tests.helpers import Details
from tests.integration.ledgerkit import database_url
from tests.keyed import ADMIN

__all__ = ["database_url"]  # the fixture
K1, K2 = "aaaaaaaaaaaa", "bbbbbbbbbbbb"


def _row(at: datetime, **fields: Any) -> dict[str, Any]:
    row = {
        "at": at,
        "request_id": f"r-{at.isoformat()}",
        "method": "Chat",
        "key_id": K1,
        "team": "search",
        "model": "m/a",
        "provider": "openai",
        "deployment": "primary",
        "upstream_model": "a",
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "cached_prompt_tokens": 2,
        "cache_write_tokens": 1,
        "reasoning_tokens": 3,
        "usage_estimated": False,
        "cost": Decimal("0.1"),
        "currency": "USD",
        "saved": None,
        "latency_ms": 12.5,
        "status": "OK",
        "reason": None,
        "cache_status": None,
        "tags": {"task": "t1"},
    }
    return row | fields


ROWS = [
    _row(datetime(2026, 11, 30, 23, 10, tzinfo=UTC)),
    _row(datetime(2026, 12, 1, 0, 5, tzinfo=UTC), cost=Decimal("0.2")),
    _row(datetime(2026, 12, 1, 10, 0, tzinfo=UTC), model="m/b", provider="anthropic", tags={"task": "t2"}),
    _row(
        datetime(2026, 12, 1, 10, 30, tzinfo=UTC), key_id=K2, team=None, tags=None, cost=None, currency=None
    ),
    _row(datetime(2026, 12, 1, 11, 0, tzinfo=UTC), status="UNAVAILABLE", prompt_tokens=0, cost=Decimal(0)),
    _row(datetime(2026, 12, 1, 11, 30, tzinfo=UTC), status="CANCELLED", usage_estimated=True),
    _row(datetime(2026, 12, 2, 9, 0, tzinfo=UTC), model="m/b", cost=Decimal("0.000000075"), currency="EUR"),
]


def _ts(value: datetime) -> timestamp_pb2.Timestamp:
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(value)
    return out


START, END = _ts(datetime(2026, 11, 1, tzinfo=UTC)), _ts(datetime(2026, 12, 3, tzinfo=UTC))


@pytest.fixture
async def gw(keyed_factory: Any, database_url: str) -> Any:
    gateway = await keyed_factory(auth={"mode": "off"}, registry={"database_url": database_url})
    engine = create_registry_engine(database_url)
    LedgerStore(engine).insert(ROWS)
    engine.dispose()
    return gateway


async def _query(gw: Any, **fields: Any) -> pb.QueryUsageResponse:
    fields.setdefault("start_time", START)
    fields.setdefault("end_time", END)
    response: pb.QueryUsageResponse = await gw.admin.QueryUsage(
        pb.QueryUsageRequest(**fields), metadata=ADMIN, timeout=10
    )
    return response


def _costs(group: pb.UsageGroup) -> dict[str, str]:
    return {c.currency: c.amount for c in group.cost}


async def test_totals_are_exact_and_count_unknown_cost_apart(gw: Any) -> None:
    (total,) = (await _query(gw)).groups
    assert (total.calls, total.errors, total.cancelled, total.estimated_calls) == (7, 1, 1, 1)
    assert (total.tokens.prompt, total.tokens.completion, total.tokens.cached_prompt) == (60, 35, 14)
    assert (total.tokens.cache_write, total.tokens.reasoning) == (7, 21)
    # 0.1 + 0.2 + 0.1 + 0 + 0.1 is 0.5 exactly (floats would not say so); EUR apart.
    assert _costs(total) == {"USD": "0.5", "EUR": "0.000000075"} and total.unknown_cost_calls == 1
    assert not total.key_id and not total.HasField("period_start")


async def test_groups_by_model_and_day(gw: Any) -> None:
    groups = (
        await _query(
            gw, group_by=[pb.USAGE_DIMENSION_MODEL, pb.USAGE_DIMENSION_PERIOD], period=pb.USAGE_PERIOD_DAY
        )
    ).groups
    seen = [(g.model, g.period_start.ToDatetime(tzinfo=UTC).date().isoformat(), g.calls) for g in groups]
    assert seen == [
        ("m/a", "2026-11-30", 1),
        ("m/a", "2026-12-01", 4),
        ("m/b", "2026-12-01", 1),
        ("m/b", "2026-12-02", 1),
    ]
    assert _costs(groups[1]) == {"USD": "0.3"} and groups[1].unknown_cost_calls == 1


async def test_groups_by_hour_month_key_team_provider_and_tag(gw: Any) -> None:
    hours = (await _query(gw, group_by=[pb.USAGE_DIMENSION_PERIOD], period=pb.USAGE_PERIOD_HOUR)).groups
    assert [g.period_start.ToDatetime(tzinfo=UTC).hour for g in hours] == [23, 0, 10, 11, 9]
    months = (await _query(gw, group_by=[pb.USAGE_DIMENSION_PERIOD], period=pb.USAGE_PERIOD_MONTH)).groups
    assert [(g.period_start.ToDatetime(tzinfo=UTC).month, g.calls) for g in months] == [(11, 1), (12, 6)]
    keys = (await _query(gw, group_by=[pb.USAGE_DIMENSION_KEY, pb.USAGE_DIMENSION_TEAM])).groups
    assert [(g.key_id, g.team, g.calls) for g in keys] == [(K1, "search", 6), (K2, "", 1)]
    providers = (await _query(gw, group_by=[pb.USAGE_DIMENSION_PROVIDER])).groups
    assert [(g.provider, g.calls) for g in providers] == [("anthropic", 1), ("openai", 6)]
    tags = (await _query(gw, group_by=[pb.USAGE_DIMENSION_TAG], tag_key="task")).groups
    assert [(g.tag_value, g.calls) for g in tags] == [("", 1), ("t1", 5), ("t2", 1)]


async def test_filters(gw: Any) -> None:
    async def calls(**f: Any) -> int:
        groups = (await _query(gw, filter=pb.UsageFilter(**f))).groups
        return groups[0].calls if groups else 0

    assert await calls(key_id=K2) == 1
    assert await calls(team="search") == 6
    assert await calls(model="m/b", provider="anthropic") == 1
    assert await calls(tags={"task": "t1"}) == 5
    assert await calls(tags={"task": "t1"}, model="m/b") == 1
    assert await calls(tags={"nope": "x"}) == 0
    late = await _query(gw, start_time=_ts(datetime(2026, 12, 2, tzinfo=UTC)))
    assert late.groups[0].calls == 1 and late.end_time == END


async def test_pages_cover_the_groups_once_and_tokens_only_continue_their_query(gw: Any) -> None:
    by = {"group_by": [pb.USAGE_DIMENSION_PERIOD], "period": pb.USAGE_PERIOD_HOUR}
    whole = [g.period_start.seconds for g in (await _query(gw, **by)).groups]
    paged, token = [], ""
    while True:
        page = await _query(gw, page_size=2, page_token=token, **by)
        assert len(page.groups) <= 2
        paged += [g.period_start.seconds for g in page.groups]
        token = page.next_page_token
        if not token:
            break
    assert paged == whole and len(whole) == 5
    first = await _query(gw, page_size=2, **by)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _query(gw, page_size=2, page_token=first.next_page_token, group_by=[pb.USAGE_DIMENSION_MODEL])
    assert Details(info.value).fields == ["page_token"]
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _query(gw, page_token="bm90LWEtdG9rZW4=", **by)
    assert Details(info.value).fields == ["page_token"]


BAD = [
    ({"start_time": None}, "start_time"),
    ({"end_time": START}, "end_time"),
    ({"group_by": [pb.USAGE_DIMENSION_PERIOD]}, "period"),
    ({"group_by": [pb.USAGE_DIMENSION_TAG]}, "tag_key"),
    ({"group_by": [1, 2, 3, 4, 5]}, "group_by"),
    ({"group_by": [pb.USAGE_DIMENSION_MODEL, pb.USAGE_DIMENSION_MODEL]}, "group_by[1]"),
    ({"group_by": [99]}, "group_by[0]"),
    ({"page_size": -1}, "page_size"),
    ({"tag_key": "k" * 65}, "tag_key"),
    ({"filter": pb.UsageFilter(key_id="NOT-A-KEY")}, "filter.key_id"),
    ({"filter": pb.UsageFilter(team="t" * 201)}, "filter.team"),
    ({"filter": pb.UsageFilter(model="m" * 201)}, "filter.model"),
    ({"filter": pb.UsageFilter(tags={f"k{i}": "v" for i in range(9)})}, "filter.tags"),
    ({"filter": pb.UsageFilter(tags={"k": "v" * 257})}, "filter.tags[k]"),
    ({"page_token": "x" * 513}, "page_token"),
]


async def test_bad_fields_are_named(gw: Any) -> None:
    for fields, field in BAD:
        request = {"start_time": START, "end_time": END, **fields}
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await gw.admin.QueryUsage(
                pb.QueryUsageRequest(**{k: v for k, v in request.items() if v is not None}),
                metadata=ADMIN,
                timeout=10,
            )
        details = Details(info.value)
        assert details.code == grpc.StatusCode.INVALID_ARGUMENT, fields
        assert field in details.fields, (fields, details.fields)


async def test_query_usage_needs_the_admin_token(gw: Any) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gw.admin.QueryUsage(pb.QueryUsageRequest(start_time=START), timeout=10)
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_the_usage_command_prints_a_table(
    gw: Any, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    window = ["--database-url", database_url, "--since", "2026-11-01", "--until", "2026-12-03T00:00:00Z"]
    assert cli.main(["usage", *window, "--by", "model"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "model", "calls", "errors", "cancelled", "prompt", "completion", "cached", "cache_write", "reasoning",
        "cost", "unknown_cost",
    ]  # fmt: skip
    assert lines[1].split() == ["m/a", "5", "1", "1", "40", "25", "10", "5", "15", "0.4", "USD", "1"]
    assert lines[2].split() == [
        "m/b",
        "2",
        "0",
        "0",
        "20",
        "10",
        "4",
        "2",
        "6",
        "0.000000075",
        "EUR",
        "+",
        "0.1",
        "USD",
        "0",
    ]
    assert cli.main(["usage", *window, "--by", "period", "--period", "month", "--tag", "task=t2"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[:2] == ["2026-12", "1"]
    assert cli.main(["usage", *window, "--by", "tag"]) == 2
    assert "--tag-key" in capsys.readouterr().err
