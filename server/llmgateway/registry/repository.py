"""Reads and writes of the registry tables (synchronous SQLAlchemy; the server
calls it from a worker thread). Every write bumps `registry_state.revision` first,
in the same transaction: that row lock serializes writers, makes etag checks
atomic, and is the marker other replicas poll. Refusals are GatewayErrors
(MODEL_NOT_FOUND, MODEL_ALREADY_EXISTS, ETAG_MISMATCH, INVALID_REQUEST)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from llmgateway.core.errors import GatewayError, Reason, invalid_request
from llmgateway.core.models import Capability, Pricing, RoutingStrategy
from llmgateway.core.secrets import CredentialPolicy
from llmgateway.registry import records
from llmgateway.registry.records import (
    SOURCE_ADMIN,
    SOURCE_SYNC,
    ModelRecord,
    TimeoutOverrides,
)
from llmgateway.registry.schema import ModelRow, RegistryState


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (id, field, description)
    revision: int = 0


@dataclass(frozen=True, slots=True)
class Loaded:
    """Everything a snapshot is built from, read at one revision."""

    revision: int
    models: list[ModelRecord]
    broken: list[tuple[str, str]]  # (model id, why its row cannot be read)


def now() -> datetime:
    return datetime.now(UTC)


class Repository:
    """`policy` decides which credential references a write may name."""

    def __init__(self, engine: Engine, policy: CredentialPolicy | None = None) -> None:
        self.engine = engine
        self.policy = policy or CredentialPolicy()

    # --- reads --------------------------------------------------------------------------------

    def revision(self) -> int:
        with Session(self.engine) as session:
            return _revision(session)

    def load(self) -> Loaded:
        """All rows. The revision is read first, so a write that lands in between
        can only make the rows newer than the revision (and the next poll reloads)."""
        with self._read_session() as session:
            revision = _revision(session)
            models: list[ModelRecord] = []
            broken: list[tuple[str, str]] = []
            for row in session.scalars(select(ModelRow).order_by(ModelRow.model_id)):
                try:
                    models.append(row_to_record(row))
                except (ValueError, TypeError, KeyError) as exc:
                    broken.append((row.model_id, f"{type(exc).__name__}: {exc}"))
            return Loaded(revision, models, broken)

    def check_writable(self) -> None:
        """Raises when the database refuses writes (a read-only file, filesystem or
        server): a no-op update of the revision marker, rolled back."""
        with Session(self.engine) as session:
            session.execute(
                update(RegistryState).where(RegistryState.id == 1).values(updated_at=RegistryState.updated_at)
            )
            session.rollback()

    def get(self, model_id: str) -> ModelRecord:
        with Session(self.engine) as session:
            row = session.get(ModelRow, model_id)
            if row is None:
                raise _model_not_found(model_id)
            return row_to_record(row)

    def list(
        self,
        *,
        after: str = "",
        limit: int = 100,
        provider: str = "",
        capability: Capability | None = None,
        is_available: bool | None = None,
    ) -> tuple[list[ModelRecord], bool, int]:
        """(up to `limit` models with ids after `after`, whether more match, revision)."""
        with self._read_session() as session:
            revision = _revision(session)
            query = select(ModelRow).where(ModelRow.model_id > after).order_by(ModelRow.model_id)
            if provider:
                query = query.where(ModelRow.provider == provider)
            if is_available is not None:
                query = query.where(ModelRow.is_available == is_available)
            page: list[ModelRecord] = []
            for row in session.scalars(query.execution_options(yield_per=200)):
                if capability is not None and capability.value not in (row.capabilities or ()):
                    continue
                if len(page) == limit:
                    return page, True, revision
                page.append(row_to_record(row))
            return page, False, revision

    # --- writes -------------------------------------------------------------------------------

    def create(self, rec: ModelRecord, source: str = SOURCE_ADMIN) -> ModelRecord:
        rec = rec.with_defaults()
        self._check(rec)
        with self._write() as (session, revision):
            if session.get(ModelRow, rec.id) is not None:
                raise GatewayError(
                    Reason.MODEL_ALREADY_EXISTS,
                    f"model {rec.id!r} already exists",
                    metadata={"model": rec.id},
                )
            stamp = now()
            rec = replace(
                rec, source=source, operator_fields=(), created_at=stamp, updated_at=stamp, revision=revision
            )
            session.add(ModelRow(**record_to_columns(rec)))
        return rec

    def update(
        self,
        model_id: str,
        change: Callable[[ModelRecord], ModelRecord],
        fields: Sequence[str],
        etag: str = "",
    ) -> ModelRecord:
        """Applies `change` to the current row under the write lock; `fields` are
        the top-level fields it changes (remembered as operator fields)."""
        with self._write() as (session, revision):
            row = session.get(ModelRow, model_id)
            if row is None:
                raise _model_not_found(model_id)
            current = row_to_record(row)
            if etag and etag != current.etag:
                raise _etag_mismatch(model_id, etag, current.etag)
            new = change(current).with_defaults()
            # A synced row may name an adapter this process cannot import; only a
            # write that sets the adapter must name an importable one.
            self._check(new, strict=bool({"adapter_class", "deployments", "provider"} & set(fields)))
            operator_fields = tuple(sorted({*current.operator_fields, *fields}))
            new = replace(
                new,
                id=current.id,
                source=current.source,
                operator_fields=operator_fields,
                created_at=current.created_at,
                updated_at=now(),
                revision=revision,
            )
            for name, value in record_to_columns(new).items():
                setattr(row, name, value)
        return new

    def delete(self, model_id: str, etag: str = "") -> int:
        with self._write() as (session, revision):
            row = session.get(ModelRow, model_id)
            if row is None:
                raise _model_not_found(model_id)
            if etag and etag != str(row.revision):
                raise _etag_mismatch(model_id, etag, str(row.revision))
            session.delete(row)
        return revision

    def sync(self, sources: Sequence[ModelRecord], dry_run: bool = False) -> SyncReport:
        """Adds missing models and refreshes the synced fields of existing ones.
        Rows created through the Admin API and fields an operator changed are left
        alone; rows absent from `sources` are never removed. Invalid sources are
        reported and skipped. Idempotent: a second run changes nothing."""
        report = SyncReport()
        valid: list[ModelRecord] = []
        for src in sources:
            src = src.with_defaults()
            violations = records.validate(src, strict=False, policy=self.policy)
            if violations:
                report.errors += [(src.id, f, d) for f, d in violations]
            else:
                valid.append(src)
        with self._write(commit=not dry_run) as (session, revision):
            stamp = now()
            for src in valid:
                row = session.get(ModelRow, src.id)
                if row is None:
                    rec = replace(
                        src, source=SOURCE_SYNC, created_at=stamp, updated_at=stamp, revision=revision
                    )
                    session.add(ModelRow(**record_to_columns(rec)))
                    report.added.append(src.id)
                    continue
                current = row_to_record(row)
                if current.source == SOURCE_ADMIN:
                    report.unchanged.append(src.id)
                    continue
                ours, theirs = current.writable(), src.writable()
                changes = {
                    name: value
                    for name, value in theirs.items()
                    if name not in current.operator_fields and ours[name] != value
                }
                if not changes:
                    report.unchanged.append(src.id)
                    continue
                new = replace(current, **changes, updated_at=stamp, revision=revision)
                for name, value in record_to_columns(new).items():
                    setattr(row, name, value)
                report.changed.append(src.id)
            if not report.added and not report.changed:
                session.rollback()  # nothing to write: keep the revision (replicas need not reload)
                report.revision = _revision(session)
            else:
                report.revision = revision if not dry_run else revision - 1
        return report

    # --- plumbing -----------------------------------------------------------------------------

    def _check(self, rec: ModelRecord, strict: bool = True) -> None:
        violations = records.validate(rec, strict=strict, policy=self.policy)
        if violations:
            raise invalid_request(violations)

    @contextmanager
    def _read_session(self) -> Iterator[Session]:
        if self.engine.dialect.name == "postgresql":
            with (
                self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
                Session(bind=conn) as session,
            ):
                yield session
        else:
            with Session(self.engine) as session:
                yield session

    @contextmanager
    def _write(self, commit: bool = True) -> Iterator[tuple[Session, int]]:
        """A transaction that first bumps the registry revision (taking the
        writers' lock); commits on success, rolls back on any exception."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                session.execute(
                    update(RegistryState)
                    .where(RegistryState.id == 1)
                    .values(revision=RegistryState.revision + 1, updated_at=now())
                )
                revision = _revision(session)
                yield session, revision
                if commit and session.in_transaction():
                    session.commit()
                else:
                    session.rollback()
            except BaseException:
                session.rollback()
                raise


def _revision(session: Session) -> int:
    value = session.scalar(select(RegistryState.revision).where(RegistryState.id == 1))
    if value is None:
        raise GatewayError(
            Reason.REGISTRY_UNAVAILABLE,
            "the registry database has no registry_state row; run `llmgateway migrate`",
        )
    return int(value)


def _model_not_found(model_id: str) -> GatewayError:
    return GatewayError(
        Reason.MODEL_NOT_FOUND, f"model {model_id!r} is not in the registry", metadata={"model": model_id}
    )


def _etag_mismatch(model_id: str, etag: str, current: str) -> GatewayError:
    return GatewayError(
        Reason.ETAG_MISMATCH,
        f"model {model_id!r} changed since etag {etag!r} (now {current!r}); read it again and retry",
        metadata={"model": model_id, "etag": current},
    )


# --- row <-> record -----------------------------------------------------------------------------


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # SQLite keeps no zone; the registry writes UTC
    return value


def row_to_record(row: ModelRow) -> ModelRecord:
    return ModelRecord(
        id=row.model_id,
        provider=row.provider,
        upstream_model=row.upstream_model,
        adapter_class=row.adapter_class,
        base_url=row.base_url or "",
        credential_ref=row.credential_ref or "",
        display_name=row.display_name or "",
        context_length=int(row.context_length or 0),
        capabilities=frozenset(Capability(c) for c in row.capabilities or ()),
        pricing=Pricing(
            float(row.input_price_per_million or 0.0),
            float(row.output_price_per_million or 0.0),
            float(row.cached_input_price_per_million or 0.0),
        ),
        fallbacks=tuple(str(f) for f in row.fallbacks or ()),
        fallback_on=tuple(str(r) for r in row.fallback_on or ()),
        is_available=bool(row.is_available),
        timeouts=TimeoutOverrides(
            row.timeout_connect_s, row.timeout_first_token_s, row.timeout_idle_s, row.timeout_total_s
        ),
        options={str(k): str(v) for k, v in (row.options or {}).items()},
        weight=float(row.weight if row.weight is not None else 1.0),
        deployments=tuple(records.deployment_from_json(d) for d in row.deployments or ()),
        routing=RoutingStrategy(row.routing or RoutingStrategy.WEIGHTED.value),
        retry=records.retry_from_json(row.retry),
        cooldown=records.cooldown_from_json(row.cooldown),
        source=row.source or SOURCE_SYNC,
        operator_fields=tuple(row.operator_fields or ()),
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        revision=int(row.revision),
    )


def record_to_columns(rec: ModelRecord) -> dict[str, Any]:
    return {
        "model_id": rec.id,
        "provider": rec.provider,
        "upstream_model": rec.upstream_model,
        "adapter_class": rec.adapter_class,
        "base_url": rec.base_url,
        "credential_ref": rec.credential_ref,
        "display_name": rec.display_name,
        "context_length": rec.context_length,
        "capabilities": sorted(c.value for c in rec.capabilities),
        "input_price_per_million": rec.pricing.input_per_million,
        "output_price_per_million": rec.pricing.output_per_million,
        "cached_input_price_per_million": rec.pricing.cached_input_per_million,
        "fallbacks": list(rec.fallbacks),
        "fallback_on": list(rec.fallback_on),
        "is_available": rec.is_available,
        "timeout_connect_s": rec.timeouts.connect,
        "timeout_first_token_s": rec.timeouts.first_token,
        "timeout_idle_s": rec.timeouts.idle,
        "timeout_total_s": rec.timeouts.total,
        "options": dict(rec.options),
        "weight": rec.weight,
        "deployments": [records.deployment_to_json(d) for d in rec.deployments],
        "routing": rec.routing.value,
        "retry": records.retry_to_json(rec.retry),
        "cooldown": records.cooldown_to_json(rec.cooldown),
        "source": rec.source,
        "operator_fields": list(rec.operator_fields),
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "revision": rec.revision,
    }
