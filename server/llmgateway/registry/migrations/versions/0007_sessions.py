"""Virtual models (a model's `kind`, `description` and `virtual`) and the sessions of
virtual models with memory.

Revision ID: 0007_sessions
Revises: 0005_api_keys
Create Date: 2026-02-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_sessions"
down_revision = "0005_api_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("llm_models") as table:
        table.add_column(sa.Column("kind", sa.String(32), nullable=False, server_default="upstream"))
        table.add_column(sa.Column("description", sa.String(2000), nullable=False, server_default=""))
        table.add_column(sa.Column("virtual", sa.JSON, nullable=True))
    op.create_table(
        "llm_sessions",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("create_ms", sa.BigInteger, nullable=False),
        sa.Column("update_ms", sa.BigInteger, nullable=False),
        sa.Column("expire_ms", sa.BigInteger, nullable=False),
        sa.Column("first_seq", sa.BigInteger, nullable=False),
        sa.Column("next_seq", sa.BigInteger, nullable=False),
        sa.Column("lease_token", sa.String(32), nullable=True),
        sa.Column("lease_until", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_llm_sessions_expire_ms", "llm_sessions", ["expire_ms"])
    op.create_table(
        "llm_session_messages",
        sa.Column("session_id", sa.String(128), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("session_id", "seq"),
    )


def downgrade() -> None:
    op.drop_table("llm_session_messages")
    op.drop_index("ix_llm_sessions_expire_ms", table_name="llm_sessions")
    op.drop_table("llm_sessions")
    with op.batch_alter_table("llm_models") as table:
        table.drop_column("virtual")
        table.drop_column("description")
        table.drop_column("kind")
