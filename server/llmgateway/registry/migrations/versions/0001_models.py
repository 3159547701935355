"""The models table and the registry revision marker.

Revision ID: 0001_models
Revises:
Create Date: 2026-01-10
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0001_models"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "llm_models",
        sa.Column("model_id", sa.String(200), primary_key=True),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("upstream_model", sa.String(200), nullable=False),
        sa.Column("adapter_class", sa.String(300), nullable=False),
        sa.Column("base_url", sa.String(2000), nullable=False, server_default=""),
        sa.Column("credential_ref", sa.String(200), nullable=False, server_default=""),
        sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("context_length", sa.Integer, nullable=False, server_default="0"),
        sa.Column("capabilities", sa.JSON, nullable=False),
        sa.Column("input_price_per_million", sa.Float, nullable=False, server_default="0"),
        sa.Column("output_price_per_million", sa.Float, nullable=False, server_default="0"),
        sa.Column("cached_input_price_per_million", sa.Float, nullable=False, server_default="0"),
        sa.Column("fallbacks", sa.JSON, nullable=False),
        sa.Column("is_available", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_llm_models_provider", "llm_models", ["provider"])
    op.create_index("ix_llm_models_is_available", "llm_models", ["is_available"])
    state = op.create_table(
        "registry_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.bulk_insert(state, [{"id": 1, "revision": 0, "updated_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("registry_state")
    op.drop_index("ix_llm_models_is_available", "llm_models")
    op.drop_index("ix_llm_models_provider", "llm_models")
    op.drop_table("llm_models")
