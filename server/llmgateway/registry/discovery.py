"""Models a sync learns from running servers: each `discover:` entry names a server
(an Ollama host, say) whose adapter can list what it serves (core.ports.ModelDiscovery).
A server that is down or answers nonsense is logged and skipped: it must not stop a sync
or a start-up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from llmgateway.config import DiscoverySettings, ModelSettings, Settings, deployment_config
from llmgateway.core.deadline import Budget
from llmgateway.core.errors import GatewayError
from llmgateway.core.models import ModelConfig
from llmgateway.core.ports import ModelDiscovery
from llmgateway.core.router import Router

log = logging.getLogger(__name__)

# Per server: connect, first byte, idle and total seconds (each model's /api/show included).
DISCOVERY_BUDGET = Budget(connect=2.0, first_token=5.0, idle=5.0, total=20.0)


class _NoModels:
    """The router is used here only to build adapters (credentials resolved as for calls)."""

    revision = ""

    def get(self, model_id: str) -> ModelConfig | None:
        return None

    def list(self) -> list[ModelConfig]:
        return []


async def discover(settings: Settings, environ: Mapping[str, str] | None = None) -> list[ModelSettings]:
    """The models of every `discover:` server, as `models:` entries."""
    if not settings.discover:
        return []
    router = Router(_NoModels(), environ, settings.credential_policy())
    try:
        found = await asyncio.gather(*(_one(router, entry) for entry in settings.discover))
    finally:
        await router.aclose()
    return [model for models in found for model in models]


async def _one(router: Router, entry: DiscoverySettings) -> list[ModelSettings]:
    where = entry.base_url or entry.provider
    try:
        upstream = deployment_config(f"{entry.provider}-discovery", entry)
        adapter = router.adapter(upstream)
        if not isinstance(adapter, ModelDiscovery):
            log.warning("discover: provider %s cannot list a server's models", entry.provider)
            return []
        specs = await adapter.discover_models(DISCOVERY_BUDGET)
    except (GatewayError, ValueError) as exc:
        log.warning("discover: %s skipped: %s", where, getattr(exc, "message", exc))
        return []
    prefix = entry.id_prefix or entry.provider
    log.info("discover: %s serves %d models", where, len(specs))
    return [
        ModelSettings(
            id=f"{prefix}/{spec.upstream_model}",
            provider=entry.provider,
            upstream_model=spec.upstream_model,
            adapter_class=entry.adapter_class,
            base_url=entry.base_url,
            credential_ref=entry.credential_ref,
            capabilities=sorted(spec.capabilities),
            display_name=spec.display_name,
            context_length=spec.context_length,
            options=entry.options,
            weight=1.0,
        )
        for spec in specs
    ]
