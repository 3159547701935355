"""Reads and writes of the registry tables (synchronous SQLAlchemy; the server
calls it from a worker thread). Every write bumps `registry_state.revision` first,
in the same transaction (registry/transaction.py): that row lock serializes writers, makes etag checks
atomic, and is the marker other replicas poll. Refusals are GatewayErrors
(MODEL_NOT_FOUND, MODEL_ALREADY_EXISTS, ETAG_MISMATCH, INVALID_REQUEST).

A stored row that does not decode into the model or breaks its bounds (written
by hand, or by an older gateway) is never served: `load` reports it as broken, a
listing skips it, and reading or updating it names the problem
(MODEL_MISCONFIGURED); it can be deleted."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace

from pydantic import ValidationError
from sqlalchemy import Engine, RowMapping, delete, insert, select, update
from sqlalchemy.orm import Session

from llmgateway.core.errors import GatewayError, Reason, invalid_request
from llmgateway.core.fields import writable
from llmgateway.core.models import SOURCE_ADMIN, SOURCE_SYNC, Capability, Model
from llmgateway.core.secrets import CredentialPolicy
from llmgateway.core.virtual import ModelKind
from llmgateway.registry import records, virtual
from llmgateway.registry.rows import from_row, to_row
from llmgateway.registry.schema import RegistryState, models
from llmgateway.registry.transaction import current_revision, now, write_transaction

log = logging.getLogger(__name__)
WRITABLE = writable(Model)


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
    models: list[Model]
    broken: list[tuple[str, str]]  # (model id, why its row cannot be read)


class Repository:
    """`policy` decides which credential references a write may name."""

    def __init__(self, engine: Engine, policy: CredentialPolicy | None = None) -> None:
        self.engine = engine
        self.policy = policy or CredentialPolicy()

    # --- reads --------------------------------------------------------------------------------

    def revision(self) -> int:
        with Session(self.engine) as session:
            return current_revision(session)

    def load(self) -> Loaded:
        """All rows. The revision is read first, so a write that lands in between
        can only make the rows newer than the revision (and the next poll reloads)."""
        with self._read_session() as session:
            revision = current_revision(session)
            found: list[Model] = []
            broken: list[tuple[str, str]] = []
            for row in session.execute(select(models).order_by(models.c.id)).mappings():
                try:
                    found.append(decode(row))
                except UnusableRow as exc:
                    broken.append((row["id"], str(exc)))
            return Loaded(revision, found, broken)

    def check_writable(self) -> None:
        """Raises when the database refuses writes (a read-only file, filesystem or
        server): a no-op update of the revision marker, rolled back."""
        with Session(self.engine) as session:
            session.execute(
                update(RegistryState).where(RegistryState.id == 1).values(updated_at=RegistryState.updated_at)
            )
            session.rollback()

    def get(self, model_id: str) -> Model:
        with Session(self.engine) as session:
            return _decode_or_refuse(_row(session, model_id))

    def list(
        self,
        *,
        after: str = "",
        limit: int = 100,
        provider: str = "",
        capability: Capability | None = None,
        is_available: bool | None = None,
    ) -> tuple[list[Model], bool, int]:
        """(up to `limit` models with ids after `after`, whether more match, revision)."""
        with self._read_session() as session:
            revision = current_revision(session)
            query = select(models).where(models.c.id > after).order_by(models.c.id)
            if provider:
                query = query.where(models.c.provider == provider)
            if is_available is not None:
                query = query.where(models.c.is_available == is_available)
            page: list[Model] = []
            for row in session.execute(query.execution_options(yield_per=200)).mappings():
                if capability is not None and capability.value not in (row["capabilities"] or ()):
                    continue
                try:
                    model = decode(row)
                except UnusableRow as exc:
                    log.warning("registry row %s skipped in a listing: %s", row["id"], exc)
                    continue
                if len(page) == limit:
                    return page, True, revision
                page.append(model)
            return page, False, revision

    # --- writes -------------------------------------------------------------------------------

    def create(self, rec: Model, source: str = SOURCE_ADMIN) -> Model:
        """An Admin API create: an empty credential_ref stays empty (no key)."""
        rec = records.with_defaults(rec, default_credential=False)
        self._check(rec)
        with self._write() as (session, revision):
            if _find(session, rec.id) is not None:
                raise GatewayError(
                    Reason.MODEL_ALREADY_EXISTS,
                    f"model {rec.id!r} already exists",
                    metadata={"model": rec.id},
                )
            self._check_routes(session, rec.id, rec, "model")
            stamp = now()
            rec = replace(
                rec,
                source=source,
                operator_fields=(),
                create_time=stamp,
                update_time=stamp,
                revision=revision,
            )
            session.execute(insert(models).values(to_row(rec)))
        return rec

    def update(
        self,
        model_id: str,
        change: Callable[[Model], Model],
        fields: Sequence[str],
        etag: str = "",
    ) -> Model:
        """Applies `change` to the current row under the write lock; `fields` are
        the top-level fields it changes (remembered as operator fields)."""
        with self._write() as (session, revision):
            current = _decode_or_refuse(_row(session, model_id))
            if etag and etag != current.etag:
                raise _etag_mismatch(model_id, etag, current.etag)
            new = records.with_defaults(change(current), default_credential=False)
            # A synced row may name an adapter this process cannot import; only a
            # write that sets the adapter must name an importable one.
            self._check(new, strict=bool({"adapter_class", "deployments", "provider"} & set(fields)))
            self._check_routes(session, model_id, new, "model")
            operator_fields = tuple(sorted({*current.operator_fields, *fields}))
            new = replace(
                new,
                id=current.id,
                source=current.source,
                operator_fields=operator_fields,
                create_time=current.create_time,
                update_time=now(),
                revision=revision,
            )
            session.execute(update(models).where(models.c.id == model_id).values(to_row(new)))
        return new

    def delete(self, model_id: str, etag: str = "") -> int:
        with self._write() as (session, revision):
            row = _row(session, model_id)  # a broken row can be deleted: only its revision is read
            if etag and etag != str(row["revision"]):
                raise _etag_mismatch(model_id, etag, str(row["revision"]))
            self._check_routes(session, model_id, None, "id")
            session.execute(delete(models).where(models.c.id == model_id))
        return revision

    def sync(self, sources: Sequence[Model], dry_run: bool = False) -> SyncReport:
        """Adds missing models and refreshes the synced fields of existing ones.
        Rows created through the Admin API and fields an operator changed are left
        alone; rows absent from `sources` are never removed. Invalid sources are
        reported and skipped. Idempotent: a second run changes nothing."""
        report = SyncReport()
        valid: list[Model] = []
        for src in sources:
            src = records.with_defaults(src)
            violations = records.validate(src, strict=False, policy=self.policy)
            if violations:
                report.errors += [(src.id, f, d) for f, d in violations]
            else:
                valid.append(src)
        with self._write(commit=not dry_run) as (session, revision):
            valid = _routable(session, valid, report)
            stamp = now()
            for src in valid:
                row = _find(session, src.id)
                if row is None:
                    rec = replace(
                        src, source=SOURCE_SYNC, create_time=stamp, update_time=stamp, revision=revision
                    )
                    session.execute(insert(models).values(to_row(rec)))
                    report.added.append(src.id)
                    continue
                try:
                    current = decode(row)
                except UnusableRow as exc:
                    report.errors.append(
                        (src.id, "model", f"the stored row cannot be used ({exc}); delete it")
                    )
                    continue
                if current.source == SOURCE_ADMIN:
                    report.unchanged.append(src.id)
                    continue
                changes = {
                    name: getattr(src, name)
                    for name in WRITABLE
                    if name not in current.operator_fields and getattr(current, name) != getattr(src, name)
                }
                if not changes:
                    report.unchanged.append(src.id)
                    continue
                new = replace(current, **changes, update_time=stamp, revision=revision)
                session.execute(update(models).where(models.c.id == src.id).values(to_row(new)))
                report.changed.append(src.id)
            if not report.added and not report.changed:
                session.rollback()  # nothing to write: keep the revision (replicas need not reload)
                report.revision = current_revision(session)
            else:
                report.revision = revision if not dry_run else revision - 1
        return report

    # --- plumbing -----------------------------------------------------------------------------

    def _check_routes(self, session: Session, model_id: str, rec: Model | None, field: str) -> None:
        """Refuses a write that leaves a virtual model with a missing or unable target
        or a routing loop (`rec` None: `model_id` is being deleted)."""
        touches_virtual = rec is not None and rec.kind is ModelKind.VIRTUAL
        if (
            not touches_virtual
            and session.execute(
                select(models.c.id).where(models.c.kind == ModelKind.VIRTUAL.value).limit(1)
            ).first()
            is None
        ):
            return
        after = {m.id: m for m in _decodable(session)}
        after.pop(model_id, None)
        if rec is not None:
            after[rec.id] = rec
        found = virtual.graph_violations(rec, after) if rec is not None else []
        found += [(field, problem) for problem in virtual.broken_dependents(model_id, after)]
        if found:
            raise invalid_request(found)

    def _check(self, rec: Model, strict: bool = True) -> None:
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

    def _write(self, commit: bool = True) -> AbstractContextManager[tuple[Session, int]]:
        return write_transaction(self.engine, commit)


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


# --- rows ------------------------------------------------------------------------------------


class UnusableRow(ValueError):
    """A stored row that does not decode into the model or breaks its bounds."""


def decode(row: RowMapping) -> Model:
    try:
        model = from_row(row)
    except ValidationError as exc:
        raise UnusableRow(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        ) from None
    violations = records.stored_violations(model)
    if violations:
        raise UnusableRow("; ".join(f"{f}: {d}" for f, d in violations[:3]))
    return model


def _routable(session: Session, sources: list[Model], report: SyncReport) -> list[Model]:
    """The sources without the virtual ones whose targets are missing, unable or loop
    (reported); the targets may be other sources."""
    if not any(s.virtual is not None for s in sources):
        return sources
    after = {m.id: m for m in _decodable(session)}
    after.update((s.id, s) for s in sources)
    kept = []
    for src in sources:
        found = virtual.graph_violations(src, after)
        report.errors += [(src.id, f, d) for f, d in found]
        if not found:
            kept.append(src)
    return kept


def _decodable(session: Session) -> list[Model]:
    found = []
    for row in session.execute(select(models)).mappings():
        try:
            found.append(decode(row))
        except UnusableRow:
            continue
    return found


def _find(session: Session, model_id: str) -> RowMapping | None:
    return session.execute(select(models).where(models.c.id == model_id)).mappings().first()


def _row(session: Session, model_id: str) -> RowMapping:
    row = _find(session, model_id)
    if row is None:
        raise _model_not_found(model_id)
    return row


def _decode_or_refuse(row: RowMapping) -> Model:
    try:
        return decode(row)
    except UnusableRow as exc:
        raise GatewayError(
            Reason.MODEL_MISCONFIGURED,
            f"model {row['id']!r} has a stored row the gateway cannot use ({exc}); delete it and "
            "create it again",
            metadata={"model": str(row["id"])},
        ) from None
