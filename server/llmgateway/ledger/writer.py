"""The ledger's writer: a task that drains the queue of ended calls into the database
in batches, in a thread of its own, so that no call ever waits for a write.

- `add` (on a call's path) is an append to a bounded deque; beyond `max_buffered_rows`
  the row is dropped and counted (`llmgateway_ledger_rows_dropped_total`), and the
  drops are logged from the task, at most once per `drop_log_interval_s`.
- The task wakes every `flush_interval_s`, or as soon as a batch is full, and writes
  the queue `batch_rows` at a time. A batch leaves the queue only once written: a
  failed write keeps it and retries with a doubling backoff (`retry_initial_s` to
  `retry_max_s`) while new rows wait behind it, so an unreachable database loses
  nothing within the bound.
- `aclose` (after the server stopped serving, so every call has ended) writes what
  is left, retrying for at most `shutdown_timeout_s`, and counts what it could not.
- Every `purge_interval_s` the rows older than `retention_days` are deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.registry import Collector
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from llmgateway.ledger.settings import LedgerSettings
from llmgateway.ledger.store import PURGE_BATCH, LedgerStore
from llmgateway.telemetry.access_metrics import Joined

log = logging.getLogger(__name__)
T = TypeVar("T")
Row = Mapping[str, Any]


class LedgerMetrics:
    """The writer's counters, in a registry of their own (joined to `/metrics` when on)."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.written = Counter(
            "llmgateway_ledger_rows_written_total", "Usage ledger rows written", registry=registry
        )
        self.dropped = Counter(
            "llmgateway_ledger_rows_dropped_total",
            "Usage ledger rows dropped: the buffer was full (database unreachable) or shutdown gave up",
            registry=registry,
        )
        self.failures = Counter(
            "llmgateway_ledger_write_failures_total",
            "Failed usage ledger writes (retried)",
            registry=registry,
        )
        self.buffered = Gauge(
            "llmgateway_ledger_rows_buffered", "Usage ledger rows waiting to be written", registry=registry
        )

    def collector(self) -> Collector:
        """These metrics as a collector of another registry (the /metrics endpoint's)."""
        return Joined(self.registry)


class LedgerWriter:
    """`to_row` turns a queued item into a row; it runs in the writer's thread."""

    def __init__(
        self,
        store: LedgerStore,
        settings: LedgerSettings,
        to_row: Callable[[Any], Row],
        metrics: LedgerMetrics | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.to_row = to_row
        self.metrics = metrics or LedgerMetrics()
        self._queue: deque[Any] = deque()
        self._max = settings.max_buffered_rows
        self._batch = settings.batch_rows
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-db")
        self._full = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._purger: asyncio.Task[None] | None = None
        self._stopping = False
        self.dropped = 0  # since start
        self._dropped_unlogged = 0
        self._drop_logged_at = 0.0
        self._failing_since: float | None = None

    # -- on a call's path ----------------------------------------------------------------
    def add(self, item: Any) -> None:
        queue = self._queue
        if len(queue) >= self._max:
            self.dropped += 1
            self._dropped_unlogged += 1
            self.metrics.dropped.inc()
            return
        queue.append(item)
        if len(queue) == self._batch:
            self._full.set()

    # -- the task ------------------------------------------------------------------------
    async def start(self) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._run(), name="ledger-writer")
            if self.settings.retention_days > 0:
                self._purger = asyncio.create_task(self._purge_every(), name="ledger-purge")

    async def aclose(self) -> None:
        """Stops the tasks and writes what is queued (every call has ended by now)."""
        if self._purger is not None:
            self._purger.cancel()
            await asyncio.gather(self._purger, return_exceptions=True)
        if self._writer is not None:
            # Not cancelled: a write in flight must finish (its thread would go on anyway).
            self._stopping = True
            self._full.set()
            await self._writer
        deadline = time.monotonic() + self.settings.shutdown_timeout_s
        delay = self.settings.retry_initial_s
        while not await self.flush():
            if time.monotonic() + delay > deadline:
                lost = len(self._queue)
                self._queue.clear()
                self.dropped += lost
                self.metrics.dropped.inc(lost)
                log.error(
                    "usage ledger: rows lost at shutdown, the database is unreachable", extra={"rows": lost}
                )
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.settings.retry_max_s)
        self._report_drops(force=True)
        self.metrics.buffered.set(0)
        self._executor.shutdown(wait=True)
        await asyncio.to_thread(self.store.engine.dispose)

    async def flush(self) -> bool:
        """Writes everything queued now; False when a write failed (the rows stay queued)."""
        while self._queue:
            if not await self._write_batch():
                return False
        return True

    async def _run(self) -> None:
        s = self.settings
        wait = s.flush_interval_s
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._full.wait(), wait)
            self._full.clear()
            self._report_drops()
            self.metrics.buffered.set(len(self._queue))
            if self._stopping:
                return
            if await self.flush():
                wait = s.flush_interval_s
            else:  # the database is unreachable: back off
                wait = s.retry_initial_s if wait == s.flush_interval_s else min(wait * 2, s.retry_max_s)

    async def _write_batch(self) -> bool:
        queue = self._queue
        batch = [queue[i] for i in range(min(len(queue), self._batch))]
        try:
            refused = await self._in_thread(self._insert, batch)
        except Exception as exc:  # OperationalError: unreachable; anything else must not end the task
            self.metrics.failures.inc()
            if self._failing_since is None:
                self._failing_since = time.monotonic()
                log.error(
                    "usage ledger: write failed; rows stay buffered and are retried",
                    extra={"error": type(exc).__name__, "buffered": len(queue)},
                )
            return False
        for _ in batch:
            queue.popleft()
        self.metrics.written.inc(len(batch) - refused)
        self.metrics.buffered.set(len(queue))
        if refused:
            self.dropped += refused
            self.metrics.dropped.inc(refused)
        if self._failing_since is not None:
            log.info(
                "usage ledger: writes resumed",
                extra={"after_s": round(time.monotonic() - self._failing_since, 1), "buffered": len(queue)},
            )
            self._failing_since = None
        return True

    def _insert(self, batch: list[Any]) -> int:
        """Writes a batch (in the writer's thread); how many rows were refused. The
        database being unreachable (OperationalError) raises: the batch is retried. A
        row the database refuses for itself (a bug) must not hold up the rest: the
        batch is then written row by row, and the refused rows are logged and dropped.
        Nothing else escapes: the writer's task must outlive any row."""
        rows: list[Row] = []
        for item in batch:
            try:
                rows.append(self.to_row(item))
            except Exception:
                log.exception("usage ledger: a call could not be made a row")
        try:
            self.store.insert(rows)
        except OperationalError:
            raise
        except Exception:
            refused = 0
            for row in rows:
                try:
                    self.store.insert([row])
                except OperationalError:
                    raise
                except Exception as exc:
                    refused += 1
                    log.error(
                        "usage ledger: the database refused a row",
                        extra={"request_id": row.get("request_id"), "error": type(exc).__name__},
                    )
            return refused + len(batch) - len(rows)
        return len(batch) - len(rows)

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _report_drops(self, force: bool = False) -> None:
        if not self._dropped_unlogged:
            return
        now = time.monotonic()
        if force or now - self._drop_logged_at >= self.settings.drop_log_interval_s:
            log.error(
                "usage ledger: rows dropped, the buffer is full",
                extra={"rows": self._dropped_unlogged, "max_buffered_rows": self._max},
            )
            self._dropped_unlogged = 0
            self._drop_logged_at = now

    # -- retention -----------------------------------------------------------------------
    async def purge(self) -> int:
        """Deletes the rows older than the retention now, a batch per turn of the writer's
        thread (inserts go between them); how many."""
        before = datetime.now(UTC) - timedelta(days=self.settings.retention_days)
        purged = 0
        while True:
            gone = await self._in_thread(self.store.purge_batch, before)
            purged += gone
            if gone < PURGE_BATCH:
                return purged

    async def _purge_every(self) -> None:
        while True:
            try:
                purged = await self.purge()
            except SQLAlchemyError as exc:
                log.error("usage ledger: retention purge failed", extra={"error": type(exc).__name__})
            else:
                if purged:
                    log.info("usage ledger: old rows deleted", extra={"rows": purged})
            await asyncio.sleep(self.settings.purge_interval_s)
