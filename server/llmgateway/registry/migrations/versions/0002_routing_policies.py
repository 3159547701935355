"""Routing policies per model: timeouts, options, deployments, routing strategy,
fallback reasons, retry and cooldown; and who changed what (source, operator_fields).

Revision ID: 0002_routing_policies
Revises: 0001_models
Create Date: 2026-01-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_routing_policies"
down_revision = "0001_models"
branch_labels = None
depends_on = None

_EMPTY_LIST = sa.text("'[]'")
_EMPTY_OBJECT = sa.text("'{}'")


def upgrade() -> None:
    with op.batch_alter_table("llm_models") as table:
        table.add_column(sa.Column("fallback_on", sa.JSON, nullable=False, server_default=_EMPTY_LIST))
        for name in ("connect", "first_token", "idle", "total"):
            table.add_column(sa.Column(f"timeout_{name}_s", sa.Float, nullable=True))
        table.add_column(sa.Column("options", sa.JSON, nullable=False, server_default=_EMPTY_OBJECT))
        table.add_column(sa.Column("weight", sa.Float, nullable=False, server_default="1"))
        table.add_column(sa.Column("deployments", sa.JSON, nullable=False, server_default=_EMPTY_LIST))
        table.add_column(sa.Column("routing", sa.String(32), nullable=False, server_default="weighted"))
        table.add_column(sa.Column("retry", sa.JSON, nullable=True))
        table.add_column(sa.Column("cooldown", sa.JSON, nullable=True))
        table.add_column(sa.Column("source", sa.String(16), nullable=False, server_default="sync"))
        table.add_column(sa.Column("operator_fields", sa.JSON, nullable=False, server_default=_EMPTY_LIST))


def downgrade() -> None:
    with op.batch_alter_table("llm_models") as table:
        for name in (
            "operator_fields",
            "source",
            "cooldown",
            "retry",
            "routing",
            "deployments",
            "weight",
            "options",
            "timeout_total_s",
            "timeout_idle_s",
            "timeout_first_token_s",
            "timeout_connect_s",
            "fallback_on",
        ):
            table.drop_column(name)
