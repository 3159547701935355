"""Models a sync learns from running servers: each `discover:` entry names a server
(an Ollama host, say) whose adapter can list what it serves (core.ports.ModelDiscovery).
A server that is down or answers nonsense is logged and skipped: it must not stop a sync
or a start-up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from llmgateway.config import DiscoverySettings, Settings
from llmgateway.core.deadline import Budget
from llmgateway.core.errors import GatewayError
from llmgateway.core.models import Model, ModelSpec
from llmgateway.core.ports import ModelDiscovery
from llmgateway.core.router import Router
from llmgateway.registry.records import with_defaults

log = logging.getLogger(__name__)

# Per server: connect, first byte, idle and total seconds (each model's /api/show included).
DISCOVERY_BUDGET = Budget(connect=2.0, first_token=5.0, idle=5.0, total=20.0)


class _NoModels:
    """The router is used here only to build adapters (credentials resolved as for calls)."""

    revision = ""

    def get(self, model_id: str) -> Model | None:
        return None

    def list(self) -> list[Model]:
        return []


async def discover(settings: Settings, environ: Mapping[str, str] | None = None) -> list[Model]:
    """The models of every `discover:` server, with their defaults filled."""
    if not settings.discover:
        return []
    router = Router(_NoModels(), environ, settings.credential_policy())
    try:
        found = await asyncio.gather(*(_one(router, entry) for entry in settings.discover))
    finally:
        await router.aclose()
    return [model for models in found for model in models]


def _model(entry: DiscoverySettings, model_id: str, spec: ModelSpec) -> Model:
    return with_defaults(
        Model(
            id=model_id,
            provider=entry.provider,
            upstream_model=spec.upstream_model,
            adapter_class=entry.adapter_class,
            base_url=entry.base_url,
            credential_ref=entry.credential_ref,
            capabilities=spec.capabilities,
            display_name=spec.display_name,
            context_length=spec.context_length,
            options=entry.options,
        )
    )


async def _one(router: Router, entry: DiscoverySettings) -> list[Model]:
    where = entry.base_url or entry.provider
    try:
        server = _model(entry, f"{entry.provider}-discovery", ModelSpec("-", frozenset()))
        adapter = router.adapter(server)
        if not isinstance(adapter, ModelDiscovery):
            log.warning("discover: provider %s cannot list a server's models", entry.provider)
            return []
        specs = await adapter.discover_models(DISCOVERY_BUDGET)
    except GatewayError as exc:
        log.warning("discover: %s skipped: %s", where, exc.message)
        return []
    prefix = entry.id_prefix or entry.provider
    log.info("discover: %s serves %d models", where, len(specs))
    return [_model(entry, f"{prefix}/{spec.upstream_model}", spec) for spec in specs]
