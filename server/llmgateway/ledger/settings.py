"""The usage ledger's settings (`ledger:` of the configuration, llmgateway.config)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LedgerSettings(BaseModel):
    """The usage ledger (llmgateway.ledger): one row per data-plane call in the registry
    database, written in batches by a task of its own (never on a call's path). Off
    unless `enabled`. Rows wait in memory while the database is unreachable, at most
    `max_buffered_rows` (beyond it new rows are dropped and counted)."""

    enabled: bool = False
    retention_days: float = Field(default=90.0, ge=0)  # rows older than this are deleted; 0: kept
    purge_interval_s: float = Field(default=3600.0, gt=0)  # how often old rows are deleted
    batch_rows: int = Field(default=500, ge=1)  # rows per INSERT
    flush_interval_s: float = Field(default=1.0, gt=0)  # a row waits at most about this long
    max_buffered_rows: int = Field(default=100_000, ge=1)  # bounded memory (~1 KB a row)
    retry_initial_s: float = Field(default=0.5, gt=0)  # backoff after a failed write, doubling
    retry_max_s: float = Field(default=30.0, gt=0)
    drop_log_interval_s: float = Field(default=60.0, gt=0)  # dropped rows are logged at most this often
    shutdown_timeout_s: float = Field(default=10.0, ge=0)  # at shutdown, keep trying to flush this long
