"""The registry tables (SQLAlchemy 2). Alembic migrations in `migrations/` create
them; this module is the code's view of the current (head) schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ModelRow(Base):
    """One registry model: a public id and the upstream serving it.

    List- and mapping-valued fields are JSON; `revision` is the registry
    revision of the row's last write (its etag). `operator_fields` names the
    fields changed through the Admin API, which syncs leave alone."""

    __tablename__ = "llm_models"

    model_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    provider: Mapped[str] = mapped_column(String(64), index=True)
    upstream_model: Mapped[str] = mapped_column(String(200))
    adapter_class: Mapped[str] = mapped_column(String(300))
    base_url: Mapped[str] = mapped_column(String(2000), default="")
    credential_ref: Mapped[str] = mapped_column(String(200), default="")
    display_name: Mapped[str] = mapped_column(String(200), default="")
    context_length: Mapped[int] = mapped_column(Integer, default=0)
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    input_price_per_million: Mapped[float] = mapped_column(Float, default=0.0)
    output_price_per_million: Mapped[float] = mapped_column(Float, default=0.0)
    cached_input_price_per_million: Mapped[float] = mapped_column(Float, default=0.0)
    fallbacks: Mapped[list[str]] = mapped_column(JSON, default=list)
    fallback_on: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_available: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    # Upstream timeouts in seconds; NULL follows the gateway's default_timeouts.
    timeout_connect_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    timeout_first_token_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    timeout_idle_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    timeout_total_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    deployments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    routing: Mapped[str] = mapped_column(String(32), default="weighted")
    retry: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # NULL: gateway default
    cooldown: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="sync")  # "sync" or "admin"
    operator_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(BigInteger)


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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    revision: Mapped[int] = mapped_column(BigInteger)
