"""The usage ledger through a real server (SQLite and PostgreSQL): one row per
data-plane call with the right fields, for calls that succeed, fail, are cancelled or
fail mid-stream (billed what they streamed, estimated), cache hits (cost 0, what they
saved), and calls of API keys (key id, team label)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import grpc
import pytest

from llmgateway.core.estimate import text_tokens
from llmgateway.v1 import cache_pb2, chat_pb2
from tests.helpers import chat, stream, user
from tests.integration.ledgerkit import FAST, MODELS, cost_of, database_url, wait_rows
from tests.keyed import bearer

__all__ = ["database_url"]  # the fixture
LONG = " ".join(f"word{i}" for i in range(60))


async def test_a_row_per_call_ok_failed_and_cancelled(keyed_factory: Any, database_url: str) -> None:
    gw = await keyed_factory(
        auth={"mode": "off"}, registry={"database_url": database_url}, ledger=FAST, models=MODELS
    )
    tagged = chat("t/priced", tags={"task": "t-1", "agent": "planner"})
    ok = await gw.stub.Chat(tagged, metadata=(("x-request-id", "ok-1"),), timeout=10)
    streamed = [e async for e in gw.stub.StreamChat(stream("t/priced"), timeout=10)]
    await gw.stub.Chat(chat("t/unpriced"), timeout=10)
    with pytest.raises(grpc.aio.AioRpcError):
        await gw.stub.Chat(chat("nope/missing"), timeout=10)
    # Cancelled after three text deltas of a paced stream.
    call = gw.stub.StreamChat(stream("t/slow", user(LONG)), timeout=10)
    seen = ""
    async for event in call:
        if event.HasField("text_delta"):
            seen += event.text_delta.text
            if len(seen.split()) >= 3:
                break
    call.cancel()
    # Failed mid-way: the deadline ends the paced stream after a few deltas.
    failed_text = ""
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for event in gw.stub.StreamChat(stream("t/slow", user(LONG)), timeout=0.4):
            failed_text += event.text_delta.text
    assert failed_text and info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED

    rows = await wait_rows(database_url, 6)
    by_method = [(r["method"], r["status"]) for r in rows]
    assert by_method == [
        ("Chat", "OK"),
        ("StreamChat", "OK"),
        ("Chat", "OK"),
        ("Chat", "NOT_FOUND"),
        ("StreamChat", "CANCELLED"),
        ("StreamChat", "DEADLINE_EXCEEDED"),
    ]
    chat_row, stream_row, unpriced_row, missing, cancelled, cut = rows
    assert chat_row["request_id"] == "ok-1" and chat_row["at"] is not None
    assert (chat_row["model"], chat_row["provider"], chat_row["deployment"], chat_row["upstream_model"]) == (
        "t/priced",
        "mock",
        "primary",
        "echo",
    )
    assert (chat_row["prompt_tokens"], chat_row["completion_tokens"]) == (
        ok.usage.prompt_tokens,
        ok.usage.completion_tokens,
    )
    assert chat_row["cost"] == cost_of(ok.usage.prompt_tokens, ok.usage.completion_tokens)
    assert chat_row["currency"] == "USD" and not chat_row["usage_estimated"]
    assert chat_row["key_id"] is None and chat_row["latency_ms"] > 0
    assert chat_row["tags"] == {"task": "t-1", "agent": "planner"} and stream_row["tags"] is None
    end = streamed[-1].end.usage
    assert stream_row["completion_tokens"] == end.completion_tokens
    assert stream_row["cost"] == cost_of(end.prompt_tokens, end.completion_tokens)
    # A model without a price: its cost is unknown, not zero.
    unpriced = unpriced_row
    assert unpriced["prompt_tokens"] > 0 and unpriced["cost"] is None and unpriced["currency"] is None
    # Refused before any answer: nothing was billed.
    assert (
        missing["cost"] == Decimal(0) and missing["reason"] == "MODEL_NOT_FOUND" and missing["model"] is None
    )
    for row, text in ((cancelled, seen), (cut, failed_text)):
        assert row["usage_estimated"] and row["provider"] == "mock"
        assert row["prompt_tokens"] > len(LONG) // 8  # the request's estimate
        assert row["completion_tokens"] >= text_tokens(len(text)) > 0
        assert row["cost"] == cost_of(row["prompt_tokens"], row["completion_tokens"])
    assert cut["reason"] == "PROVIDER_TIMEOUT"


async def test_cache_hits_cost_nothing_and_record_what_they_saved(
    keyed_factory: Any, database_url: str
) -> None:
    gw = await keyed_factory(
        auth={"mode": "off"},
        registry={"database_url": database_url},
        ledger=FAST,
        models=MODELS,
        cache={"enabled": True},
    )
    request = chat("t/priced", generation=chat_pb2.GenerationConfig(temperature=0))
    first = await gw.stub.Chat(request, timeout=10)
    second = await gw.stub.Chat(request, timeout=10)
    assert second.cache.status == cache_pb2.CACHE_STATUS_HIT
    miss, hit = await wait_rows(database_url, 2)
    paid = cost_of(first.usage.prompt_tokens, first.usage.completion_tokens)
    assert (miss["cache_status"], miss["cost"], miss["saved"]) == ("miss", paid, None)
    assert (hit["cache_status"], hit["cost"], hit["saved"]) == ("hit", Decimal(0), paid)


async def test_rows_name_the_key_and_its_team(keyed_factory: Any, database_url: str) -> None:
    gw = await keyed_factory(registry={"database_url": database_url}, ledger=FAST, models=MODELS)
    key, secret = await gw.create_key(name="search", labels={"team": "search", "owner": "ana"})
    await gw.stub.Chat(chat("t/priced"), metadata=bearer(secret), timeout=10)
    with pytest.raises(grpc.aio.AioRpcError):
        await gw.stub.Chat(chat("t/priced"), timeout=10)  # no key: refused at the edge
    rows = await wait_rows(database_url, 2)
    assert [(r["key_id"], r["team"], r["status"]) for r in rows] == [
        (key.id, "search", "OK"),
        (None, None, "UNAUTHENTICATED"),
    ]


async def test_the_ledger_is_off_unless_enabled(keyed_factory: Any, tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path}/registry.db"
    gw = await keyed_factory(auth={"mode": "off"}, registry={"database_url": url}, models=MODELS)
    await gw.stub.Chat(chat("t/priced"), timeout=10)
    await gw.running.stop(0)
    from tests.integration.ledgerkit import read_rows

    assert read_rows(url) == []
