"""An API key as the registry stores it (`ApiKeyRecord`), its validation, and the
secret: `llmgw_<id>_<random>`, shown once, stored only as an HMAC-SHA256 under a
server-side secret that is never in the database."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from llmgateway.core.limits import NO_LIMITS, Limits
from llmgateway.core.patterns import PATTERN_RULE, bad_pattern, pattern_violations

KEY_PREFIX = "llmgw_"
ID_HEX = 12  # the public id: 48 random bits, shown everywhere a key is named
ID = re.compile(rf"^[0-9a-f]{{{ID_HEX}}}$")
MAX_KEY_LENGTH = 100  # longer presented keys are refused before any hashing
MAX_NAME = 200
MAX_LABELS = 32
LABEL_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
MAX_LABEL_VALUE = 200
MAX_PATTERNS = 100
MAX_LIMIT = 10**12

# The fields an operator may write (names of the admin proto's ApiKey fields).
WRITABLE_FIELDS = (
    "name",
    "labels",
    "expire_time",
    "allowed_models",
    "limits",
    "model_limits",
    "disabled",
    "shared_cache",
)
OUTPUT_ONLY_FIELDS = ("id", "create_time", "update_time", "revoke_time", "etag")
LIMIT_FIELDS = ("requests_per_minute", "tokens_per_minute", "concurrent_calls")


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """One key. Writable fields first, then what the registry maintains."""

    id: str = ""
    name: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    expire_time: datetime | None = None
    allowed_models: tuple[str, ...] = ()
    limits: Limits = NO_LIMITS
    model_limits: tuple[tuple[str, Limits], ...] = ()
    disabled: bool = False
    shared_cache: bool = False  # reads and writes the response cache's shared namespace
    # Maintained by the registry.
    created_at: datetime | None = None
    updated_at: datetime | None = None
    revoked_at: datetime | None = None
    revision: int = 0
    digest: str = field(default="", repr=False)  # hex HMAC of the secret

    @property
    def etag(self) -> str:
        return str(self.revision) if self.revision else ""


class KeyHasher:
    """Makes secrets and their keyed hashes. The server-side secret comes from a
    credential reference (see config.AuthSettings), never from the database."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the key-hashing secret is empty")
        # HMAC-SHA256 keyed once: each digest copies this state (the pads already
        # hashed) instead of setting the key up again on every call.
        self._keyed = hmac.new(secret.encode(), digestmod=hashlib.sha256)

    def digest(self, key: str) -> bytes:
        mac = self._keyed.copy()
        mac.update(key.encode())
        return mac.digest()

    def new_key(self) -> tuple[str, str, str]:
        """(public id, the secret to show once, its hex digest to store)."""
        key_id = secrets.token_hex(ID_HEX // 2)
        secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        return key_id, secret, self.digest(secret).hex()


def key_id_of(presented: str) -> str | None:
    """The public id inside a presented key, or None when it is not shaped like one."""
    if len(presented) > MAX_KEY_LENGTH or not presented.startswith(KEY_PREFIX):
        return None
    end = len(KEY_PREFIX) + ID_HEX
    key_id = presented[len(KEY_PREFIX) : end]
    if presented[end : end + 1] != "_" or not ID.match(key_id):
        return None
    return key_id


def validate(rec: ApiKeyRecord, prefix: str = "api_key") -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if len(rec.name) > MAX_NAME or not rec.name.isprintable():
        errors.append((f"{prefix}.name", f"must be printable and at most {MAX_NAME} characters"))
    if len(rec.labels) > MAX_LABELS:
        errors.append((f"{prefix}.labels", f"at most {MAX_LABELS} labels"))
    for name, value in rec.labels.items():
        if not LABEL_KEY.match(name):
            errors.append(
                (f"{prefix}.labels", "keys are 1-63 of a-z 0-9 _ . - starting with a letter or digit")
            )
        elif len(value) > MAX_LABEL_VALUE or not value.isprintable():
            errors.append(
                (f"{prefix}.labels[{name}]", f"must be printable, at most {MAX_LABEL_VALUE} characters")
            )
    if len(rec.allowed_models) > MAX_PATTERNS:
        errors.append((f"{prefix}.allowed_models", f"at most {MAX_PATTERNS} entries"))
    else:
        errors += pattern_violations(f"{prefix}.allowed_models", rec.allowed_models)
    errors += _limit_violations(f"{prefix}.limits", rec.limits)
    if len(rec.model_limits) > MAX_PATTERNS:
        errors.append((f"{prefix}.model_limits", f"at most {MAX_PATTERNS} entries"))
    else:
        for i, (pattern, limits) in enumerate(rec.model_limits):
            if bad_pattern(pattern):
                errors.append((f"{prefix}.model_limits[{i}].model", PATTERN_RULE))
            errors += _limit_violations(f"{prefix}.model_limits[{i}].limits", limits)
    return errors


def _limit_violations(path: str, limits: Limits) -> list[tuple[str, str]]:
    return [
        (f"{path}.{name}", f"must be between 0 (no limit) and {MAX_LIMIT}")
        for name in LIMIT_FIELDS
        if not 0 <= getattr(limits, name) <= MAX_LIMIT
    ]


def limits_to_json(limits: Limits) -> dict[str, int]:
    return {name: getattr(limits, name) for name in LIMIT_FIELDS if getattr(limits, name)}


def limits_from_json(data: Mapping[str, Any] | None) -> Limits:
    data = data or {}
    return Limits(**{name: int(data.get(name, 0)) for name in LIMIT_FIELDS})
