"""The ledger loses nothing it may keep: calls made before a SIGTERM are all written
(the writer flushes after the server drained, even with a flush interval far away),
rows wait in memory while PostgreSQL is down and are written when it is back, rows
beyond the buffer's bound are dropped and counted, and old rows leave on retention."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from llmgateway.ledger.store import TOKEN_KINDS, LedgerStore
from llmgateway.registry.db import create_registry_engine
from tests.helpers import chat, scrape, stream
from tests.integration.ledgerkit import FAST, MODELS, database_url, read_rows, wait_rows
from tests.integration.served import serve
from tests.pgserver import PostgresCluster

__all__ = ["database_url"]  # the fixture
CALLS = 60


async def test_sigterm_loses_no_row(tmp_path: Path, database_url: str) -> None:
    config = tmp_path / "gateway.yaml"
    # A flush interval longer than the test: every row is written by the shutdown's flush.
    config.write_text(json.dumps({"ledger": {"enabled": True, "flush_interval_s": 3600}, "models": MODELS}))
    gateway = await serve("--config", str(config), env={"LLMGATEWAY_REGISTRY__DATABASE_URL": database_url})
    try:

        async def one(i: int) -> None:
            if i % 2:
                await gateway.stub.Chat(chat("t/priced"), timeout=10)
            else:
                [_ async for _ in gateway.stub.StreamChat(stream("t/priced"), timeout=10)]

        await asyncio.gather(*(one(i) for i in range(CALLS)))
        assert read_rows(database_url) == []  # nothing flushed yet
        gateway.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(gateway.process.wait(), 30) == 0
    finally:
        await gateway.stop()
    rows = read_rows(database_url)
    assert len(rows) == CALLS and all(r["status"] == "OK" for r in rows)
    assert len({r["request_id"] for r in rows}) == CALLS


async def test_an_unreachable_database_loses_nothing_within_the_bound_and_counts_drops(
    keyed_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    cluster = PostgresCluster()
    try:
        url = cluster.new_database()
        gw = await keyed_factory(
            auth={"mode": "off"},
            registry={"database_url": url},
            ledger={**FAST, "max_buffered_rows": 5},
            metrics={"address": "127.0.0.1:0"},
            models=MODELS,
        )
        for _ in range(3):
            await gw.stub.Chat(chat("t/priced"), timeout=10)
        await wait_rows(url, 3)
        caplog.set_level(logging.INFO, logger="llmgateway.ledger.writer")
        cluster.stop()
        for _ in range(8):  # 5 wait in the buffer, 3 are dropped
            await gw.stub.Chat(chat("t/priced"), timeout=10)
        metrics = await scrape(gw.running.metrics_port)
        assert metrics.value("llmgateway_ledger_rows_dropped_total") == 3
        while metrics.value("llmgateway_ledger_write_failures_total") < 2:  # it retries
            await asyncio.sleep(0.05)
            metrics = await scrape(gw.running.metrics_port)
        assert metrics.value("llmgateway_ledger_rows_buffered") == 5
        cluster.start()
        rows = await wait_rows(url, 8)
        assert len(rows) == 8 and len({r["request_id"] for r in rows}) == 8
        metrics = await scrape(gw.running.metrics_port)
        assert metrics.value("llmgateway_ledger_rows_written_total") == 8
        messages = [r.getMessage() for r in caplog.records]
        assert "usage ledger: write failed; rows stay buffered and are retried" in messages
        assert "usage ledger: writes resumed" in messages
        assert messages.count("usage ledger: rows dropped, the buffer is full") == 1
        await gw.running.stop(0)
    finally:
        cluster.destroy()


async def test_retention_deletes_old_rows(keyed_factory: Any, database_url: str) -> None:
    engine = create_registry_engine(database_url)
    from llmgateway.registry import migrate

    migrate.upgrade(engine)
    now = datetime.now(UTC)
    base = {"method": "Chat", "usage_estimated": False, "latency_ms": 1.0, "status": "OK"}
    base |= {kind: 1 for kind in TOKEN_KINDS}
    LedgerStore(engine).insert(
        [{**base, "at": now - timedelta(days=d), "request_id": f"r{d}"} for d in (0, 1, 9, 10, 30)]
    )
    engine.dispose()
    await keyed_factory(
        auth={"mode": "off"}, registry={"database_url": database_url}, ledger={**FAST, "retention_days": 5}
    )
    deadline = asyncio.get_running_loop().time() + 15
    while len(rows := read_rows(database_url)) != 2:
        assert asyncio.get_running_loop().time() < deadline, rows
        await asyncio.sleep(0.05)
    assert sorted(r["request_id"] for r in rows) == ["r0", "r1"]
