"""The usage ledger: one row per data-plane call (llmgateway.ledger).

Revision ID: 0009_usage_ledger
Revises: 0008_prices
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_usage_ledger"
down_revision = "0008_prices"
branch_labels = None
depends_on = None

# registry.schema.Money: exact NUMERIC on PostgreSQL, the decimal's text on SQLite.
_MONEY = sa.Numeric(28, 12).with_variant(sa.String(48), "sqlite")
_INDEXES = {
    "ix_usage_ledger_at": ["at"],
    "ix_usage_ledger_key_id_at": ["key_id", "at"],
    "ix_usage_ledger_team_at": ["team", "at"],
    "ix_usage_ledger_model_at": ["model", "at"],
}


def upgrade() -> None:
    op.create_table(
        "usage_ledger",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.Column("team", sa.String(200), nullable=True),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("provider", sa.String(64), nullable=True),
        sa.Column("deployment", sa.String(200), nullable=True),
        sa.Column("upstream_model", sa.String(200), nullable=True),
        sa.Column("prompt_tokens", sa.BigInteger, nullable=False),
        sa.Column("completion_tokens", sa.BigInteger, nullable=False),
        sa.Column("cached_prompt_tokens", sa.BigInteger, nullable=False),
        sa.Column("cache_write_tokens", sa.BigInteger, nullable=False),
        sa.Column("reasoning_tokens", sa.BigInteger, nullable=False),
        sa.Column("usage_estimated", sa.Boolean, nullable=False),
        sa.Column("cost", _MONEY, nullable=True),
        sa.Column("currency", sa.String(8), nullable=True),
        sa.Column("saved", _MONEY, nullable=True),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("cache_status", sa.String(16), nullable=True),
        sa.Column("tags", sa.JSON, nullable=True),
    )
    for name, columns in _INDEXES.items():
        op.create_index(name, "usage_ledger", columns)


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="usage_ledger")
    op.drop_table("usage_ledger")
