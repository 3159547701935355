"""An embedding model's `embedding_dimensions` (0: unknown) and `truncate_dimensions`.

Revision ID: 0011_embedding_dimensions
Revises: 0009_usage_ledger
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_embedding_dimensions"
down_revision = "0009_usage_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("llm_models") as table:
        table.add_column(sa.Column("embedding_dimensions", sa.Integer, nullable=False, server_default="0"))
        table.add_column(
            sa.Column("truncate_dimensions", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("llm_models") as table:
        table.drop_column("truncate_dimensions")
        table.drop_column("embedding_dimensions")
