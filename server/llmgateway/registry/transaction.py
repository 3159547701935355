"""The one write transaction of the registry database (models and API keys alike):
it bumps `registry_state.revision` first, which takes the writers' lock, makes etag
checks atomic and is the marker other replicas poll."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from llmgateway.core.errors import GatewayError, Reason
from llmgateway.registry.schema import RegistryState


def now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def write_transaction(engine: Engine, commit: bool = True) -> Iterator[tuple[Session, int]]:
    """A transaction that first bumps the registry revision (taking the writers'
    lock); commits on success, rolls back on any exception. Every registry write
    (models and API keys) goes through it, so replicas see every change."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            session.execute(
                update(RegistryState)
                .where(RegistryState.id == 1)
                .values(revision=RegistryState.revision + 1, updated_at=now())
            )
            revision = current_revision(session)
            yield session, revision
            if commit and session.in_transaction():
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise


def current_revision(session: Session) -> int:
    value = session.scalar(select(RegistryState.revision).where(RegistryState.id == 1))
    if value is None:
        raise GatewayError(
            Reason.REGISTRY_UNAVAILABLE,
            "the registry database has no registry_state row; run `llmgateway migrate`",
        )
    return int(value)
