"""A registry model as the registry stores it (`ModelRecord`), its validation,
and its conversion to and from the router's `ModelConfig`."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from llmgateway.core.deadline import Timeouts
from llmgateway.core.models import (
    Capability,
    CooldownPolicy,
    Deployment,
    ModelConfig,
    Pricing,
    RetryPolicy,
    RoutingStrategy,
)
from llmgateway.core.router import load_adapter_class
from llmgateway.core.secrets import CredentialPolicy
from llmgateway.providers.builtin import BUILTIN_ADAPTERS
from llmgateway.providers.presets import with_preset

# `prefix/name`: segments of letters, digits and . _ : @ + - separated by single slashes.
MODEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+-]*(/[A-Za-z0-9._:@+-]+)*$")
PROVIDER = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
MAX_ID = 200

SOURCE_SYNC = "sync"
SOURCE_ADMIN = "admin"

# The fields an operator may write (names of the admin proto's Model fields).
WRITABLE_FIELDS = (
    "provider",
    "upstream_model",
    "adapter_class",
    "base_url",
    "credential_ref",
    "display_name",
    "context_length",
    "capabilities",
    "pricing",
    "fallbacks",
    "fallback_on",
    "is_available",
    "timeouts",
    "options",
    "weight",
    "deployments",
    "routing",
    "retry",
    "cooldown",
)
OUTPUT_ONLY_FIELDS = ("create_time", "update_time", "etag", "operator_fields", "source")


@dataclass(frozen=True, slots=True)
class TimeoutOverrides:
    """A model's own upstream timeouts in seconds; None follows the gateway default."""

    connect: float | None = None
    first_token: float | None = None
    idle: float | None = None
    total: float | None = None

    def apply(self, defaults: Timeouts) -> Timeouts:
        return Timeouts(
            defaults.connect if self.connect is None else self.connect,
            defaults.first_token if self.first_token is None else self.first_token,
            defaults.idle if self.idle is None else self.idle,
            defaults.total if self.total is None else self.total,
        )


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """One registry row. Writable fields first, then what the registry maintains."""

    id: str
    provider: str
    upstream_model: str
    adapter_class: str = ""
    base_url: str = ""
    credential_ref: str = ""
    display_name: str = ""
    context_length: int = 0
    capabilities: frozenset[Capability] = frozenset()
    pricing: Pricing = field(default_factory=Pricing)
    fallbacks: tuple[str, ...] = ()
    fallback_on: tuple[str, ...] = ()
    is_available: bool = True
    timeouts: TimeoutOverrides = field(default_factory=TimeoutOverrides)
    options: Mapping[str, str] = field(default_factory=dict)
    weight: float = 1.0
    deployments: tuple[Deployment, ...] = ()
    routing: RoutingStrategy = RoutingStrategy.WEIGHTED
    retry: RetryPolicy | None = None
    cooldown: CooldownPolicy | None = None
    # Maintained by the registry.
    source: str = SOURCE_SYNC
    operator_fields: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    revision: int = 0

    @property
    def etag(self) -> str:
        return str(self.revision) if self.revision else ""

    def writable(self) -> dict[str, Any]:
        """The writable fields by name (for comparisons and merges)."""
        return {name: getattr(self, name) for name in WRITABLE_FIELDS}

    def with_defaults(self) -> ModelRecord:
        """Fills empty adapter classes with the provider's built-in adapter, and what a
        vendor preset (providers/presets.py) provides: endpoint, key variable, options."""
        deployments = []
        for d in self.deployments:
            adapter_class, base_url, credential_ref, options = with_preset(
                d.provider, d.adapter_class, d.base_url, d.credential_ref, d.options
            )
            adapter_class = adapter_class or BUILTIN_ADAPTERS.get(d.provider, "")
            deployments.append(
                replace(
                    d,
                    adapter_class=adapter_class,
                    base_url=base_url,
                    credential_ref=credential_ref,
                    options=options,
                )
            )
        adapter_class, base_url, credential_ref, options = with_preset(
            self.provider, self.adapter_class, self.base_url, self.credential_ref, self.options
        )
        return replace(
            self,
            adapter_class=adapter_class or BUILTIN_ADAPTERS.get(self.provider, ""),
            base_url=base_url,
            credential_ref=credential_ref,
            options=options,
            deployments=tuple(deployments),
        )

    def to_config(self, default_timeouts: Timeouts) -> ModelConfig:
        return ModelConfig(
            id=self.id,
            provider=self.provider,
            upstream_model=self.upstream_model,
            adapter_class=self.adapter_class,
            base_url=self.base_url,
            credential_ref=self.credential_ref,
            capabilities=self.capabilities,
            display_name=self.display_name or self.id,
            context_length=self.context_length,
            enabled=self.is_available,
            timeouts=self.timeouts.apply(default_timeouts),
            options=dict(self.options),
            weight=self.weight,
            extra_deployments=self.deployments,
            routing=self.routing,
            fallbacks=self.fallbacks,
            fallback_on=frozenset(self.fallback_on),
            retry=self.retry,
            cooldown=self.cooldown,
            pricing=self.pricing,
        )


def record_from_config(cfg: ModelConfig, timeouts: TimeoutOverrides | None = None) -> ModelRecord:
    """A sync source: a configured or adapter-declared model."""
    return ModelRecord(
        id=cfg.id,
        provider=cfg.provider,
        upstream_model=cfg.upstream_model,
        adapter_class=cfg.adapter_class,
        base_url=cfg.base_url,
        credential_ref=cfg.credential_ref,
        display_name=cfg.display_name,
        context_length=cfg.context_length,
        capabilities=frozenset(cfg.capabilities),
        pricing=cfg.pricing,
        fallbacks=tuple(cfg.fallbacks),
        fallback_on=tuple(sorted(cfg.fallback_on)),
        is_available=cfg.enabled,
        timeouts=timeouts or TimeoutOverrides(),
        options=dict(cfg.options),
        weight=cfg.weight,
        deployments=tuple(cfg.extra_deployments),
        routing=cfg.routing,
        retry=cfg.retry,
        cooldown=cfg.cooldown,
    )


# --- validation -------------------------------------------------------------------------------


def validate(
    rec: ModelRecord, prefix: str = "model", strict: bool = True, policy: CredentialPolicy | None = None
) -> list[tuple[str, str]]:
    """Field violations (path, description) of a record about to be written.
    `strict=False` (syncs from configuration) lets an adapter class that cannot be
    imported here through: the router reports it for that model only. Credential
    references must be allowed by `policy` (default: the default policy)."""
    policy = policy or CredentialPolicy()
    errors: list[tuple[str, str]] = []

    def bad(name: str, description: str) -> None:
        errors.append((f"{prefix}.{name}", description))

    if not rec.id:
        bad("id", "is required")
    elif len(rec.id) > MAX_ID or not MODEL_ID.match(rec.id):
        bad("id", "must look like `prefix/name`: letters, digits and . _ : @ + - in /-separated segments")
    upstream = (rec.provider, rec.upstream_model, rec.adapter_class, rec.base_url, rec.credential_ref)
    _upstream(*upstream, bad, strict, policy)
    if len(rec.display_name) > 200:
        bad("display_name", "must be at most 200 characters")
    if rec.context_length < 0:
        bad("context_length", "must not be negative")
    if not rec.capabilities:
        bad("capabilities", "must name at least one capability")
    for name in ("input_per_million", "output_per_million", "cached_input_per_million"):
        price = getattr(rec.pricing, name)
        if not math.isfinite(price) or price < 0:
            bad(f"pricing.{name}", "must be a finite, non-negative price")
    for i, fallback in enumerate(rec.fallbacks):
        if not MODEL_ID.match(fallback) or fallback == rec.id:
            bad(f"fallbacks[{i}]", "must be the id of another model")
    if len(set(rec.fallbacks)) != len(rec.fallbacks):
        bad("fallbacks", "must not repeat a model")
    for name in ("connect", "first_token", "idle", "total"):
        value = getattr(rec.timeouts, name)
        if value is not None and (not math.isfinite(value) or value <= 0):
            bad(f"timeouts.{name}", "must be positive")
    for key in rec.options:
        if not key:
            bad("options", "keys must not be empty")
    if not math.isfinite(rec.weight) or rec.weight <= 0:
        bad("weight", "must be positive")
    _deployments(rec.deployments, bad, strict, policy)
    if rec.retry is not None:
        r = rec.retry
        if r.max_retries < 0 or r.max_retries > 10:
            bad("retry.max_retries", "must be between 0 and 10")
        if r.initial_backoff_s < 0 or r.max_backoff_s < r.initial_backoff_s:
            bad("retry.max_backoff", "backoffs must be non-negative and max_backoff >= initial_backoff")
        if r.multiplier < 1:
            bad("retry.multiplier", "must be at least 1")
    if rec.cooldown is not None:
        c = rec.cooldown
        if c.failures < 1:
            bad("cooldown.failures", "must be at least 1")
        if c.window_s <= 0 or c.cooldown_s <= 0:
            bad("cooldown.window", "window and cooldown must be positive")
    return errors


def _upstream(
    provider: str,
    upstream_model: str,
    adapter_class: str,
    base_url: str,
    credential_ref: str,
    bad: Any,
    strict: bool,
    policy: CredentialPolicy,
) -> None:
    if not PROVIDER.match(provider):
        bad("provider", "must be a provider kind: lowercase letters, digits, `_`, `-`, `.`")
    if not upstream_model or len(upstream_model) > 200:
        bad("upstream_model", "is required (at most 200 characters)")
    default_url: str | None = ""
    if not adapter_class:
        bad("adapter_class", f"is required: provider {provider!r} has no built-in adapter")
    else:
        problem, default_url = check_adapter_class(adapter_class)
        if problem and (strict or not DOTTED.match(adapter_class)):
            bad("adapter_class", problem)
        elif problem:
            default_url = ""  # unknown here; the router reports the adapter when the model is used
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(base_url) > 2000:
            bad("base_url", "must be an http:// or https:// URL with a host")
        elif parts.username or parts.password:
            bad("base_url", "must not carry credentials; use credential_ref")
    elif adapter_class and default_url is None:
        bad("base_url", "is required: the adapter has no public endpoint")
    problem = policy.problem(credential_ref) if credential_ref else ""
    if problem:
        bad("credential_ref", problem)


def check_adapter_class(dotted_path: str) -> tuple[str, str | None]:
    """(problem or "", the adapter's default base URL or None when it has none)."""
    try:
        cls = load_adapter_class(dotted_path)
    except (ImportError, AttributeError) as exc:
        return f"cannot be imported ({type(exc).__name__}: {exc})", None
    except Exception as exc:  # a module that fails while importing
        return f"cannot be imported ({type(exc).__name__})", None
    if not isinstance(cls, type) or not callable(getattr(cls, "chat", None)):
        return "is not an adapter class", None
    return "", getattr(cls, "default_base_url", "") or None


def _deployments(
    deployments: tuple[Deployment, ...], bad: Any, strict: bool, policy: CredentialPolicy
) -> None:
    seen = {"primary"}
    for i, d in enumerate(deployments):
        path = f"deployments[{i}]"
        if not d.id or d.id in seen:
            bad(f"{path}.id", "must be unique within the model (and not `primary`)")
        seen.add(d.id)

        def sub(name: str, description: str, path: str = path) -> None:
            bad(f"{path}.{name}", description)

        _upstream(
            d.provider, d.upstream_model, d.adapter_class, d.base_url, d.credential_ref, sub, strict, policy
        )
        if not math.isfinite(d.weight) or d.weight <= 0:
            sub("weight", "must be positive")


# --- JSON columns -----------------------------------------------------------------------------


def deployment_to_json(d: Deployment) -> dict[str, Any]:
    return {
        "id": d.id,
        "provider": d.provider,
        "upstream_model": d.upstream_model,
        "adapter_class": d.adapter_class,
        "base_url": d.base_url,
        "credential_ref": d.credential_ref,
        "options": dict(d.options),
        "weight": d.weight,
    }


def deployment_from_json(data: Mapping[str, Any]) -> Deployment:
    return Deployment(
        id=str(data["id"]),
        provider=str(data["provider"]),
        upstream_model=str(data["upstream_model"]),
        adapter_class=str(data.get("adapter_class") or BUILTIN_ADAPTERS.get(str(data["provider"]), "")),
        base_url=str(data.get("base_url", "")),
        credential_ref=str(data.get("credential_ref", "")),
        options={str(k): str(v) for k, v in (data.get("options") or {}).items()},
        weight=float(data.get("weight", 1.0)),
    )


def retry_to_json(r: RetryPolicy | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "max_retries": r.max_retries,
        "initial_backoff_s": r.initial_backoff_s,
        "max_backoff_s": r.max_backoff_s,
        "multiplier": r.multiplier,
    }


def retry_from_json(data: Mapping[str, Any] | None) -> RetryPolicy | None:
    return None if data is None else RetryPolicy(**data)


def cooldown_to_json(c: CooldownPolicy | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"failures": c.failures, "window_s": c.window_s, "cooldown_s": c.cooldown_s}


def cooldown_from_json(data: Mapping[str, Any] | None) -> CooldownPolicy | None:
    return None if data is None else CooldownPolicy(**data)
