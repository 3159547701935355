"""One model shape: columns are named like the model's fields (`id`, `create_time`,
`update_time`), and prices and timeouts are one JSON column each (`pricing`,
`timeouts`), like every other nested value of the model.

Revision ID: 0003_model_shape
Revises: 0002_routing_policies
Create Date: 2026-02-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_model_shape"
down_revision = "0002_routing_policies"
branch_labels = None
depends_on = None

_EMPTY_OBJECT = sa.text("'{}'")
_RENAMED = {"model_id": "id", "created_at": "create_time", "updated_at": "update_time"}
# Model field -> the column it had.
_PRICES = {
    "input_per_million": "input_price_per_million",
    "output_per_million": "output_price_per_million",
    "cached_input_per_million": "cached_input_price_per_million",
}
_TIMEOUTS = {name: f"timeout_{name}_s" for name in ("connect", "first_token", "idle", "total")}

_models = sa.table(
    "llm_models",
    sa.column("id", sa.String),
    sa.column("pricing", sa.JSON),
    sa.column("timeouts", sa.JSON),
    *(sa.column(name, sa.Float) for name in (*_PRICES.values(), *_TIMEOUTS.values())),
)


def upgrade() -> None:
    with op.batch_alter_table("llm_models") as table:
        for old, new in _RENAMED.items():
            table.alter_column(old, new_column_name=new)
        for name in ("pricing", "timeouts"):
            table.add_column(sa.Column(name, sa.JSON, nullable=False, server_default=_EMPTY_OBJECT))
    conn = op.get_bind()
    for row in conn.execute(sa.select(_models)).mappings().all():
        conn.execute(
            _models.update()
            .where(_models.c.id == row["id"])
            .values(
                pricing={field: row[column] for field, column in _PRICES.items()},
                timeouts={field: row[column] for field, column in _TIMEOUTS.items()},
            )
        )
    with op.batch_alter_table("llm_models") as table:
        for column in (*_PRICES.values(), *_TIMEOUTS.values()):
            table.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("llm_models") as table:
        for column in _PRICES.values():
            table.add_column(sa.Column(column, sa.Float, nullable=False, server_default="0"))
        for column in _TIMEOUTS.values():
            table.add_column(sa.Column(column, sa.Float, nullable=True))
    conn = op.get_bind()
    for row in conn.execute(sa.select(_models)).mappings().all():
        pricing, timeouts = row["pricing"] or {}, row["timeouts"] or {}
        conn.execute(
            _models.update()
            .where(_models.c.id == row["id"])
            .values(
                {column: pricing.get(field, 0.0) for field, column in _PRICES.items()}
                | {column: timeouts.get(field) for field, column in _TIMEOUTS.items()}
            )
        )
    with op.batch_alter_table("llm_models") as table:
        table.drop_column("timeouts")
        table.drop_column("pricing")
        for old, new in _RENAMED.items():
            table.alter_column(new, new_column_name=old)
