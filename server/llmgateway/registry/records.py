"""Validation of the model (`core.models.Model`) before any write, and the
defaults every source shares (YAML, the adapters' known models, the Admin API).
Bounds declared on the model's types are checked generically; the rules below
are the ones no type can say (formats, adapters, cross-field constraints)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import SplitResult, urlsplit

from llmgateway.core.errors import Reason
from llmgateway.core.fields import FieldInfo, describe
from llmgateway.core.models import Deployment, Model, Pricing
from llmgateway.core.router import load_adapter_class
from llmgateway.core.secrets import CredentialPolicy, default_credential
from llmgateway.core.virtual import ModelKind
from llmgateway.providers.builtin import BUILTIN_ADAPTERS
from llmgateway.providers.presets import with_preset
from llmgateway.registry import virtual

# `prefix/name`: segments of letters, digits and . _ : @ + - separated by single slashes.
MODEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+-]*(/[A-Za-z0-9._:@+-]+)*$")
PROVIDER = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
# Reasons of the data plane's ErrorReason (what an attempt can fail with); the
# management plane's own reasons cannot trigger a fallback.
FALLBACK_REASONS = frozenset(Reason) - {
    Reason.ADMIN_DISABLED,
    Reason.MODEL_ALREADY_EXISTS,
    Reason.ETAG_MISMATCH,
    Reason.REGISTRY_UNAVAILABLE,
    Reason.CONFIGURATION_INVALID,
    Reason.API_KEY_NOT_FOUND,
    Reason.API_KEY_REVOKED,
    Reason.API_KEYS_DISABLED,
}
Bad = Callable[[str, str], None]


def with_defaults(model: Model, default_credential: bool = True) -> Model:
    """Fills what an entry leaves empty, for the model and each deployment: the
    built-in adapter class of its provider kind, a vendor preset's endpoint and
    options (`providers/presets.py`) and, with `default_credential` (YAML entries
    and the adapters' known models; the Admin API documents empty as "no key"),
    the provider's or preset's default key variable for its default endpoint only
    (`core.secrets.default_credential`)."""

    if model.kind is ModelKind.VIRTUAL:
        return model  # no upstream to fill

    def filled(d: Model | Deployment) -> dict[str, Any]:
        adapter_class, base_url, preset_key, options = with_preset(
            d.provider, d.adapter_class, d.base_url, d.options
        )
        adapter_class = adapter_class or BUILTIN_ADAPTERS.get(d.provider, "")
        credential_ref = d.credential_ref
        if default_credential and not credential_ref:
            credential_ref = preset_key or (
                _default_credential(adapter_class, base_url) if adapter_class else ""
            )
        return {
            "adapter_class": adapter_class,
            "base_url": base_url,
            "credential_ref": credential_ref,
            "options": options,
        }

    deployments = tuple(replace(d, **filled(d)) for d in model.deployments)
    return replace(model, **filled(model), deployments=deployments)


def _default_credential(adapter_class: str, base_url: str) -> str:
    try:
        cls = load_adapter_class(adapter_class)
    except (ImportError, AttributeError):
        return ""  # validation (or the router, for a synced plugin) reports the adapter
    return default_credential(cls.default_credential_env, cls.default_base_url, base_url)


# --- validation -------------------------------------------------------------------------------


def validate(
    rec: Model, prefix: str = "model", strict: bool = True, policy: CredentialPolicy | None = None
) -> list[tuple[str, str]]:
    """Field violations (path, description) of a model about to be written.
    `strict=False` (syncs from configuration) lets an adapter class that cannot be
    imported here through: the router reports it for that model only. Credential
    references must be allowed by `policy` (default: the default policy)."""
    policy = policy or CredentialPolicy()
    errors = stored_violations(rec, prefix)

    def bad(name: str, description: str) -> None:
        errors.append((f"{prefix}.{name}", description))

    if not rec.id:
        bad("id", "is required")
    elif not MODEL_ID.match(rec.id):
        bad("id", "must look like `prefix/name`: letters, digits and . _ : @ + - in /-separated segments")
    errors += virtual.violations(rec, prefix)
    if rec.kind is not ModelKind.VIRTUAL:
        upstream = (rec.provider, rec.upstream_model, rec.adapter_class, rec.base_url, rec.credential_ref)
        _upstream(*upstream, bad, strict, policy)
    if not rec.capabilities:
        bad("capabilities", "must name at least one capability")
    for i, fallback in enumerate(rec.fallbacks):
        if not MODEL_ID.match(fallback) or fallback == rec.id:
            bad(f"fallbacks[{i}]", "must be the id of another model")
    if len(set(rec.fallbacks)) != len(rec.fallbacks):
        bad("fallbacks", "must not repeat a model")
    for key in rec.options:
        if not key:
            bad("options", "keys must not be empty")
    _deployments(rec.deployments, bad, strict, policy)
    _currency(rec.pricing, "pricing", bad)
    for i, d in enumerate(rec.deployments):
        _currency(d.pricing, f"deployments[{i}].pricing", bad)
    if rec.retry is not None and rec.retry.max_backoff < rec.retry.initial_backoff:
        bad("retry.max_backoff", "must be at least initial_backoff")
    return errors


def stored_violations(rec: Model, prefix: str = "model") -> list[tuple[str, str]]:
    """What a stored row must satisfy to be served and shown: the bounds its types
    declare and fallback reasons of the data plane. Formats, adapters and the
    credential policy are write-time rules: a row written under older ones still
    serves (the router reports a reference it cannot resolve)."""
    errors: list[tuple[str, str]] = []

    def bad(name: str, description: str) -> None:
        errors.append((f"{prefix}.{name}", description))

    _bounds(rec, "", bad)
    if not rec.fallback_on <= FALLBACK_REASONS:
        bad("fallback_on", "must name reasons of the data plane (ErrorReason)")
    return errors


def _bounds(record: object, path: str, bad: Bad) -> None:
    """The bounds the record's types declare (`core.fields`), at every depth."""
    for info in describe(type(record)):
        value = getattr(record, info.name)
        if value is None or not (info.is_record or info.range or info.max_length or info.max_items):
            continue
        where = f"{path}{info.name}"
        if info.max_items is not None and len(value) > info.max_items:
            bad(where, f"must have at most {info.max_items} entries")
        elif info.kind is dict and info.values is not str:
            limit = info.max_length or 0
            for key, item in value.items():
                if len(key) > limit:
                    bad(where, f"keys must be at most {limit} characters")
                else:
                    _bound(info, item, f'{where}["{key}"]', bad)
        elif info.kind is dict:
            limit = info.max_length or 0
            if any(len(k) > limit or len(v) > limit for k, v in value.items()):
                bad(where, f"keys and values must be at most {limit} characters")
        elif info.many is None:
            _bound(info, value, where, bad)
        else:
            for i, item in enumerate(value):
                _bound(info, item, f"{where}[{i}]", bad)


def _bound(info: FieldInfo, value: Any, at: str, bad: Bad) -> None:
    if info.is_record:
        _bounds(value, f"{at}.", bad)
    elif isinstance(value, str):
        if info.max_length is not None and len(value) > info.max_length:
            bad(at, f"must be at most {info.max_length} characters")
    elif info.range is not None and value not in info.range:
        bad(at, info.range.describe())
    elif info.places is not None and value not in info.places:
        bad(at, f"must have at most {info.places.digits} decimal places")


def _upstream(
    provider: str,
    upstream_model: str,
    adapter_class: str,
    base_url: str,
    credential_ref: str,
    bad: Bad,
    strict: bool,
    policy: CredentialPolicy,
) -> None:
    if not PROVIDER.match(provider):
        bad("provider", "must be a provider kind: lowercase letters, digits, `_`, `-`, `.`")
    if not upstream_model:
        bad("upstream_model", "is required")
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
        parts = _parsed_url(base_url)
        if parts is None or parts.scheme not in ("http", "https"):
            bad("base_url", "must be an http:// or https:// URL with a host (and a valid port)")
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
    deployments: tuple[Deployment, ...], bad: Bad, strict: bool, policy: CredentialPolicy
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


def _currency(pricing: Pricing | None, path: str, bad: Bad) -> None:
    if pricing is not None and not CURRENCY.match(pricing.currency):
        bad(f"{path}.currency", "must be an ISO 4217 currency code: three capital letters, e.g. USD")


def _parsed_url(url: str) -> SplitResult | None:
    """The URL's parts when its host and port parse (urlsplit raises on `http://[x`,
    `.port` on `:99999`), else None."""
    try:
        parts = urlsplit(url)
        return parts if parts.hostname and (parts.port is None or parts.port > 0) else None
    except ValueError:
        return None
