"""The api_keys table on SQLite and PostgreSQL: writes bump the registry revision
(so replicas reload), etags, revocation, filters and the load of usable keys."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Engine

from llmgateway.core.errors import GatewayError
from llmgateway.core.limits import Limits
from llmgateway.registry.key_repository import KeyRepository
from llmgateway.registry.keys import ApiKeyRecord, KeyHasher
from llmgateway.registry.repository import Repository

HASHER = KeyHasher("unit-secret")


def new(repo: KeyRepository, **fields: object) -> ApiKeyRecord:
    key_id, _, digest = HASHER.new_key()
    return repo.create(ApiKeyRecord(id=key_id, digest=digest, **fields))  # type: ignore[arg-type]


def test_writes_move_the_registry_revision_and_round_trip(repo: Repository, engine: Engine) -> None:
    keys = KeyRepository(engine)
    before = repo.revision()
    created = new(
        keys,
        name="k",
        labels={"team": "pay"},
        allowed_models=("mock/*",),
        limits=Limits(10, 1000, 2),
        model_limits=(("mock/echo", Limits(requests_per_minute=1)),),
    )
    assert repo.revision() == before + 1 and created.etag == str(before + 1)
    assert keys.get(created.id) == created
    updated = keys.update(created.id, lambda k: replace(k, disabled=True, name="x"), created.etag)
    assert updated.disabled and updated.name == "x" and updated.digest == created.digest
    with pytest.raises(GatewayError) as info:
        keys.update(created.id, lambda k: k, created.etag)
    assert info.value.reason == "ETAG_MISMATCH"
    revoked = keys.revoke(created.id)
    assert revoked.revoked_at is not None and keys.revoke(created.id) == revoked  # idempotent
    with pytest.raises(GatewayError) as info:
        keys.update(created.id, lambda k: k)
    assert info.value.reason == "API_KEY_REVOKED"


def test_load_has_only_usable_keys_and_list_filters(repo: Repository, engine: Engine) -> None:
    keys = KeyRepository(engine)
    a = new(keys, name="a", labels={"team": "x"})
    b = new(keys, name="b", labels={"team": "y"}, disabled=True)
    c = new(keys, name="c", labels={"team": "x"})
    keys.revoke(c.id)
    assert [k.id for k in keys.load()] == [a.id]
    assert {k.id for k in keys.list()[0]} == {a.id, b.id}
    assert {k.id for k in keys.list(show_revoked=True)[0]} == {a.id, b.id, c.id}
    assert [k.id for k in keys.list(labels={"team": "x"}, show_revoked=True)[0]] == sorted([a.id, c.id])
    assert [k.id for k in keys.list(disabled=True)[0]] == [b.id]
    page, more = keys.list(limit=1)
    assert len(page) == 1 and more


def test_unknown_and_invalid(repo: Repository, engine: Engine) -> None:
    keys = KeyRepository(engine)
    with pytest.raises(GatewayError) as info:
        keys.get("0123456789ab")
    assert info.value.reason == "API_KEY_NOT_FOUND"
    with pytest.raises(GatewayError) as info:
        new(keys, limits=Limits(-1))
    assert info.value.reason == "INVALID_REQUEST"
