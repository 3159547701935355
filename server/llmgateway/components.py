"""What start-up builds for the pipeline: the context every policy and observer
factory receives, the built-in ones by name, their metrics on the exposition, and
starting and closing those with a lifecycle."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from llmgateway import access
from llmgateway.budgets import policy as budgets_policy
from llmgateway.cache import policy as cache_policy
from llmgateway.config import PipelineSettings, Settings
from llmgateway.core.balancer import DeploymentState
from llmgateway.ledger import observer as ledger_observer
from llmgateway.registry.runtime import Registry
from llmgateway.sessions import policy as sessions_policy
from llmgateway.stores.redis import RedisStore
from llmgateway.telemetry.access_metrics import AccessMetrics
from llmgateway.telemetry.cache_metrics import CacheCollector
from llmgateway.telemetry.metrics import MetricsObserver, build_metrics, worker_metrics
from llmgateway.telemetry.state_metrics import StateCollector

log = logging.getLogger("llmgateway.server")


@dataclass(frozen=True)
class Components:
    """What a policy or observer factory receives: `factory(components, **options)`."""

    settings: Settings
    registry: Registry  # the live registry: its catalog, its status, its database
    redis: RedisStore | None  # the shared Redis when `redis.url` is set
    deployments: DeploymentState  # cooldowns, in-flight attempts and latency per deployment
    access_metrics: AccessMetrics | None = None  # API keys and rate limits
    worker: int = 0  # one of several server processes (1..N; llmgateway/workers.py), else 0


def _metrics(components: Components) -> MetricsObserver | None:
    if not components.settings.metrics.address:
        return None
    if components.worker:
        return worker_metrics()  # the parent serves /metrics for every worker
    host, port = components.settings.metrics.host_port()
    registry = components.registry
    return build_metrics(
        host, port, StateCollector(registry.catalog, components.deployments, registry.status)
    )


def register_metrics(observers: list[Any], policies: list[Any], counters: AccessMetrics) -> None:
    """When the exposition is on, it also shows the API-key and rate-limit counters (they
    always count, in their own registry: `RunningServer.metrics`), the usage ledger
    writer's, the response cache's and the budgets'."""
    metrics = next((o for o in observers if isinstance(o, MetricsObserver)), None)
    if metrics is None or metrics.endpoint is None:
        return
    registry = metrics.endpoint.registry
    registry.register(counters.collector())
    for component in (*observers, *policies):
        if isinstance(component, ledger_observer.LedgerObserver):
            registry.register(component.writer.metrics.collector())
        elif isinstance(component, cache_policy.CachePolicy):
            registry.register(CacheCollector(component))
        elif isinstance(component, budgets_policy.BudgetPolicy):
            registry.register(component.collector())


# Built-in policies and observers by name; each factory returns None when its
# feature is not configured. The built-in observers are always built (the
# configured `pipeline.observers` follow them); a component with `async start()` /
# `async aclose()` is started with the server and closed after it.
BUILTIN_POLICIES: Mapping[str, Callable[..., Any]] = {
    "keys": access.key_permissions,
    "limits": access.rate_limits,
    "sessions": sessions_policy.build,
    "budgets": budgets_policy.build,
    "cache": cache_policy.build,
}
BUILTIN_OBSERVERS: Mapping[str, Callable[..., Any]] = {"metrics": _metrics, "ledger": ledger_observer.build}


def observer_specs(settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    """Every built-in observer (each is None unless configured), then the configured ones."""
    configured = PipelineSettings.specs(settings.pipeline.observers)
    named = {name for name, _ in configured}
    return [(name, {}) for name in BUILTIN_OBSERVERS if name not in named] + configured


async def start_components(components: Sequence[object]) -> list[Callable[[], Awaitable[None]]]:
    """Starts the components that have `start`; returns the `aclose` of each that has one.
    When one fails to start, the ones already started are closed."""
    closers: list[Callable[[], Awaitable[None]]] = []
    try:
        for component in components:
            start = getattr(component, "start", None)
            if start is not None:
                await start()
            aclose = getattr(component, "aclose", None)
            if aclose is not None:
                closers.append(aclose)
    except BaseException:
        await aclose_all(closers)
        raise
    return closers


async def aclose_all(closers: Sequence[Callable[[], Awaitable[None]]]) -> None:
    for aclose in reversed(closers):
        try:
            await aclose()
        except Exception:
            log.exception("closing %s failed", getattr(aclose, "__qualname__", aclose))
