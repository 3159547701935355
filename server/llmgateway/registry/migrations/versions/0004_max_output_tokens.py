"""A model's `max_output_tokens` (0: unknown).

Revision ID: 0004_max_output_tokens
Revises: 0003_model_shape
Create Date: 2026-02-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_max_output_tokens"
down_revision = "0003_model_shape"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("llm_models") as table:
        table.add_column(sa.Column("max_output_tokens", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("llm_models") as table:
        table.drop_column("max_output_tokens")
