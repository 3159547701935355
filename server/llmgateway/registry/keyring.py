"""The keys the edge authenticates against: an in-memory snapshot of the usable
keys (not revoked, not disabled) by public id, swapped whole when the registry
reloads. Authenticating is a dict lookup and one HMAC, compared in constant time;
it never touches the database."""

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
    __slots__ = ("_entries", "hasher")

    def __init__(self, hasher: KeyHasher | None = None) -> None:
        self.hasher = hasher  # None: no key-hashing secret configured (no key can authenticate)
        self._entries: Mapping[str, KeyEntry] = {}

    def swap(self, entries: Mapping[str, KeyEntry]) -> None:
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> Mapping[str, KeyEntry]:
        return self._entries

    def authenticate(self, presented: str) -> Principal | Failure:
        """The key's principal, or why it is refused."""
        key_id = key_id_of(presented)
        if key_id is None or self.hasher is None:
            return Failure.MALFORMED
        digest = self.hasher.digest(presented)  # computed for unknown ids too: same work either way
        entry = self._entries.get(key_id)
        if entry is None or not hmac.compare_digest(digest, entry.digest):
            return Failure.UNKNOWN
        if entry.expires_at is not None and time.time() >= entry.expires_at:
            return Failure.EXPIRED
        return entry.principal
