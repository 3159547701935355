"""The model registry: SQLAlchemy tables and Alembic migrations (`schema`,
`migrations/`, `migrate`), the repository (`repository`), what a sync writes
(`sources`), and the live snapshot the router reads (`catalog`, `runtime`)."""
