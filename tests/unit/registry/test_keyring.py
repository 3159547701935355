"""Key secrets and the in-memory keyring: shape, HMAC-only storage, every refusal."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta

from llmgateway.core.calls import Principal
from llmgateway.core.limits import Limits
from llmgateway.registry.keyring import Failure, KeyRing, build_entries
from llmgateway.registry.keys import ApiKeyRecord, KeyHasher, key_id_of, validate


def test_a_new_key_is_recognisable_and_stored_only_as_a_keyed_hash() -> None:
    hasher = KeyHasher("server-secret")
    key_id, secret, digest = hasher.new_key()
    assert secret.startswith(f"llmgw_{key_id}_") and len(secret) == 6 + 12 + 1 + 43
    assert key_id_of(secret) == key_id
    assert digest == hasher.digest(secret).hex() and secret not in digest
    assert KeyHasher("another-secret").digest(secret).hex() != digest  # the server secret matters
    # Plain HMAC-SHA256, each time: digests stored by any version keep matching.
    assert hasher.digest(secret) == hasher.digest(secret)
    assert digest == hmac.digest(b"server-secret", secret.encode(), hashlib.sha256).hex()


def test_malformed_keys_have_no_id() -> None:
    for presented in (
        "",
        "sk-abc",
        "llmgw_",
        "llmgw_0123456789ab",
        "llmgw_0123456789AB_x",
        "llmgw_" + "a" * 200,
    ):
        assert key_id_of(presented) is None


def test_the_keyring_refuses_unknown_expired_disabled_and_revoked_keys() -> None:
    hasher = KeyHasher("server-secret")
    now = datetime.now(UTC)
    made = {}
    for name, fields in {
        "good": {"limits": Limits(5)},
        "expired": {"expire_time": now - timedelta(seconds=1)},
        "later": {"expire_time": now + timedelta(hours=1)},
        "disabled": {"disabled": True},
        "revoked": {"revoked_at": now},
    }.items():
        key_id, secret, digest = hasher.new_key()
        made[name] = (secret, ApiKeyRecord(id=key_id, name=name, digest=digest, **fields))  # type: ignore[arg-type]
    ring = KeyRing(hasher)
    ring.swap(build_entries(record for _, record in made.values()))
    assert len(ring) == 3
    good = ring.authenticate(made["good"][0])
    assert isinstance(good, Principal) and good.name == "good" and good.limits == Limits(5)
    assert isinstance(ring.authenticate(made["later"][0]), Principal)
    assert ring.authenticate(made["expired"][0]) is Failure.EXPIRED
    assert ring.authenticate(made["disabled"][0]) is Failure.UNKNOWN
    assert ring.authenticate(made["revoked"][0]) is Failure.UNKNOWN
    secret = made["good"][0]
    assert ring.authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is Failure.UNKNOWN
    assert ring.authenticate("sk-something") is Failure.MALFORMED
    assert KeyRing(None).authenticate(secret) is Failure.MALFORMED  # no hashing secret: nothing works


def test_a_key_that_passed_is_found_by_its_text_until_the_ring_changes() -> None:
    hasher = KeyHasher("server-secret")
    key_id, secret, digest = hasher.new_key()
    soon = datetime.now(UTC) + timedelta(seconds=0.3)
    record = ApiKeyRecord(id=key_id, name="k", digest=digest, expire_time=soon)
    ring = KeyRing(hasher)
    ring.swap(build_entries([record]))
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    for _ in range(3):
        assert ring.authenticate(wrong) is Failure.UNKNOWN  # a wrong key is never kept
    assert isinstance(ring.authenticate(secret), Principal)
    hmacs = 0
    digest_of = hasher.digest

    def counted(key: str) -> bytes:
        nonlocal hmacs
        hmacs += 1
        return digest_of(key)

    hasher.digest = counted  # type: ignore[method-assign]
    assert isinstance(ring.authenticate(secret), Principal)
    assert ring.authenticate(wrong) is Failure.UNKNOWN
    assert hmacs == 1  # the key that passed skipped the HMAC; the wrong one did not
    ring.swap(build_entries([dataclasses.replace(record, revoked_at=datetime.now(UTC))]))
    assert ring.authenticate(secret) is Failure.UNKNOWN  # revoked: the shortcut went with the swap
    ring.swap(build_entries([record]))
    assert isinstance(ring.authenticate(secret), Principal)
    time.sleep(0.35)
    assert ring.authenticate(secret) is Failure.EXPIRED  # the expiry is checked on every call


def test_validation_names_each_bad_field() -> None:
    bad = ApiKeyRecord(
        name="\x00",
        labels={"ok": "\n"},
        allowed_models=("*",),
        limits=Limits(tokens_per_minute=-1),
        model_limits=(("a b", Limits()),),
    )
    assert [f for f, _ in validate(bad)] == [
        "api_key.name",
        "api_key.labels[ok]",
        "api_key.limits.tokens_per_minute",
        "api_key.model_limits[0].model",
    ]
