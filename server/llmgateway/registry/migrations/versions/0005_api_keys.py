"""API keys: public id, keyed hash of the secret, labels, expiry, allowed models,
rate limits, disabled and revoked state.

Revision ID: 0005_api_keys
Revises: 0004_max_output_tokens
Create Date: 2026-02-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_api_keys"
down_revision = "0004_max_output_tokens"
branch_labels = None
depends_on = None

_EMPTY_LIST = sa.text("'[]'")
_EMPTY_OBJECT = sa.text("'{}'")


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("labels", sa.JSON, nullable=False, server_default=_EMPTY_OBJECT),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("allowed_models", sa.JSON, nullable=False, server_default=_EMPTY_LIST),
        sa.Column("limits", sa.JSON, nullable=False, server_default=_EMPTY_OBJECT),
        sa.Column("model_limits", sa.JSON, nullable=False, server_default=_EMPTY_LIST),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_api_keys_revoked_at", "api_keys", ["revoked_at"])


def downgrade() -> None:
    op.drop_index("ix_api_keys_revoked_at", "api_keys")
    op.drop_table("api_keys")
