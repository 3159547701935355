"""Reads and writes of the `api_keys` table (synchronous SQLAlchemy, called from a
worker thread like the model repository). Every write bumps the registry revision
in the same transaction, so every replica reloads its keys as it does its models."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from llmgateway.core.errors import GatewayError, Reason, invalid_request
from llmgateway.registry import keys
from llmgateway.registry.keys import ApiKeyRecord
from llmgateway.registry.schema import ApiKeyRow
from llmgateway.registry.transaction import now, write_transaction


class KeyRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self) -> list[ApiKeyRecord]:
        """Every key that can authenticate (not revoked, not disabled), with its digest."""
        with Session(self.engine) as session:
            query = select(ApiKeyRow).where(ApiKeyRow.revoked_at.is_(None), ApiKeyRow.disabled.is_(False))
            return [row_to_record(row) for row in session.scalars(query)]

    def get(self, key_id: str) -> ApiKeyRecord:
        with Session(self.engine) as session:
            return row_to_record(_row(session, key_id))

    def list(
        self,
        *,
        after: str = "",
        limit: int = 100,
        labels: Mapping[str, str] | None = None,
        show_revoked: bool = False,
        disabled: bool | None = None,
    ) -> tuple[list[ApiKeyRecord], bool]:
        """(up to `limit` keys with ids after `after`, whether more match)."""
        with Session(self.engine) as session:
            query = select(ApiKeyRow).where(ApiKeyRow.key_id > after).order_by(ApiKeyRow.key_id)
            if not show_revoked:
                query = query.where(ApiKeyRow.revoked_at.is_(None))
            if disabled is not None:
                query = query.where(ApiKeyRow.disabled.is_(disabled))
            page: list[ApiKeyRecord] = []
            for row in session.scalars(query.execution_options(yield_per=200)):
                if labels and any((row.labels or {}).get(k) != v for k, v in labels.items()):
                    continue
                if len(page) == limit:
                    return page, True
                page.append(row_to_record(row))
            return page, False

    def create(self, rec: ApiKeyRecord) -> ApiKeyRecord:
        """Stores a new key; `rec` carries its id and digest (KeyHasher.new_key)."""
        _check(rec)
        with write_transaction(self.engine) as (session, revision):
            stamp = now()
            rec = replace(rec, created_at=stamp, updated_at=stamp, revoked_at=None, revision=revision)
            session.add(ApiKeyRow(**record_to_columns(rec)))
        return rec

    def update(
        self, key_id: str, change: Callable[[ApiKeyRecord], ApiKeyRecord], etag: str = ""
    ) -> ApiKeyRecord:
        with write_transaction(self.engine) as (session, revision):
            row = _row(session, key_id)
            current = row_to_record(row)
            _check_etag(current, etag)
            if current.revoked_at is not None:
                raise GatewayError(
                    Reason.API_KEY_REVOKED,
                    f"API key {key_id} is revoked and cannot change",
                    metadata={"key": key_id},
                )
            new = change(current)
            _check(new)
            new = replace(
                new,
                id=current.id,
                digest=current.digest,
                created_at=current.created_at,
                updated_at=now(),
                revoked_at=None,
                revision=revision,
            )
            for name, value in record_to_columns(new).items():
                setattr(row, name, value)
        return new

    def revoke(self, key_id: str, etag: str = "") -> ApiKeyRecord:
        """Revokes a key for good; revoking a revoked key changes nothing."""
        with write_transaction(self.engine) as (session, revision):
            row = _row(session, key_id)
            current = row_to_record(row)
            _check_etag(current, etag)
            if current.revoked_at is not None:
                session.rollback()
                return current
            stamp = now()
            row.revoked_at, row.updated_at, row.revision = stamp, stamp, revision
            return replace(current, revoked_at=stamp, updated_at=stamp, revision=revision)


def _row(session: Session, key_id: str) -> ApiKeyRow:
    row = session.get(ApiKeyRow, key_id) if keys.ID.match(key_id) else None
    if row is None:
        raise GatewayError(
            Reason.API_KEY_NOT_FOUND, f"no API key has id {key_id!r}", metadata={"key": key_id[:32]}
        )
    return row


def _check(rec: ApiKeyRecord) -> None:
    violations = keys.validate(rec)
    if violations:
        raise invalid_request(violations)


def _check_etag(current: ApiKeyRecord, etag: str) -> None:
    if etag and etag != current.etag:
        raise GatewayError(
            Reason.ETAG_MISMATCH,
            f"API key {current.id} changed since etag {etag!r} (now {current.etag!r}); read it and retry",
            metadata={"key": current.id, "etag": current.etag},
        )


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # SQLite keeps no zone; the registry writes UTC
    return value


def row_to_record(row: ApiKeyRow) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row.key_id,
        name=row.name or "",
        labels={str(k): str(v) for k, v in (row.labels or {}).items()},
        expire_time=_utc(row.expires_at),
        allowed_models=tuple(str(p) for p in row.allowed_models or ()),
        limits=keys.limits_from_json(row.limits),
        model_limits=tuple(
            (str(entry["model"]), keys.limits_from_json(entry)) for entry in row.model_limits or ()
        ),
        disabled=bool(row.disabled),
        shared_cache=bool(row.shared_cache),
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        revoked_at=_utc(row.revoked_at),
        revision=int(row.revision),
        digest=row.digest,
    )


def record_to_columns(rec: ApiKeyRecord) -> dict[str, Any]:
    return {
        "key_id": rec.id,
        "digest": rec.digest,
        "name": rec.name,
        "labels": dict(rec.labels),
        "expires_at": rec.expire_time,
        "allowed_models": list(rec.allowed_models),
        "limits": keys.limits_to_json(rec.limits),
        "model_limits": [{"model": m, **keys.limits_to_json(lim)} for m, lim in rec.model_limits],
        "disabled": rec.disabled,
        "shared_cache": rec.shared_cache,
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "revoked_at": rec.revoked_at,
        "revision": rec.revision,
    }
