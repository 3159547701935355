"""The registry tables (SQLAlchemy 2). Alembic migrations in `migrations/` create
them; this module is the code's view of the current (head) schema.

`llm_models` is derived from `core.models.Model`: one column per field, named
like the field. Strings, numbers, booleans, times and enums get columns of their
own (string lengths and integer widths from the field's bounds); collections and
nested records are JSON. A new model field is a new column here with no edit;
its migration adds it (tests/unit/registry/test_migrations.py compares the two)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from llmgateway.core.fields import FieldInfo, describe
from llmgateway.core.models import Model

ENUM_LENGTH = 32
_INT32_MAX = 2**31 - 1


class Base(DeclarativeBase):
    pass


def column_type(info: FieldInfo) -> TypeEngine[Any]:
    if not info.is_scalar:
        return JSON()
    if info.is_enum:
        return String(ENUM_LENGTH)
    if info.kind is str:
        return String(info.max_length)
    if info.kind is bool:
        return Boolean()
    if info.kind is int:
        return BigInteger() if info.range is None or info.range.hi > _INT32_MAX else Integer()
    if info.kind is float:
        return Float()
    assert info.kind is datetime
    return DateTime(timezone=True)


def _column(info: FieldInfo) -> Column[Any]:
    # NULL is a stored value only for the optional fields an operator writes (e.g.
    # `retry` unset: the gateway default); the registry always sets its own fields.
    return Column(
        info.name,
        column_type(info),
        primary_key=info.name == "id",
        nullable=info.optional and not info.output_only,
    )


# One registry model: a public id and the upstreams serving it. `revision` is the
# registry revision of the row's last write (its etag); `operator_fields` names the
# fields changed through the Admin API, which syncs leave alone.
models = Table(
    "llm_models",
    Base.metadata,
    *(_column(info) for info in describe(Model)),
    Index("ix_llm_models_provider", "provider"),
    Index("ix_llm_models_is_available", "is_available"),
)


class RegistryState(Base):
    """A single row whose `revision` every write bumps in the same transaction:
    the cheap marker replicas poll, and the lock that serializes writers."""

    __tablename__ = "registry_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKeyRow(Base):
    """One API key. `digest` is the HMAC-SHA256 (hex) of the secret under the
    server's key-hashing secret; the secret itself is never stored. `revision` is
    the registry revision of the row's last write (its etag)."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    allowed_models: Mapped[list[str]] = mapped_column(JSON, default=list)
    limits: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    model_limits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_cache: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    revision: Mapped[int] = mapped_column(BigInteger)


# Sessions of virtual models with memory (llmgateway.registry.sessions). Times are Unix
# milliseconds; messages are numbered per session from 0, `first_seq` is the oldest
# one kept and `next_seq` the next one's. `lease_token` is held by the call using the
# session until `lease_until`.
sessions = Table(
    "llm_sessions",
    Base.metadata,
    Column("id", String(128), primary_key=True),
    Column("owner", String(128), nullable=False),
    Column("model", String(200), nullable=False),
    Column("create_ms", BigInteger, nullable=False),
    Column("update_ms", BigInteger, nullable=False),
    Column("expire_ms", BigInteger, nullable=False),
    Column("first_seq", BigInteger, nullable=False),
    Column("next_seq", BigInteger, nullable=False),
    Column("lease_token", String(32), nullable=True),
    Column("lease_until", BigInteger, nullable=True),
    Index("ix_llm_sessions_expire_ms", "expire_ms"),
)

session_messages = Table(
    "llm_session_messages",
    Base.metadata,
    Column("session_id", String(128), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("body", LargeBinary, nullable=False),
    PrimaryKeyConstraint("session_id", "seq"),
)


class Money(TypeDecorator[Decimal]):
    """An exact decimal amount: NUMERIC(28, 12) on PostgreSQL; on SQLite, which has no
    exact decimal type (NUMERIC there is a float), the decimal's text, summed exactly by
    the ledger's own aggregate (llmgateway.ledger.store)."""

    impl = Numeric(28, 12)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(48))
        return dialect.type_descriptor(Numeric(28, 12, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


# The usage ledger (llmgateway.ledger): one row per data-plane call, written in batches.
# `at` is when the call ended (UTC); `cost` NULL means unknown (no usage, or no price);
# `saved` is what a cache hit would have cost. Budgets sum it at start (ledger.store).
usage_ledger = Table(
    "usage_ledger",
    Base.metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("request_id", String(128), nullable=False),
    Column("method", String(32), nullable=False),
    Column("key_id", String(32), nullable=True),
    Column("team", String(200), nullable=True),
    Column("model", String(200), nullable=True),
    Column("provider", String(64), nullable=True),
    Column("deployment", String(200), nullable=True),
    Column("upstream_model", String(200), nullable=True),
    Column("prompt_tokens", BigInteger, nullable=False),
    Column("completion_tokens", BigInteger, nullable=False),
    Column("cached_prompt_tokens", BigInteger, nullable=False),
    Column("cache_write_tokens", BigInteger, nullable=False),
    Column("reasoning_tokens", BigInteger, nullable=False),
    Column("usage_estimated", Boolean, nullable=False),
    Column("cost", Money, nullable=True),
    Column("currency", String(8), nullable=True),
    Column("saved", Money, nullable=True),
    Column("latency_ms", Float, nullable=False),
    Column("status", String(32), nullable=False),
    Column("reason", String(64), nullable=True),
    Column("cache_status", String(16), nullable=True),
    Column("tags", JSON(none_as_null=True), nullable=True),
    Index("ix_usage_ledger_at", "at"),
    Index("ix_usage_ledger_key_id_at", "key_id", "at"),
    Index("ix_usage_ledger_team_at", "team", "at"),
    Index("ix_usage_ledger_model_at", "model", "at"),
)
