"""An API key's `shared_cache`: whether it uses the response cache's shared namespace.

Revision ID: 0012_api_key_shared_cache
Revises: 0011_embedding_dimensions
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_api_key_shared_cache"
down_revision = "0011_embedding_dimensions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as table:
        table.add_column(sa.Column("shared_cache", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as table:
        table.drop_column("shared_cache")
