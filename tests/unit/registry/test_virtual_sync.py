"""Virtual models written by a sync (YAML `models:`) on SQLite and PostgreSQL: their
targets may be other sources of the same sync; one whose target is missing, lacks a
capability it promises or loops is reported and not written, the others are."""

from __future__ import annotations

from llmgateway.core.models import Capability, Model
from llmgateway.core.virtual import ModelKind, RouteTarget, RoutingRule, VirtualModel
from llmgateway.registry.repository import Repository

CHAT = frozenset({Capability.CHAT})


def upstream(model_id: str, capabilities: frozenset[Capability] = CHAT) -> Model:
    return Model(id=model_id, provider="mock", upstream_model="echo", capabilities=capabilities)


def virtual(model_id: str, default: str, *targets: str, capabilities: frozenset[Capability] = CHAT) -> Model:
    rules = (RoutingRule("r", targets=tuple(RouteTarget(t) for t in targets)),) if targets else ()
    return Model(
        id=model_id,
        kind=ModelKind.VIRTUAL,
        capabilities=capabilities,
        virtual=VirtualModel(default_target=default, rules=rules),
    )


def test_a_sync_writes_virtual_models_whose_targets_it_brings(repo: Repository) -> None:
    report = repo.sync([virtual("v/ok", "m/a", "v/inner"), virtual("v/inner", "m/a"), upstream("m/a")])
    assert sorted(report.added) == ["m/a", "v/inner", "v/ok"] and report.errors == []
    assert repo.get("v/ok").virtual == virtual("v/ok", "m/a", "v/inner").virtual


def test_a_sync_reports_virtual_models_it_cannot_serve(repo: Repository) -> None:
    report = repo.sync(
        [
            upstream("m/a"),
            virtual("v/missing", "m/none"),
            virtual("v/unable", "m/a", capabilities=frozenset({Capability.CHAT, Capability.TOOLS})),
            virtual("v/one", "v/two"),
            virtual("v/two", "v/one"),
        ]
    )
    assert report.added == ["m/a"]
    found = {(model_id, field) for model_id, field, _ in report.errors}
    assert found == {
        ("v/missing", "model.virtual.default_target"),
        ("v/unable", "model.virtual.default_target"),
        ("v/one", "model.virtual"),
        ("v/two", "model.virtual"),
    }
