"""The repository on SQLite and PostgreSQL: every model field survives a
round trip, writes bump the revision, etags, refused writes leave nothing
behind, the pagination contract, and sync."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import text

from llmgateway.core.deadline import Timeouts
from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.fields import writable
from llmgateway.core.models import (
    Capability,
    Deployment,
    Model,
    Pricing,
    RetryPolicy,
    TimeoutOverrides,
)
from llmgateway.registry.repository import Repository
from tests.unit.registry.samples import FULL_PRICING, full_record


@contextmanager
def refused(reason: Reason) -> Iterator[pytest.ExceptionInfo[GatewayError]]:
    """The repository refuses with this reason (a GatewayError, like every refusal)."""
    with pytest.raises(GatewayError) as info:
        yield info
    assert info.value.reason is reason


MOCK = "llmgateway.providers.mock.MockAdapter"


def mock_record(model_id: str, **kw: object) -> Model:
    fields: dict[str, object] = {
        "provider": "mock",
        "upstream_model": "echo",
        "capabilities": frozenset({Capability.CHAT, Capability.STREAM}),
    }
    fields.update(kw)
    return Model(id=model_id, **fields)  # type: ignore[arg-type]


def written(model: Model) -> dict[str, object]:
    """What an operator wrote (the fields syncs and updates compare)."""
    return {name: getattr(model, name) for name in writable(Model)}


def test_every_field_round_trips(repo: Repository) -> None:
    created = repo.create(full_record())
    assert created.revision == 1 and created.etag == "1" and created.source == "admin"
    stored = repo.get("team/full")
    assert written(stored) == written(full_record())
    assert stored.create_time is not None and stored.create_time.tzinfo is not None
    resolved = stored.timeouts.resolve(Timeouts(10, 60, 60, 600))
    assert resolved == Timeouts(2.0, 60, 15.0, 120.0)  # unset ones follow the defaults
    assert stored.deployments[0].options == {"api_version": "2024-10-21"}
    assert stored.retry == RetryPolicy(4, 0.1, 2.0, 3.0) and stored.pricing == FULL_PRICING
    assert stored.fallback_on == frozenset({"CONTEXT_LENGTH_EXCEEDED"}) and stored.is_available


def test_the_builtin_adapter_is_filled_in(repo: Repository) -> None:
    created = repo.create(mock_record("a/b"))
    assert created.adapter_class == MOCK


def test_writes_bump_the_revision_and_etag(repo: Repository) -> None:
    first = repo.create(mock_record("a/one"))
    repo.create(mock_record("a/two"))
    assert repo.revision() == 2
    updated = repo.update("a/one", lambda m: replace(m, display_name="One"), ["display_name"])
    assert updated.revision == 3 and updated.etag != first.etag
    assert updated.operator_fields == ("display_name",) and updated.create_time == first.create_time
    with refused(Reason.ETAG_MISMATCH):
        repo.update("a/one", lambda m: replace(m, is_available=False), ["is_available"], etag=first.etag)
    with refused(Reason.ETAG_MISMATCH):
        repo.delete("a/one", etag=first.etag)
    assert repo.revision() == 3  # refused writes roll their bump back
    repo.update("a/one", lambda m: replace(m, is_available=False), ["is_available"], etag=updated.etag)
    assert repo.delete("a/one", etag=repo.get("a/one").etag) == 5
    with refused(Reason.MODEL_NOT_FOUND):
        repo.get("a/one")


def test_duplicates_and_unknown_ids(repo: Repository) -> None:
    repo.create(mock_record("a/one"))
    with refused(Reason.MODEL_ALREADY_EXISTS):
        repo.create(mock_record("a/one"))
    with refused(Reason.MODEL_NOT_FOUND):
        repo.update("a/none", lambda m: m, ["display_name"])
    with refused(Reason.MODEL_NOT_FOUND):
        repo.delete("a/none")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"adapter_class": "no.such.Adapter"}, "model.adapter_class"),
        ({"adapter_class": "llmgateway.core.models.Pricing"}, "model.adapter_class"),
        ({"base_url": "ftp://example.com"}, "model.base_url"),
        ({"base_url": "https://user:pw@example.com"}, "model.base_url"),
        ({"pricing": Pricing(output_per_million=Decimal(-1))}, "model.pricing.output_per_million"),
        ({"credential_ref": "sk-live-1234"}, "model.credential_ref"),
        ({"credential_ref": "file:relative/path"}, "model.credential_ref"),
        ({"credential_ref": "gsk_8hF2kQ9xLm3NpR7tVw1YzA4bC6dE"}, "model.credential_ref"),  # a pasted key
        ({"credential_ref": "LLMGATEWAY_ADMIN_TOKEN"}, "model.credential_ref"),
        ({"credential_ref": "HOME"}, "model.credential_ref"),
        ({"credential_ref": "file:/etc/shadow"}, "model.credential_ref"),
        ({"credential_ref": "file:/run/secrets/../../etc/shadow"}, "model.credential_ref"),
        (
            {"deployments": (Deployment("d", "mock", "m", MOCK, credential_ref="PATH"),)},
            "model.deployments[0].credential_ref",
        ),
        ({"capabilities": frozenset()}, "model.capabilities"),
        ({"id": "bad id"}, "model.id"),
        ({"id": "a//b"}, "model.id"),
        ({"fallbacks": ("x/self",)}, "model.fallbacks[0]"),
        ({"provider": "Bad Provider"}, "model.provider"),
        ({"context_length": -1}, "model.context_length"),
        ({"timeouts": TimeoutOverrides(total=0)}, "model.timeouts.total"),
        ({"weight": 0.0}, "model.weight"),
        ({"retry": RetryPolicy(multiplier=0.5)}, "model.retry.multiplier"),
        ({"deployments": (Deployment("primary", "mock", "m", MOCK),)}, "model.deployments[0].id"),
        ({"deployments": (Deployment("d", "mock", "m", "nope.Nope"),)}, "model.deployments[0].adapter_class"),
    ],
)
def test_invalid_rows_are_refused_and_nothing_is_written(
    repo: Repository, change: dict[str, object], field: str
) -> None:
    record = replace(mock_record("x/self"), **change)  # type: ignore[arg-type]
    with refused(Reason.INVALID_REQUEST) as info:
        repo.create(record)
    assert field in [f for f, _ in info.value.field_violations]
    assert repo.load().models == [] and repo.revision() == 0
    repo.create(mock_record("x/self"))
    with refused(Reason.INVALID_REQUEST):
        repo.update("x/self", lambda m: replace(m, **change), list(change))  # type: ignore[arg-type]
    assert written(repo.get("x/self")) == written(mock_record("x/self", adapter_class=MOCK))
    assert repo.revision() == 1 and repo.get("x/self").display_name == ""


def test_a_secret_file_reference_is_accepted(repo: Repository) -> None:
    repo.create(replace(mock_record("x/file"), credential_ref="file:/run/secrets/openai-key"))
    assert repo.get("x/file").credential_ref == "file:/run/secrets/openai-key"


def test_an_azure_model_needs_a_base_url(repo: Repository) -> None:
    with refused(Reason.INVALID_REQUEST) as info:
        repo.create(Model("az/x", "azure", "dep", capabilities=frozenset({Capability.CHAT})))
    assert info.value.field_violations == [
        ("model.base_url", "is required: the adapter has no public endpoint")
    ]


def test_unreadable_rows_are_reported_not_fatal(repo: Repository) -> None:
    repo.create(mock_record("a/good"))
    repo.create(mock_record("a/bad"))
    with repo.engine.begin() as conn:
        conn.execute(text("UPDATE llm_models SET capabilities = '[\"telepathy\"]' WHERE id = 'a/bad'"))
    loaded = repo.load()
    assert [m.id for m in loaded.models] == ["a/good"]
    assert [model_id for model_id, _ in loaded.broken] == ["a/bad"]


@pytest.mark.parametrize(
    ("column", "sql"),
    [
        ("timeouts", """'{"total": 1e12}'"""),  # beyond a protobuf Duration: GetModel could not render it
        ("pricing", """'{"input_per_million": -1}'"""),
        ("weight", "0"),
        ("fallback_on", """'["ETAG_MISMATCH"]'"""),
        ("routing", "'round_robin'"),
    ],
)
def test_a_row_that_fails_validation_is_broken_not_poison(repo: Repository, column: str, sql: str) -> None:
    repo.create(mock_record("a/good"))
    repo.create(mock_record("a/bad"))
    with repo.engine.begin() as conn:  # e.g. written by hand, or by an older gateway
        conn.execute(text(f"UPDATE llm_models SET {column} = {sql} WHERE id = 'a/bad'"))
    loaded = repo.load()
    assert [m.id for m in loaded.models] == ["a/good"]
    assert [model_id for model_id, _ in loaded.broken] == ["a/bad"] and column in loaded.broken[0][1]
    page, more, _ = repo.list()
    assert [m.id for m in page] == ["a/good"] and not more  # skipped, not a failed listing
    for read in (lambda: repo.get("a/bad"), lambda: repo.update("a/bad", lambda m: m, ["display_name"])):
        with refused(Reason.MODEL_MISCONFIGURED) as info:
            read()
        assert column in info.value.message and "delete it" in info.value.message
    report = repo.sync([mock_record("a/bad")])
    assert [(i, f) for i, f, _ in report.errors] == [("a/bad", "model")]
    repo.delete("a/bad")
    assert repo.load().broken == []


def test_pagination_contract_with_filters(repo: Repository) -> None:
    for i in range(7):
        caps = {Capability.CHAT} if i % 2 else {Capability.EMBED}
        repo.create(mock_record(f"p/m{i}", capabilities=frozenset(caps), is_available=i != 3))
    repo.create(full_record("z/openai"))

    def pages(**filters: object) -> list[list[str]]:
        out, after = [], ""
        while True:
            page, more, _ = repo.list(after=after, limit=2, **filters)  # type: ignore[arg-type]
            out.append([m.id for m in page])
            if not more:
                return out
            after = page[-1].id

    assert pages() == [["p/m0", "p/m1"], ["p/m2", "p/m3"], ["p/m4", "p/m5"], ["p/m6", "z/openai"]]
    assert pages(provider="mock", capability=Capability.CHAT) == [["p/m1", "p/m3"], ["p/m5"]]
    assert pages(is_available=False) == [["p/m3"]]
    assert pages(is_available=True, capability=Capability.EMBED) == [["p/m0", "p/m2"], ["p/m4", "p/m6"]]
    assert pages(provider="nobody") == [[]]


def test_sync_adds_then_is_idempotent(repo: Repository) -> None:
    sources = [mock_record("mock/echo"), mock_record("mock/other", display_name="Other")]
    first = repo.sync(sources)
    assert (first.added, first.changed, first.unchanged) == (["mock/echo", "mock/other"], [], [])
    assert first.revision == 1 and repo.get("mock/echo").source == "sync"
    second = repo.sync(sources)
    assert (second.added, second.changed, second.unchanged) == ([], [], ["mock/echo", "mock/other"])
    assert second.revision == 1 == repo.revision()  # nothing written, replicas need not reload


def test_sync_refreshes_synced_fields_but_not_operator_changes(repo: Repository) -> None:
    repo.sync([mock_record("mock/echo", context_length=100, display_name="Echo")])
    repo.update("mock/echo", lambda m: replace(m, display_name="Ours", is_available=False), ["display_name"])
    report = repo.sync([mock_record("mock/echo", context_length=200, display_name="Echo v2")])
    assert report.changed == ["mock/echo"]
    stored = repo.get("mock/echo")
    assert stored.context_length == 200  # refreshed from the source
    assert stored.display_name == "Ours"  # the operator's change is kept
    assert stored.operator_fields == ("display_name",)
    # is_available was changed in the same write but not named by the update: the source wins.
    assert stored.is_available
    again = repo.sync([mock_record("mock/echo", context_length=200, display_name="Echo v3")])
    assert again.unchanged == ["mock/echo"]


def test_sync_leaves_admin_rows_alone_and_reports_invalid_sources(repo: Repository) -> None:
    repo.create(mock_record("team/mine", display_name="Mine"))
    report = repo.sync(
        [
            mock_record("team/mine", display_name="From config"),
            mock_record("bad/price", pricing=Pricing(input_per_million=Decimal(-2))),
            mock_record("x/unimportable", adapter_class="some.plugin.Adapter", base_url="http://h:1"),
        ]
    )
    assert report.unchanged == ["team/mine"] and repo.get("team/mine").display_name == "Mine"
    assert [(i, f) for i, f, _ in report.errors] == [("bad/price", "model.pricing.input_per_million")]
    # A configured adapter this process cannot import is stored; the router reports it per model.
    assert report.added == ["x/unimportable"]


def test_sync_dry_run_writes_nothing(repo: Repository) -> None:
    report = repo.sync([mock_record("mock/echo")], dry_run=True)
    assert report.added == ["mock/echo"] and report.revision == 0
    assert repo.load().models == [] and repo.revision() == 0
