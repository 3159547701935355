"""Adapters describe themselves, sync sources, adapter resolution and the snapshot catalog."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from llmgateway.config import Settings
from llmgateway.core.models import Capability, Model, Pricing
from llmgateway.core.router import load_adapter_class
from llmgateway.providers.builtin import BUILTIN_ADAPTERS
from llmgateway.providers.presets import PRESETS
from llmgateway.providers.prices import price_list
from llmgateway.registry.catalog import Snapshot, SnapshotCatalog, build_snapshot
from llmgateway.registry.db import default_database_path, resolve_url
from llmgateway.registry.records import check_adapter_class
from llmgateway.registry.repository import Loaded, Repository
from llmgateway.registry.sources import sync_sources


@pytest.mark.parametrize(("provider", "dotted"), sorted(BUILTIN_ADAPTERS.items()))
def test_every_builtin_adapter_imports_and_describes_its_models(provider: str, dotted: str) -> None:
    problem, _ = check_adapter_class(dotted)
    assert problem == ""
    cls = load_adapter_class(dotted)
    specs = cls.supported_models()
    assert cls.provider == provider or provider in ("azure", *PRESETS)
    for spec in specs:
        assert spec.upstream_model and spec.capabilities


def test_adapter_resolution_errors_name_the_problem() -> None:
    assert "cannot be imported" in check_adapter_class("no.such.module.Adapter")[0]
    assert "cannot be imported" in check_adapter_class("llmgateway.providers.mock.Nope")[0]
    assert check_adapter_class("llmgateway.core.models.Pricing")[0] == "is not an adapter class"


def test_sources_are_the_config_then_keyed_providers() -> None:
    settings = Settings(
        models=[
            {
                "id": "local/llama3",
                "provider": "openai",
                "upstream_model": "llama3.1:8b",
                "base_url": "http://127.0.0.1:11434/v1",
                "timeouts": {"first_token": 30, "total": 300},
                "pricing": {"input_per_million": 0.1},
            },
            {"id": "mock/echo", "provider": "mock", "upstream_model": "echo", "display_name": "Mine"},
        ]
    )
    records = {r.id: r for r in sync_sources(settings, environ={})}
    assert "openai/gpt-4o-mini" not in records and "anthropic/claude-sonnet-4-5" not in records
    assert records["mock/echo"].display_name == "Mine"  # the config wins over the adapter's default
    assert {"mock/embed", "mock/image"} <= set(records)
    llama = records["local/llama3"]
    assert llama.timeouts.first_token == 30 and llama.timeouts.connect is None  # only what it set
    assert llama.pricing is not None and llama.pricing.input_per_million == Decimal("0.1")
    assert llama.credential_ref == ""
    assert records["mock/embed"].timeouts.total is None  # defaults follow default_timeouts
    keyed = {r.id for r in sync_sources(settings, environ={"OPENAI_API_KEY": "k"})}
    assert any(i.startswith("openai/") for i in keyed)
    everything = {r.id for r in sync_sources(settings, environ={}, all_providers=True)}
    assert any(i.startswith("openai/") for i in everything) and any(
        i.startswith("anthropic/") for i in everything
    )


def test_the_price_list_fills_prices_on_sync_and_an_operators_price_stays(repo: Repository) -> None:
    settings = Settings(
        models=[
            {"id": "team/mini", "provider": "openai", "upstream_model": "gpt-4o-mini", "credential_ref": ""},
            {
                "id": "team/own",
                "provider": "openai",
                "upstream_model": "gpt-4o",
                "pricing": {"input_per_million": 9},
            },
            {
                "id": "team/local",
                "provider": "openai",
                "upstream_model": "llama3",
                "base_url": "http://h:1/v1",
            },
        ]
    )
    sources = {m.id: m for m in sync_sources(settings, environ={})}
    listed = price_list().get("openai", "gpt-4o-mini")
    assert sources["team/mini"].pricing == listed  # a YAML entry of a known model
    assert sources["mock/echo"].pricing == price_list().get("mock", "echo")  # the adapters' own models
    own = sources["team/own"].pricing
    assert own is not None and own.input_per_million == 9 and own.cached_input_per_million is None
    assert sources["team/local"].pricing is None  # not on the list: unknown, not free
    repo.sync(list(sources.values()))
    operator = Pricing(input_per_million=Decimal("0.01"))
    repo.update("mock/echo", lambda m: replace(m, pricing=operator), ["pricing"])
    report = repo.sync(sync_sources(settings, environ={}))
    assert "mock/echo" not in report.changed and report.errors == []
    assert repo.get("mock/echo").pricing == operator  # the operator's price survives the sync


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"timeouts": {"total": 1e12}}, "model.timeouts.total"),
        ({"weight": float("nan")}, "model.weight"),
        ({"pricing": {"input_per_million": "-0.5"}}, "model.pricing.input_per_million"),
        ({"cooldown": {"window": 0}}, "model.cooldown.window"),
        ({"provider": "azure", "upstream_model": "dep"}, "model.base_url"),  # no public endpoint
        (
            {"deployments": [{"id": "primary", "provider": "mock", "upstream_model": "e"}]},
            "model.deployments[0].id",
        ),
    ],
)
def test_an_invalid_yaml_entry_is_a_sync_error_with_its_field(
    repo: Repository, given: dict[str, object], field: str
) -> None:
    entry = {"id": "team/bad", "provider": "mock", "upstream_model": "echo"} | given
    settings = Settings(models=[entry, {"id": "team/good", "provider": "mock", "upstream_model": "echo"}])
    report = repo.sync(sync_sources(settings, environ={}))
    assert [(i, f) for i, f, _ in report.errors] == [("team/bad", field)]
    assert "team/good" in report.added and "team/bad" not in report.added


def test_default_database_location(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    assert str(default_database_path({"XDG_DATA_HOME": "/data"})) == "/data/llmgateway/registry.db"
    assert str(default_database_path({})).endswith(".local/share/llmgateway/registry.db")
    assert resolve_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert resolve_url("").startswith("sqlite:///") and resolve_url("").endswith("llmgateway/registry.db")


def _record(model_id: str, available: bool = True) -> Model:
    return Model(
        model_id, "mock", "echo", "llmgateway.providers.mock.MockAdapter",
        capabilities=frozenset({Capability.CHAT}), is_available=available,
    )  # fmt: skip


def test_snapshot_catalog_serves_all_rows_and_ignores_older_snapshots() -> None:
    loaded = Loaded(5, [_record("b/x"), _record("a/x", available=False)], [("c/x", "ValueError")])
    snapshot = build_snapshot(loaded)
    catalog = SnapshotCatalog(snapshot)
    assert catalog.revision == "5"
    assert [m.id for m in catalog.list()] == ["a/x", "b/x"]
    disabled = catalog.get("a/x")
    assert disabled is not None and not disabled.is_available  # kept, so the router says MODEL_DISABLED
    assert catalog.get("c/x") is None and snapshot.broken == (("c/x", "ValueError"),)
    assert not catalog.swap(Snapshot(4, {}, ()))
    assert catalog.revision == "5"
    assert catalog.swap(Snapshot(6, {}, ())) and catalog.list() == ()
