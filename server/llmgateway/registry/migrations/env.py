"""Alembic environment for the registry. `llmgateway migrate` passes a
connection in `config.attributes["connection"]`; the alembic CLI may instead
set `sqlalchemy.url`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from llmgateway.registry.db import create_registry_engine
from llmgateway.registry.schema import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_registry_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
