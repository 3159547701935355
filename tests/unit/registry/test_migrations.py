"""Alembic migrations: up from empty, up from the previous revision with data in
it, the schema matching the SQLAlchemy models, and refusing a newer database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from llmgateway.core.models import Pricing
from llmgateway.registry import migrate
from llmgateway.registry.repository import Repository
from llmgateway.registry.schema import Base

PREVIOUS = "0001_models"


def test_upgrade_from_empty(engine: Engine) -> None:
    before, after = migrate.upgrade(engine)
    assert (before, after) == (None, migrate.head_revision())
    tables = set(inspect(engine).get_table_names())
    assert {"llm_models", "registry_state", "alembic_version"} <= tables
    assert Repository(engine).revision() == 0
    assert migrate.upgrade(engine) == (after, after)  # idempotent


def test_schema_matches_the_models(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_from_the_previous_revision_keeps_rows(engine: Engine) -> None:
    migrate.upgrade(engine, PREVIOUS)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO llm_models (model_id, provider, upstream_model, adapter_class, capabilities, "
                "fallbacks, input_price_per_million, is_available, created_at, updated_at, revision) "
                "VALUES ('old/model', 'mock', 'echo', 'llmgateway.providers.mock.MockAdapter', "
                "'[\"chat\"]', '[\"mock/echo\"]', 1.5, false, :now, :now, 1)"
            ),
            {"now": datetime.now(UTC)},
        )
    assert migrate.upgrade(engine) == (PREVIOUS, migrate.head_revision())
    loaded = Repository(engine).load()
    assert loaded.broken == []
    (model,) = loaded.models
    assert model.id == "old/model" and model.fallbacks == ("mock/echo",) and not model.is_available
    assert model.pricing.input_per_million == 1.5
    # The columns 0002 added got their defaults.
    assert model.options == {} and model.deployments == () and model.weight == 1.0
    assert model.routing.value == "weighted" and model.retry is None and model.fallback_on == frozenset()
    assert model.source == "sync" and model.operator_fields == ()


def test_0003_moves_prices_and_timeouts_into_the_models_json_and_back(engine: Engine) -> None:
    migrate.upgrade(engine, "0002_routing_policies")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO llm_models (model_id, provider, upstream_model, adapter_class, capabilities, "
                "fallbacks, input_price_per_million, cached_input_price_per_million, timeout_connect_s, "
                "timeout_total_s, is_available, created_at, updated_at, revision) "
                "VALUES ('old/model', 'mock', 'echo', 'llmgateway.providers.mock.MockAdapter', '[\"chat\"]', "
                "'[]', 1.5, 0.25, 3, 90, true, :now, :now, 7)"
            ),
            {"now": datetime.now(UTC)},
        )
    migrate.upgrade(engine)
    (model,) = Repository(engine).load().models
    assert (model.pricing.input_per_million, model.pricing.cached_input_per_million) == (1.5, 0.25)
    assert (model.timeouts.connect, model.timeouts.idle, model.timeouts.total) == (3, None, 90)
    assert model.create_time is not None and model.revision == 7
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0002_routing_policies")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM llm_models")).mappings().one()
    assert (row["model_id"], row["input_price_per_million"], row["timeout_total_s"]) == ("old/model", 1.5, 90)
    assert row["timeout_idle_s"] is None and row["output_price_per_million"] == 0


def test_downgrade_and_upgrade_again(engine: Engine) -> None:
    migrate.upgrade(engine)
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), PREVIOUS)
    assert "routing" not in {c["name"] for c in inspect(engine).get_columns("llm_models")}
    migrate.upgrade(engine)
    assert "routing" in {c["name"] for c in inspect(engine).get_columns("llm_models")}


def test_a_newer_database_is_refused(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    for attempt in (lambda: migrate.upgrade(engine), lambda: migrate.prepare(engine, auto_migrate=False)):
        with pytest.raises(migrate.SchemaError, match=r"0099_from_the_future.*newer version"):
            attempt()


def test_an_old_database_is_refused_without_auto_migrate(engine: Engine) -> None:
    migrate.upgrade(engine, PREVIOUS)
    with pytest.raises(migrate.SchemaError, match="llmgateway migrate"):
        migrate.prepare(engine, auto_migrate=False)
    migrate.prepare(engine, auto_migrate=True)
    with engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()


def test_0008_makes_prices_exact_and_no_price_unknown(engine: Engine) -> None:
    migrate.upgrade(engine, "0007_sessions")
    insert = text(
        "INSERT INTO llm_models (id, provider, upstream_model, adapter_class, capabilities, fallbacks, "
        "pricing, create_time, update_time, revision) VALUES (:id, 'mock', 'echo', "
        "'llmgateway.providers.mock.MockAdapter', '[\"chat\"]', '[]', :pricing, :now, :now, 1)"
    )

    def floats(i: float, o: float, c: float) -> str:
        return json.dumps({"input_per_million": i, "output_per_million": o, "cached_input_per_million": c})

    rows = {
        "old/priced": floats(0.15, 0.6, 0.075),
        "old/uncached": floats(2.5, 10.0, 0.0),
        "old/zeros": floats(0.0, 0.0, 0.0),
    }
    with engine.begin() as conn:
        for model_id, pricing in rows.items():
            conn.execute(insert, {"id": model_id, "pricing": pricing, "now": datetime.now(UTC)})
    migrate.upgrade(engine)
    models = {m.id: m for m in Repository(engine).load().models}
    priced = models["old/priced"].pricing
    assert priced == Pricing(
        input_per_million=Decimal("0.15"),
        output_per_million=Decimal("0.6"),
        cached_input_per_million=Decimal("0.075"),
    )
    assert str(priced.input_per_million) == "0.15"  # the decimal written, not the float's binary value
    uncached = models["old/uncached"].pricing
    assert uncached is not None and uncached.cached_input_per_million is None  # 0 meant "the input price"
    assert models["old/zeros"].pricing is None  # all zeros meant "no price": unknown, not free
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0007_sessions")
    with engine.connect() as conn:
        back = dict(conn.execute(text("SELECT id, pricing FROM llm_models")).all())
    for model_id in ("old/priced", "old/zeros"):  # SQLite answers JSON as text, PostgreSQL decoded
        stored = back[model_id]
        assert (json.loads(stored) if isinstance(stored, str) else stored) == json.loads(rows[model_id])
