"""Shared by the ledger tests: priced mock models, a registry database on SQLite or
PostgreSQL, and reading the ledger's rows back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from llmgateway.registry.db import create_registry_engine
from llmgateway.registry.schema import usage_ledger

INPUT, OUTPUT = Decimal("1.5"), Decimal("2.25")  # per million tokens
PRICING = {"input_per_million": 1.5, "output_per_million": 2.25}
MODELS = [
    {
        "id": "t/priced",
        "provider": "mock",
        "upstream_model": "echo",
        "capabilities": ["chat", "stream"],
        "pricing": PRICING,
    },
    {
        "id": "t/slow",
        "provider": "mock",
        "upstream_model": "echo",
        "capabilities": ["chat", "stream"],
        "pricing": PRICING,
        "options": {"chunk_delay_ms": "40"},
    },
    # Not in the bundled price list: its cost is unknown.
    {"id": "t/unpriced", "provider": "mock", "upstream_model": "x", "capabilities": ["chat", "stream"]},
]
FAST = {"enabled": True, "flush_interval_s": 0.05, "retry_initial_s": 0.05, "retry_max_s": 0.2}


def cost_of(prompt: int, completion: int) -> Decimal:
    return (prompt * INPUT + completion * OUTPUT) / 1_000_000


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/registry.db"
    else:
        yield request.getfixturevalue("postgres").new_database()


def read_rows(url: str) -> list[dict[str, Any]]:
    engine = create_registry_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(usage_ledger).order_by(usage_ledger.c.id))]
    finally:
        engine.dispose()


async def wait_rows(url: str, count: int, within: float = 15.0) -> list[dict[str, Any]]:
    """The ledger's rows once there are at least `count` (the writer flushes on its own)."""
    deadline = time.monotonic() + within
    while True:
        rows = await asyncio.to_thread(read_rows, url)
        if len(rows) >= count:
            return rows
        assert time.monotonic() < deadline, f"the ledger has {len(rows)} rows, expected {count}"
        await asyncio.sleep(0.05)
