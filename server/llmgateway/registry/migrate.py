"""Schema migrations (Alembic, scripts in `migrations/`): upgrade, and the
start-up check that refuses a database newer than this code."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

SCRIPT_LOCATION = "llmgateway.registry:migrations"
_PG_LOCK_KEY = 0x11A6_7E57  # advisory lock: replicas starting together migrate one at a time


class SchemaError(RuntimeError):
    """The database schema cannot be used by this version of the gateway."""


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _known(revision: str) -> bool:
    script = ScriptDirectory.from_config(alembic_config())
    return any(rev.revision == revision for rev in script.walk_revisions())


def check_revision(current: str | None, *, upgrading: bool) -> None:
    """Raises SchemaError for a database migrated by a newer gateway, or (when not
    upgrading) for one that is not at this code's head."""
    head = head_revision()
    if current is not None and not _known(current):
        raise SchemaError(
            f"the registry database is at migration {current!r}, which this llmgateway does not know "
            f"(its newest is {head!r}): it was migrated by a newer version. Run that version, or point "
            "registry.database_url at another database"
        )
    if not upgrading and current != head:
        raise SchemaError(
            f"the registry database is at migration {current or 'none (empty)'}, this llmgateway needs "
            f"{head!r}: run `llmgateway migrate` (or set registry.auto_migrate: true)"
        )


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str]:
    """Upgrades the database to `target`; returns (revision before, revision after)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        before = current_revision(conn)
        check_revision(before, upgrading=True)
        command.upgrade(alembic_config(conn), target)
        after = current_revision(conn)
    return before, after or ""


def prepare(engine: Engine, auto_migrate: bool) -> None:
    """What start-up does: upgrade when allowed, else require the head revision."""
    if auto_migrate:
        upgrade(engine)
        return
    with engine.connect() as conn:
        check_revision(current_revision(conn), upgrading=False)
