"""Engines for the registry database: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from llmgateway.core.secrets import SCRUBBER

DEFAULT_FILE = "llmgateway/registry.db"


def default_database_path(environ: dict[str, str] | None = None) -> Path:
    """$XDG_DATA_HOME/llmgateway/registry.db, else ~/.local/share/llmgateway/registry.db."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / DEFAULT_FILE


def resolve_url(database_url: str) -> str:
    """The SQLAlchemy URL to use: plain `postgresql://` URLs get the psycopg 3
    driver; an empty URL means the default SQLite file (its directory is created)."""
    if not database_url:
        path = default_database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    url = make_url(database_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return url.render_as_string(hide_password=False)


def safe_url(url: str) -> str:
    """The URL without its password, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)


def create_registry_engine(database_url: str) -> Engine:
    url = resolve_url(database_url)
    parsed = make_url(url)
    SCRUBBER.add(str(parsed.password or ""))  # a driver error may quote the connection string
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        kwargs["connect_args"] = {"timeout": 15}  # wait for another writer's lock
    elif backend == "postgresql":
        # Keepalives notice a vanished server in ~10 s rather than at the TCP timeout.
        connect_args = {
            "connect_timeout": 5,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 3,
        }
        kwargs.update(pool_pre_ping=True, pool_size=4, max_overflow=4, connect_args=connect_args)
    engine = create_engine(url, **kwargs)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets readers (other replicas' polls) proceed while a write is in progress.
        cursor.execute("PRAGMA journal_mode=WAL")
    except Exception:  # e.g. an in-memory database
        pass
    finally:
        cursor.close()


def sqlite_normal_sync(dbapi_connection: Any, _record: Any) -> None:
    """WAL with synchronous=NORMAL: a commit does not wait for fsync (the WAL is synced at
    each checkpoint). A power loss may cost the last writes, never corrupt the file; an
    fsync per write would cost ~2 ms of system CPU. For the engines of the session store
    and the usage ledger only; the registry keeps the default."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
