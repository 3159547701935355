"""CPU per call of the usage ledger, measured in-process (no server, no network).

  python bench/ledger_cost.py [-n 20000] [--database-url sqlite:///... | postgresql://...]

The ledger's work for one call, in the parts the server runs: `call_ended` of the
observer (on the call's path: an append to the writer's queue), then, in the writer's
thread, the call made a row (its cost priced exactly) and inserted in batches of
`ledger.batch_rows`. Prints microseconds of process CPU per call for each part and in
all: the figure the end-to-end `ledger` phase of bench/run.sh cannot resolve on a busy
machine. Default database: a fresh SQLite file in a temporary directory.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from llmgateway.core.calls import Call, Principal
from llmgateway.core.models import Pricing
from llmgateway.core.types import Served, Usage
from llmgateway.ledger.observer import LedgerObserver, row_of
from llmgateway.ledger.settings import LedgerSettings
from llmgateway.ledger.store import LedgerStore
from llmgateway.ledger.writer import LedgerWriter
from llmgateway.registry import migrate
from llmgateway.registry.db import create_registry_engine

SERVED = Served("bench/fake", "openai", "primary", "fake-model", "resp-1")
PRINCIPAL = Principal("0123456789ab", "bench", {"team": "search", "owner": "ana"})
PRICING = Pricing(
    input_per_million=Decimal("2.5"), output_per_million=Decimal(10), cached_input_per_million=Decimal("1.25")
)


def calls(n: int) -> list[Call]:
    out = []
    for i in range(n):
        call = Call("Chat", f"{i:032x}", principal=PRINCIPAL, model="bench/fake", served=SERVED)
        call.usage = Usage(prompt_tokens=120 + i % 7, completion_tokens=20, cached_prompt_tokens=64)
        call.pricing = PRICING
        call.status = "OK"
        call.tags = {"task": f"t{i % 10}"}
        out.append(call)
    return out


def cpu_us(n: int, work: Callable[[], None]) -> float:
    t0 = time.process_time()
    work()
    return (time.process_time() - t0) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=20000, help="calls (default 20000)")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'registry.db'}"
    engine = create_registry_engine(url)
    migrate.upgrade(engine)
    settings = LedgerSettings(enabled=True, max_buffered_rows=args.n)
    store = LedgerStore(engine)
    writer = LedgerWriter(store, settings, row_of)
    observer = LedgerObserver(writer)
    made = calls(args.n)
    ended = cpu_us(args.n, lambda: [observer.call_ended(c) for c in made] and None)
    queued = list(writer._queue)
    rows: list[object] = []
    to_row = cpu_us(args.n, lambda: rows.extend(row_of(item) for item in queued))
    batch = settings.batch_rows

    def insert() -> None:
        for i in range(0, len(rows), batch):
            store.insert(rows[i : i + batch])  # type: ignore[arg-type]

    inserted = cpu_us(args.n, insert)
    assert store.count() == args.n
    engine.dispose()
    total = ended + to_row + inserted
    print(
        f"ledger CPU per call ({args.n} calls, {engine.dialect.name}, batches of {batch}): "
        f"call_ended {ended:.2f} us (on the call's path) + row {to_row:.2f} us + insert {inserted:.2f} us "
        f"(writer thread) = {total:.2f} us = {total / 1000:.4f} ms"
    )


if __name__ == "__main__":
    main()
