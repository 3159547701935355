"""Metrics read at scrape time, not pushed per call: each deployment's cooldown
state and the model registry's status."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from llmgateway.core.balancer import PRIMARY, DeploymentState, deployment_key
from llmgateway.core.models import ModelCatalog
from llmgateway.telemetry.genai import provider_name

if TYPE_CHECKING:
    from llmgateway.registry.runtime import RegistryStatus

# llmgateway_deployment_cooldown_state: higher is worse.
COOLDOWN_STATES = {"closed": 0.0, "half_open": 1.0, "open": 2.0}


class StateCollector(Collector):
    """The cooldown state of every deployment of every enabled model, and the
    registry's revision, health and reload times."""

    def __init__(self, catalog: ModelCatalog, deployments: DeploymentState, status: RegistryStatus) -> None:
        self.catalog = catalog
        self.deployments = deployments
        self.status = status  # updated in place by the registry

    def collect(self) -> Iterator[Metric]:
        yield self._cooldowns()
        status = self.status
        yield _gauge(
            "llmgateway_registry_revision", "Revision of the registry snapshot served.", status.revision
        )
        yield _gauge(
            "llmgateway_registry_models", "Models in the registry snapshot served.", len(self.catalog.list())
        )
        yield _gauge(
            "llmgateway_registry_healthy",
            "1 while the registry database answers, 0 while the last snapshot is served stale.",
            float(status.healthy),
        )
        yield _gauge(
            "llmgateway_registry_last_reload_timestamp_seconds",
            "Unix time of the last successful read of the registry database.",
            status.last_success,
        )
        yield _gauge(
            "llmgateway_registry_last_failed_reload_timestamp_seconds",
            "Unix time of the last failed read of the registry database (0: none since start).",
            status.last_failure,
        )
        yield CounterMetricFamily(
            "llmgateway_registry_reload_failures",
            "Failed reads of the registry database since start.",
            value=status.refresh_failures_total,
        )

    def _cooldowns(self) -> Metric:
        family = GaugeMetricFamily(
            "llmgateway_deployment_cooldown_state",
            "Circuit breaker of each deployment: 0 closed (in rotation), 1 half-open (one probe "
            "allowed), 2 open (skipped while it cools down).",
            labels=["gen_ai_request_model", "deployment", "gen_ai_provider_name"],
        )
        state = self.deployments.cooldown_state
        for model in self.catalog.list():
            if not model.is_available:
                continue
            upstreams = ((PRIMARY, model.provider), *((d.id, d.provider) for d in model.deployments))
            for deployment, provider in upstreams:
                value = COOLDOWN_STATES[state(deployment_key(model.id, deployment))]
                family.add_metric([model.id, deployment, provider_name(provider)], value)
        return family


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
