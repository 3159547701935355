"""Protobuf <-> registry record conversion for the AdminService."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from google.protobuf import duration_pb2, timestamp_pb2

from llmgateway.admin.v1 import model_pb2 as admin_pb2
from llmgateway.api.convert import CAPABILITIES
from llmgateway.core.errors import invalid_request
from llmgateway.core.models import (
    CooldownPolicy,
    Deployment,
    Pricing,
    RetryPolicy,
    RoutingStrategy,
)
from llmgateway.core.secrets import shown_reference
from llmgateway.registry.records import ModelRecord, TimeoutOverrides
from llmgateway.v1 import error_reason_pb2

_CAPABILITIES_OUT = {v: k for k, v in CAPABILITIES.items()}
_ROUTING = {
    admin_pb2.ROUTING_STRATEGY_UNSPECIFIED: RoutingStrategy.WEIGHTED,
    admin_pb2.ROUTING_STRATEGY_WEIGHTED: RoutingStrategy.WEIGHTED,
    admin_pb2.ROUTING_STRATEGY_LEAST_INFLIGHT: RoutingStrategy.LEAST_INFLIGHT,
    admin_pb2.ROUTING_STRATEGY_LOWEST_LATENCY: RoutingStrategy.LOWEST_LATENCY,
}
_ROUTING_OUT = {
    RoutingStrategy.WEIGHTED: admin_pb2.ROUTING_STRATEGY_WEIGHTED,
    RoutingStrategy.LEAST_INFLIGHT: admin_pb2.ROUTING_STRATEGY_LEAST_INFLIGHT,
    RoutingStrategy.LOWEST_LATENCY: admin_pb2.ROUTING_STRATEGY_LOWEST_LATENCY,
}
_REASON_PREFIX = "ERROR_REASON_"
# ErrorInfo reason (e.g. CONTEXT_LENGTH_EXCEEDED) -> ErrorReason value, and back.
_REASONS: dict[str, Any] = {
    name.removeprefix(_REASON_PREFIX): value
    for name, value in error_reason_pb2.ErrorReason.items()
    if value != error_reason_pb2.ERROR_REASON_UNSPECIFIED
}
_REASON_NAMES = {value: name for name, value in _REASONS.items()}


def _seconds(d: duration_pb2.Duration) -> float:
    return d.seconds + d.nanos / 1e9


def _duration(seconds: float) -> duration_pb2.Duration:
    out = duration_pb2.Duration()
    out.FromTimedelta(timedelta(seconds=seconds))
    return out


def _timestamp(value: object) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(value)  # type: ignore[arg-type]
    return out


def model_to_proto(rec: ModelRecord) -> admin_pb2.Model:
    out = admin_pb2.Model(
        id=rec.id,
        provider=rec.provider,
        upstream_model=rec.upstream_model,
        adapter_class=rec.adapter_class,
        base_url=rec.base_url,
        credential_ref=shown_reference(rec.credential_ref),
        display_name=rec.display_name,
        context_length=rec.context_length,
        capabilities=sorted(_CAPABILITIES_OUT[c] for c in rec.capabilities),
        pricing=admin_pb2.Pricing(
            input_per_million=rec.pricing.input_per_million,
            output_per_million=rec.pricing.output_per_million,
            cached_input_per_million=rec.pricing.cached_input_per_million,
        ),
        fallbacks=list(rec.fallbacks),
        fallback_on=[_REASONS[r] for r in rec.fallback_on if r in _REASONS],
        is_available=rec.is_available,
        options=dict(rec.options),
        weight=rec.weight,
        deployments=[_deployment_to_proto(d) for d in rec.deployments],
        routing=_ROUTING_OUT[rec.routing],
        etag=rec.etag,
        operator_fields=list(rec.operator_fields),
        source=rec.source,
    )
    for name in ("connect", "first_token", "idle", "total"):
        value = getattr(rec.timeouts, name)
        if value is not None:
            getattr(out.timeouts, name).CopyFrom(_duration(value))
    if rec.retry is not None:
        out.retry.CopyFrom(
            admin_pb2.RetryPolicy(
                max_retries=rec.retry.max_retries,
                initial_backoff=_duration(rec.retry.initial_backoff_s),
                max_backoff=_duration(rec.retry.max_backoff_s),
                multiplier=rec.retry.multiplier,
            )
        )
    if rec.cooldown is not None:
        out.cooldown.CopyFrom(
            admin_pb2.CooldownPolicy(
                failures=rec.cooldown.failures,
                window=_duration(rec.cooldown.window_s),
                cooldown=_duration(rec.cooldown.cooldown_s),
            )
        )
    for name, value in (("create_time", rec.created_at), ("update_time", rec.updated_at)):
        stamp = _timestamp(value)
        if stamp is not None:
            getattr(out, name).CopyFrom(stamp)
    return out


def _deployment_to_proto(d: Deployment) -> admin_pb2.Deployment:
    return admin_pb2.Deployment(
        id=d.id,
        provider=d.provider,
        upstream_model=d.upstream_model,
        adapter_class=d.adapter_class,
        base_url=d.base_url,
        credential_ref=shown_reference(d.credential_ref),
        options=dict(d.options),
        weight=d.weight,
    )


def model_from_proto(msg: admin_pb2.Model, prefix: str = "model") -> ModelRecord:
    """The writable fields of `msg` as a record (output-only fields are ignored).
    Raises INVALID_REQUEST for values with no meaning (UNSPECIFIED enums)."""
    violations: list[tuple[str, str]] = []
    capabilities = set()
    for i, cap in enumerate(msg.capabilities):
        if cap in CAPABILITIES:
            capabilities.add(CAPABILITIES[cap])
        else:
            violations.append((f"{prefix}.capabilities[{i}]", "must be a known capability, not UNSPECIFIED"))
    fallback_on = []
    for i, reason in enumerate(msg.fallback_on):
        if reason in _REASON_NAMES:
            fallback_on.append(_REASON_NAMES[reason])
        else:
            violations.append((f"{prefix}.fallback_on[{i}]", "must be a known reason, not UNSPECIFIED"))
    if msg.routing not in _ROUTING:
        violations.append((f"{prefix}.routing", "is not a known routing strategy"))
    if violations:
        raise invalid_request(violations)
    timeouts = msg.timeouts
    retry = None
    if msg.HasField("retry"):
        r, defaults = msg.retry, RetryPolicy()
        retry = RetryPolicy(
            max_retries=r.max_retries,
            initial_backoff_s=_seconds(r.initial_backoff)
            if r.HasField("initial_backoff")
            else defaults.initial_backoff_s,
            max_backoff_s=_seconds(r.max_backoff) if r.HasField("max_backoff") else defaults.max_backoff_s,
            multiplier=r.multiplier or defaults.multiplier,
        )
    cooldown = None
    if msg.HasField("cooldown"):
        c, cdefaults = msg.cooldown, CooldownPolicy()
        cooldown = CooldownPolicy(
            failures=c.failures or cdefaults.failures,
            window_s=_seconds(c.window) if c.HasField("window") else cdefaults.window_s,
            cooldown_s=_seconds(c.cooldown) if c.HasField("cooldown") else cdefaults.cooldown_s,
        )
    return ModelRecord(
        id=msg.id,
        provider=msg.provider,
        upstream_model=msg.upstream_model,
        adapter_class=msg.adapter_class,
        base_url=msg.base_url,
        credential_ref=msg.credential_ref,
        display_name=msg.display_name,
        context_length=msg.context_length,
        capabilities=frozenset(capabilities),
        pricing=Pricing(
            msg.pricing.input_per_million,
            msg.pricing.output_per_million,
            msg.pricing.cached_input_per_million,
        ),
        fallbacks=tuple(msg.fallbacks),
        fallback_on=tuple(fallback_on),
        is_available=msg.is_available if msg.HasField("is_available") else True,
        timeouts=TimeoutOverrides(
            *(
                _seconds(getattr(timeouts, name)) if timeouts.HasField(name) else None
                for name in ("connect", "first_token", "idle", "total")
            )
        ),
        options=dict(msg.options),
        weight=msg.weight or 1.0,
        deployments=tuple(
            Deployment(
                id=d.id,
                provider=d.provider,
                upstream_model=d.upstream_model,
                adapter_class=d.adapter_class,
                base_url=d.base_url,
                credential_ref=d.credential_ref,
                options=dict(d.options),
                weight=d.weight or 1.0,
            )
            for d in msg.deployments
        ),
        routing=_ROUTING[msg.routing],
        retry=retry,
        cooldown=cooldown,
    )
