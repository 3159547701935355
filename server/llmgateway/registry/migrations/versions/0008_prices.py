"""Exact prices: a model's `pricing` holds decimal strings and a currency, and may be
NULL (unknown cost). Rows of the float shape convert: all zeros (which meant "no
price") become NULL; other prices become the decimal strings they were written as,
a cached-input price of 0 (which meant "the input price") left unset.

Revision ID: 0008_prices
Revises: 0007_sessions
Create Date: 2026-12-02
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008_prices"
down_revision = "0007_sessions"
branch_labels = None
depends_on = None

_FLOAT_PRICES = ("input_per_million", "output_per_million", "cached_input_per_million")
_models = sa.table("llm_models", sa.column("id", sa.String), sa.column("pricing", sa.JSON))


def _text(value: Any) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def upgraded(old: dict[str, Any] | None) -> dict[str, Any] | None:
    """The exact shape of a float-shaped `pricing` (None: unpriced)."""
    prices = {name: (old or {}).get(name) or 0 for name in _FLOAT_PRICES}
    if not any(prices.values()):
        return None
    new = {"currency": "USD"}
    for name, value in prices.items():
        if value or name != "cached_input_per_million":
            new[name] = _text(value)
    return new


def downgraded(new: dict[str, Any] | None) -> dict[str, float]:
    return {name: float((new or {}).get(name) or 0) for name in _FLOAT_PRICES}


def _convert(change: Any) -> None:
    conn = op.get_bind()
    for row in conn.execute(sa.select(_models)).mappings().all():
        conn.execute(_models.update().where(_models.c.id == row["id"]).values(pricing=change(row["pricing"])))


def upgrade() -> None:
    with op.batch_alter_table("llm_models") as table:
        table.alter_column("pricing", existing_type=sa.JSON, nullable=True, server_default=None)
    _convert(upgraded)


def downgrade() -> None:
    _convert(downgraded)
    with op.batch_alter_table("llm_models") as table:
        table.alter_column("pricing", existing_type=sa.JSON, nullable=False)
