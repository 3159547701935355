"""The ledger's fixture `store` (a migrated registry database, SQLite and PostgreSQL), for
the rebuild tests."""

from tests.unit.ledger.conftest import store  # noqa: F401
