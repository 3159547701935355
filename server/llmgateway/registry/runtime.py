"""The live registry of one server: the snapshot catalog the router reads, the
writes of the Admin API (visible to the next call on this replica), and a poll
of the revision marker that picks up other replicas' writes.

Database I/O runs synchronous SQLAlchemy in a small dedicated thread pool: the
hot path never touches the database (it reads the in-memory snapshot), so the
only cost of threads is on admin calls and one tiny SELECT per poll, and the
same repository code serves the CLI, Alembic and the server."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from llmgateway.config import Settings
from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.models import Model
from llmgateway.core.secrets import CredentialPolicy
from llmgateway.registry import migrate
from llmgateway.registry.catalog import Snapshot, SnapshotCatalog, build_snapshot
from llmgateway.registry.db import create_registry_engine, resolve_url, safe_url
from llmgateway.registry.discovery import discover
from llmgateway.registry.key_repository import KeyRepository
from llmgateway.registry.keyring import KeyRing, build_entries
from llmgateway.registry.repository import Repository, SyncReport
from llmgateway.registry.sources import sync_sources

log = logging.getLogger(__name__)
T = TypeVar("T")
REFRESH_TIMEOUT_S = 20.0  # a refresh stuck on a dead connection counts as failed after this


@dataclass
class RegistryStatus:
    """How fresh the served snapshot is; readable by health checks and metrics."""

    revision: int = -1
    healthy: bool = True
    last_error: str = ""
    last_success: float = field(default_factory=time.time)  # unix time of the last good refresh
    last_failure: float = 0.0  # unix time of the last failed refresh (0: none yet)
    consecutive_failures: int = 0
    refresh_failures_total: int = 0
    broken_models: tuple[str, ...] = ()

    def staleness_s(self) -> float:
        """Seconds since the database was last read successfully."""
        return max(0.0, time.time() - self.last_success)


class RegistryUnavailable(RuntimeError):
    """The registry database could not be reached when it had to be."""


async def _no_sources(all_providers: bool) -> list[Model]:
    return []


class Registry:
    def __init__(
        self,
        engine: Engine,
        refresh_interval_s: float,
        sources: Callable[[bool], Awaitable[list[Model]]] = _no_sources,
        write_check_interval_s: float = 30.0,
        policy: CredentialPolicy | None = None,
    ) -> None:
        self.engine = engine
        self.repository = Repository(engine, policy)
        self.catalog = SnapshotCatalog()
        self.key_repository = KeyRepository(engine)
        self.keyring = KeyRing()  # the API keys, reloaded with the models
        self.status = RegistryStatus()
        self.refresh_interval_s = refresh_interval_s
        self.sources = sources
        # Called with True/False when refreshes start succeeding/failing (health).
        self.on_health: Callable[[bool], Awaitable[None]] | None = None
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="registry-db")
        self._lock = asyncio.Lock()
        self._poller: asyncio.Task[None] | None = None
        self.write_check_interval_s = write_check_interval_s
        self._next_write_check = 0.0

    @classmethod
    async def open(cls, settings: Settings) -> Registry:
        """Connects, migrates (or checks) the schema, syncs when configured, and
        loads the first snapshot. Raises migrate.SchemaError or RegistryUnavailable."""
        url = resolve_url(settings.registry.database_url)
        registry = cls(
            create_registry_engine(url),
            settings.registry.refresh_interval_s,
            partial(_settings_sources, settings),
            settings.registry.write_check_interval_s,
            settings.credential_policy(),
        )
        try:
            await registry.db(migrate.prepare, registry.engine, settings.registry.auto_migrate)
            if settings.registry.sync_on_start:
                report = await registry.db(registry.repository.sync, await registry.sources(False))
                _log_sync(report)
            await registry.refresh(force=True, raise_errors=True)
        except migrate.SchemaError:
            await registry.aclose()
            raise
        except Exception as exc:
            await registry.aclose()
            if isinstance(exc, ValueError):
                raise
            raise RegistryUnavailable(
                f"the registry database {safe_url(url)} cannot be used: {_describe(exc)}"
            ) from exc
        log.info(
            "registry ready",
            extra={"database": safe_url(url), "revision": registry.status.revision},
        )
        return registry

    async def db(self, fn: Callable[..., T], *args: Any) -> T:
        """Runs blocking database work off the event loop. A database that cannot be
        used is REGISTRY_UNAVAILABLE (its cause stays in `__cause__`, never sent)."""
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, partial(fn, *args))
        except SQLAlchemyError as exc:
            raise GatewayError(
                Reason.REGISTRY_UNAVAILABLE,
                "the registry database cannot be used; the gateway keeps serving its last snapshot",
            ) from exc

    # --- snapshot -----------------------------------------------------------------------------

    async def refresh(self, force: bool = False, raise_errors: bool = False) -> bool:
        """Reloads the snapshot when the revision marker moved (or `force`).
        A failure keeps the last good snapshot serving; it is logged and counted."""
        async with self._lock:
            try:
                current = self.catalog.snapshot.revision
                async with asyncio.timeout(REFRESH_TIMEOUT_S):
                    if time.monotonic() >= self._next_write_check:
                        # Reads alone would not notice a database that turned read-only.
                        await self.db(self.repository.check_writable)
                        self._next_write_check = time.monotonic() + self.write_check_interval_s
                    if not force and await self.db(self.repository.revision) == current:
                        await self._succeeded()
                        return False
                    loaded = await self.db(self.repository.load)
                    key_records = await self.db(self.key_repository.load)
                snapshot = build_snapshot(loaded)
                swapped = self.catalog.swap(snapshot)
                if swapped:
                    self.keyring.swap(build_entries(key_records))
                if swapped and snapshot.revision != current:
                    log.info(
                        "registry snapshot loaded",
                        extra={"revision": snapshot.revision, "models": len(snapshot.ordered)},
                    )
                self.status.broken_models = tuple(model_id for model_id, _ in snapshot.broken)
                await self._succeeded()
                return swapped
            except Exception as exc:
                if raise_errors:
                    raise
                await self._failed(exc)
                return False

    async def _succeeded(self) -> None:
        status = self.status
        status.revision = self.catalog.snapshot.revision
        status.last_success = time.time()
        status.consecutive_failures = 0
        if not status.healthy:
            status.healthy, status.last_error = True, ""
            log.info("registry database reachable again", extra={"revision": status.revision})
            await self._notify(True)

    async def _failed(self, exc: Exception) -> None:
        status = self.status
        status.consecutive_failures += 1
        status.refresh_failures_total += 1
        status.last_failure = time.time()
        status.last_error = _describe(exc)
        if status.healthy or status.consecutive_failures % 30 == 0:
            log.error(
                "registry refresh failed; still serving the last good snapshot",  # read or write check
                extra={
                    "revision": status.revision,
                    "error": status.last_error,
                    "stale_s": round(status.staleness_s(), 1),
                },
            )
        if status.healthy:
            status.healthy = False
            await self._notify(False)

    async def _notify(self, healthy: bool) -> None:
        if self.on_health is not None:
            try:
                await self.on_health(healthy)
            except Exception:
                log.exception("registry health callback failed")

    def start(self) -> None:
        """Starts polling the revision marker every `refresh_interval_s`."""
        if self._poller is None:
            self._poller = asyncio.create_task(self._poll(), name="registry-poll")

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_interval_s)
            await self.refresh()

    async def aclose(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        self._executor.shutdown(wait=False, cancel_futures=True)
        await asyncio.to_thread(self.engine.dispose)

    # --- writes (visible to the next call on this replica) ------------------------------------

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Runs a repository write, then reloads the snapshot before returning."""
        result = await self.db(fn, *args)
        await self.refresh()
        return result

    async def sync(self, all_providers: bool = False, dry_run: bool = False) -> SyncReport:
        sources = await self.sources(all_providers)
        report = await self.write(self.repository.sync, sources, dry_run)
        _log_sync(report)
        return report

    @property
    def snapshot(self) -> Snapshot:
        return self.catalog.snapshot


async def _settings_sources(settings: Settings, all_providers: bool) -> list[Model]:
    discovered = await discover(settings)
    return sync_sources(settings, all_providers=all_providers, discovered=discovered)


def _log_sync(report: SyncReport) -> None:
    log.info(
        "registry sync",
        extra={
            "added": len(report.added),
            "changed": len(report.changed),
            "unchanged": len(report.unchanged),
            "invalid": len({e[0] for e in report.errors}),
            "revision": report.revision,
        },
    )
    for model_id, field_path, description in report.errors:
        log.error("sync skipped model %s: %s %s", model_id, field_path, description)


def _describe(exc: BaseException) -> str:
    """A one-line description without URLs or credentials."""
    if isinstance(exc, GatewayError) and exc.__cause__ is not None:
        exc = exc.__cause__
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return f"{type(orig or exc).__name__}: {text[0] if text else ''}"[:300]
