"""The keys the edge authenticates against: an in-memory snapshot of the usable
keys (not revoked, not disabled) by public id, swapped whole when the registry
reloads. Authenticating is a dict lookup and one HMAC, compared in constant time;
it never touches the database.

A key that authenticated is then found by its exact text until the next swap (at
most one entry per usable key: only keys that passed the HMAC are kept). The HMAC's
OpenSSL path costs ~1 µs in a loop but 20-40 µs per call under load, where each call
meets it with cold caches (bench/README.md, "Where an API key's CPU goes"). The
shortcut tells nothing about other strings: a wrong key is never kept and always
takes the HMAC and the constant-time comparison, and matching a kept key needs its
whole text (a string's hash is seeded per process)."""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from llmgateway.core.calls import Principal
from llmgateway.core.patterns import ModelGrant, PatternMap
from llmgateway.registry.keys import ApiKeyRecord, KeyHasher, key_id_of


@dataclass(frozen=True, slots=True)
class KeyEntry:
    digest: bytes
    principal: Principal
    expires_at: float | None  # unix time


class Failure(StrEnum):
    """Why a presented key was refused: for the operator's metrics only, never for the caller."""

    MISSING = "missing"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"  # also revoked and disabled keys: they are not in the snapshot
    EXPIRED = "expired"


def principal_of(rec: ApiKeyRecord) -> Principal:
    return Principal(
        key_id=rec.id,
        name=rec.name,
        labels=dict(rec.labels),
        models=ModelGrant(rec.allowed_models),
        limits=rec.limits,
        model_limits=PatternMap(rec.model_limits),
        shared_cache=rec.shared_cache,
    )


def build_entries(records: Iterable[ApiKeyRecord]) -> dict[str, KeyEntry]:
    return {
        rec.id: KeyEntry(
            bytes.fromhex(rec.digest),
            principal_of(rec),
            rec.expire_time.timestamp() if rec.expire_time is not None else None,
        )
        for rec in records
        if rec.revoked_at is None and not rec.disabled
    }


class KeyRing:
    __slots__ = ("_entries", "_hasher", "_passed")

    def __init__(self, hasher: KeyHasher | None = None) -> None:
        self._hasher = hasher
        self._entries: Mapping[str, KeyEntry] = {}
        self._passed: dict[str, KeyEntry] = {}  # presented text -> entry, since the last change

    @property
    def hasher(self) -> KeyHasher | None:
        """None: no key-hashing secret configured (no key can authenticate)."""
        return self._hasher

    @hasher.setter
    def hasher(self, hasher: KeyHasher | None) -> None:
        self._hasher = hasher
        self._passed = {}

    def swap(self, entries: Mapping[str, KeyEntry]) -> None:
        self._entries = entries
        self._passed = {}  # revoked, disabled and changed keys must pass the HMAC again

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> Mapping[str, KeyEntry]:
        return self._entries

    def authenticate(self, presented: str) -> Principal | Failure:
        """The key's principal, or why it is refused."""
        entry = self._passed.get(presented)
        if entry is None:
            key_id = key_id_of(presented)
            if key_id is None or self._hasher is None:
                return Failure.MALFORMED
            digest = self._hasher.digest(presented)  # computed for unknown ids too: same work either way
            entry = self._entries.get(key_id)
            if entry is None or not hmac.compare_digest(digest, entry.digest):
                return Failure.UNKNOWN
            self._passed[presented] = entry
        if entry.expires_at is not None and time.time() >= entry.expires_at:
            return Failure.EXPIRED
        return entry.principal
