"""A finished call as a ledger row: tags, key and team, a cache hit's saving, a call
never answered, and only the data plane's methods are queued."""

from __future__ import annotations

from decimal import Decimal

from llmgateway.core.calls import CacheStatus, CacheUse, Call, Principal
from llmgateway.core.models import Pricing
from llmgateway.core.types import Served, Usage
from llmgateway.ledger.observer import LedgerObserver, row_of
from llmgateway.ledger.settings import LedgerSettings
from llmgateway.ledger.store import LedgerStore
from llmgateway.ledger.writer import LedgerWriter
from llmgateway.registry.db import create_registry_engine

SERVED = Served("m/a", "openai", "east", "gpt-x")


def test_a_row_carries_tags_key_team_and_a_hits_saving() -> None:
    call = Call("StreamChat", "req-1", principal=Principal("0123456789ab", labels={"team": "search"}))
    call.model, call.served, call.status = "m/a", SERVED, "OK"
    call.usage = Usage(1000, 500, cached_prompt_tokens=100, reasoning_tokens=50, cache_write_tokens=7)
    call.cache = CacheUse(status=CacheStatus.HIT)
    call.pricing = Pricing(input_per_million=Decimal(1), output_per_million=Decimal(2))  # of the answer
    call.tags = {"task": "t-1", "agent": "planner"}
    row = row_of((1_700_000_000.0, 12.3456, call))
    assert row["at"].isoformat() == "2023-11-14T22:13:20+00:00" and row["latency_ms"] == 12.346
    assert (row["key_id"], row["team"], row["tags"]) == ("0123456789ab", "search", call.tags)
    assert (row["cached_prompt_tokens"], row["cache_write_tokens"], row["reasoning_tokens"]) == (100, 7, 50)
    assert (row["cost"], row["currency"], row["saved"], row["cache_status"]) == (
        0,
        "USD",
        Decimal("0.002"),
        "hit",
    )


def test_a_call_never_answered_costs_nothing_and_one_without_price_is_unknown() -> None:
    refused = Call("Chat", "req-2")
    refused.status = "RESOURCE_EXHAUSTED"
    assert (row_of((0.0, 1.0, refused))["cost"], row_of((0.0, 1.0, refused))["tags"]) == (0, None)
    unpriced = Call("Chat", "req-3", served=SERVED, usage=Usage(3, 4))
    unpriced.status = "OK"
    assert row_of((0.0, 1.0, unpriced))["cost"] is None


def test_only_data_plane_calls_are_queued(tmp_path: object) -> None:
    store = LedgerStore(create_registry_engine(f"sqlite:///{tmp_path}/r.db"))
    writer = LedgerWriter(store, LedgerSettings(enabled=True), row_of)
    observer = LedgerObserver(writer)
    for method in ("Chat", "Embed", "ListModels", "Admin/ListModels", "GetSession", "SynthesizeSpeech"):
        observer.call_ended(Call(method, "r"))
    assert [item[2].method for item in writer._queue] == ["Chat", "Embed", "SynthesizeSpeech"]
    store.engine.dispose()
