"""The Admin API's QueryUsage (a mixin of AdminServicer): the usage ledger aggregated
(llmgateway.ledger.query), with every request field bounded and page tokens that only
continue the query that issued them.

A page token carries a digest of the request (without its page fields), the last
group of the page and the end of the range: a query without `end_time` is pinned to
the time of its first page, so later pages do not move under it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal

from google.protobuf import timestamp_pb2

from llmgateway.admin.v1 import usage_pb2 as pb
from llmgateway.api import bounds
from llmgateway.api.admin_fields import DEFAULT_PAGE_SIZE, page_after
from llmgateway.core.calls import Call
from llmgateway.core.errors import invalid_request
from llmgateway.core.paging import encode_page_token
from llmgateway.ledger import query
from llmgateway.ledger.query import Dimension, Period, UsageGroup, UsageQuery
from llmgateway.registry import keys
from llmgateway.registry.runtime import Registry

_LISTING = "usage/v1"
DIMENSIONS = {
    pb.USAGE_DIMENSION_KEY: Dimension.KEY,
    pb.USAGE_DIMENSION_TEAM: Dimension.TEAM,
    pb.USAGE_DIMENSION_MODEL: Dimension.MODEL,
    pb.USAGE_DIMENSION_PROVIDER: Dimension.PROVIDER,
    pb.USAGE_DIMENSION_TAG: Dimension.TAG,
    pb.USAGE_DIMENSION_PERIOD: Dimension.PERIOD,
}
PERIODS = {
    pb.USAGE_PERIOD_HOUR: Period.HOUR,
    pb.USAGE_PERIOD_DAY: Period.DAY,
    pb.USAGE_PERIOD_MONTH: Period.MONTH,
}


class UsageMethods:
    registry: Registry

    async def query_usage(self, request: pb.QueryUsageRequest, call: Call) -> pb.QueryUsageResponse:
        q = usage_query(request)
        groups, more = await self.registry.db(query.query_usage, self.registry.engine, q)
        token = ""
        if more and groups:
            token = encode_page_token(_LISTING, _token_body(request, groups[-1].keys, q.end))
        return pb.QueryUsageResponse(
            groups=[group_to_proto(q, g) for g in groups], next_page_token=token, end_time=_timestamp(q.end)
        )


def _time(ts: timestamp_pb2.Timestamp, field: str, violations: list[tuple[str, str]]) -> datetime | None:
    try:
        return ts.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        violations.append((field, "is not a valid time"))
        return None


def _digest(request: pb.QueryUsageRequest) -> str:
    same = pb.QueryUsageRequest()
    same.CopyFrom(request)
    same.ClearField("page_token")
    same.ClearField("page_size")
    return hashlib.sha256(same.SerializeToString(deterministic=True)).hexdigest()[:16]


def _token_body(request: pb.QueryUsageRequest, after: tuple[str, ...], end: datetime) -> str:
    return json.dumps({"q": _digest(request), "a": list(after), "e": end.isoformat()}, separators=(",", ":"))


def _from_token(request: pb.QueryUsageRequest, dimensions: int) -> tuple[tuple[str, ...], datetime] | None:
    body = page_after(request.page_token, _LISTING, "QueryUsage")
    if not body:
        return None
    bad = invalid_request([("page_token", "is not a token of this query (same request, other page fields)")])
    try:
        decoded = json.loads(body)
        after, end = decoded["a"], datetime.fromisoformat(decoded["e"])
    except (ValueError, KeyError, TypeError):
        raise bad from None
    if decoded.get("q") != _digest(request) or not isinstance(after, list) or len(after) != dimensions:
        raise bad
    if not all(isinstance(v, str) for v in after) or end.tzinfo is None:
        raise bad
    return tuple(after), end


def usage_query(request: pb.QueryUsageRequest) -> UsageQuery:
    """The request as a ledger query, or INVALID_REQUEST naming every bad field."""
    v: list[tuple[str, str]] = []
    c = bounds._Checker()
    c.over("page_token", len(request.page_token), bounds.PAGE_TOKEN)
    if request.page_size < 0:
        v.append(("page_size", "must not be negative"))
    start = end = None
    if not request.HasField("start_time"):
        v.append(("start_time", "is required"))
    else:
        start = _time(request.start_time, "start_time", v)
    if request.HasField("end_time"):
        end = _time(request.end_time, "end_time", v)
        if start is not None and end is not None and end <= start:
            v.append(("end_time", "must be after start_time"))
    dimensions: list[Dimension] = []
    if not c.over("group_by", len(request.group_by), bounds.USAGE_GROUP_BY, "dimensions"):
        for i, number in enumerate(request.group_by):
            dimension = DIMENSIONS.get(number)
            if dimension is None:
                v.append((f"group_by[{i}]", f"{number} is not a UsageDimension value this server knows"))
            elif dimension in dimensions:
                v.append((f"group_by[{i}]", "names a dimension twice"))
            else:
                dimensions.append(dimension)
    period = PERIODS.get(request.period)
    if Dimension.PERIOD in dimensions and period is None:
        v.append(("period", "is required with USAGE_DIMENSION_PERIOD (hour, day or month)"))
    if Dimension.TAG in dimensions and not request.tag_key:
        v.append(("tag_key", "is required with USAGE_DIMENSION_TAG"))
    c.over("tag_key", len(request.tag_key), bounds.USAGE_TAG_KEY)
    f = request.filter
    if f.key_id and not keys.ID.match(f.key_id):
        v.append(("filter.key_id", f"is not a key id ({keys.ID_HEX} lowercase hex digits)"))
    c.over("filter.team", len(f.team), bounds.USAGE_TEAM)
    c.over("filter.model", len(f.model), bounds.MODEL_ID)
    c.over("filter.provider", len(f.provider), bounds.PROVIDER)
    if not c.over("filter.tags", len(f.tags), bounds.USAGE_FILTER_TAGS, "tags"):
        for key, value in f.tags.items():
            if not key or len(key) > bounds.USAGE_TAG_KEY:
                v.append(("filter.tags", f"keys are 1 to {bounds.USAGE_TAG_KEY} characters"))
            c.over(f"filter.tags[{key[: bounds.USAGE_TAG_KEY]}]", len(value), bounds.USAGE_TAG_VALUE)
    c.violations += v
    c.raise_if_any()
    assert start is not None
    continued = _from_token(request, len(dimensions))
    if continued is not None:
        after, pinned = continued
        end = end or pinned
    else:
        after = None
    return UsageQuery(
        start=start,
        end=end or datetime.now(UTC),
        group_by=tuple(dimensions),
        period=period if Dimension.PERIOD in dimensions else None,
        tag_key=request.tag_key,
        key_id=f.key_id or None,
        team=f.team or None,
        model=f.model or None,
        provider=f.provider or None,
        tags=dict(f.tags),
        after=after,
        limit=min(request.page_size or DEFAULT_PAGE_SIZE, bounds.USAGE_PAGE_SIZE),
    )


def money(amount: Decimal) -> str:
    """An exact amount without trailing zeros: `0.00000975`, `12.5`, `0`."""
    return format(amount.normalize(), "f") if amount else "0"


def group_to_proto(q: UsageQuery, g: UsageGroup) -> pb.UsageGroup:
    t = g.tokens
    out = pb.UsageGroup(
        key_id=g.value(q, Dimension.KEY),
        team=g.value(q, Dimension.TEAM),
        model=g.value(q, Dimension.MODEL),
        provider=g.value(q, Dimension.PROVIDER),
        tag_value=g.value(q, Dimension.TAG),
        calls=g.calls,
        errors=g.errors,
        cancelled=g.cancelled,
        tokens=pb.UsageTokens(
            prompt=t["prompt_tokens"],
            completion=t["completion_tokens"],
            cached_prompt=t["cached_prompt_tokens"],
            cache_write=t["cache_write_tokens"],
            reasoning=t["reasoning_tokens"],
        ),
        cost=[pb.UsageCost(amount=money(a), currency=cur) for cur, a in sorted(g.cost.items())],
        unknown_cost_calls=g.unknown_cost_calls,
        estimated_calls=g.estimated_calls,
    )
    if q.period is not None:
        out.period_start.CopyFrom(_timestamp(query.period_start(q.period, g.value(q, Dimension.PERIOD))))
    return out


def _timestamp(value: datetime) -> timestamp_pb2.Timestamp:
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(value)
    return out
