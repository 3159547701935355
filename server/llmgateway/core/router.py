"""Resolves a model id to its configuration and a live adapter instance."""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Mapping

from llmgateway.core.errors import (
    GatewayError,
    Reason,
    capability_not_supported,
    model_disabled,
    model_not_found,
)
from llmgateway.core.models import Capability, Model, ModelCatalog
from llmgateway.core.ports import Endpoint, ProviderAdapter
from llmgateway.core.secrets import CredentialError, CredentialPolicy, looks_like_key
from llmgateway.core.types import ChatRequest, ImagePart

log = logging.getLogger(__name__)

AdapterKey = tuple[str, str, str, tuple[tuple[str, str], ...]]
STREAM_METHOD = "StreamChat"


def chat_needs(method: str, req: ChatRequest) -> frozenset[Capability]:
    """The capabilities a chat call requires of its model: chat or stream, tools when
    it offers tools, vision when a message carries an image."""
    needs = {Capability.STREAM if method == STREAM_METHOD else Capability.CHAT}
    if req.tools:
        needs.add(Capability.TOOLS)
    if any(isinstance(p, ImagePart) for m in req.messages for p in m.parts):
        needs.add(Capability.VISION)
    return frozenset(needs)


def check_available(model: Model, needs: frozenset[Capability]) -> None:
    """MODEL_DISABLED, or CAPABILITY_NOT_SUPPORTED naming the first capability missing."""
    if not model.is_available:
        raise model_disabled(model.id)
    missing = needs - model.capabilities
    if missing:
        raise capability_not_supported(model.id, min(missing).value)


def load_adapter_class(dotted_path: str) -> type[ProviderAdapter]:
    """Imports `package.module.ClassName`; raises ImportError/AttributeError as is."""
    module_name, _, class_name = dotted_path.rpartition(".")
    if not module_name:
        raise ImportError(f"{dotted_path!r} is not a dotted path")
    cls: type[ProviderAdapter] = getattr(importlib.import_module(module_name), class_name)
    return cls


class Router:
    """Maps model ids to (config, adapter). Adapters are created lazily, one per
    distinct upstream (class, URL, credential, options), and reused."""

    def __init__(
        self,
        catalog: ModelCatalog,
        environ: Mapping[str, str] | None = None,
        policy: CredentialPolicy | None = None,
    ) -> None:
        self.catalog = catalog
        self._environ = os.environ if environ is None else environ
        self._policy = policy or CredentialPolicy()
        self._adapters: dict[AdapterKey, ProviderAdapter] = {}
        self._classes: dict[str, type[ProviderAdapter]] = {}

    def lookup(self, model_id: str, capability: Capability) -> Model:
        """The available model that has `capability`, or the precise error."""
        model = self.catalog.get(model_id)
        if model is None:
            raise model_not_found(model_id)
        if not model.is_available:
            raise model_disabled(model.id)
        if capability not in model.capabilities:
            raise capability_not_supported(model_id, capability.value)
        if model.virtual is not None:
            # Reached only when the `sessions` policy is not configured (it resolves them).
            raise GatewayError(
                Reason.MODEL_MISCONFIGURED,
                f"model {model_id!r} is a virtual model, which this gateway serves only with the "
                "`sessions` policy in pipeline.policies",
                metadata={"model": model_id},
            )
        return model

    def require(self, model: Model, capability: Capability) -> None:
        if capability not in model.capabilities:
            raise capability_not_supported(model.id, capability.value)

    def adapter(self, model: Model) -> ProviderAdapter:
        """The shared adapter of the upstream `model` (or a deployment view of it) names."""
        options = tuple(sorted(model.options.items()))
        key = (model.adapter_class, model.base_url, model.credential_ref, options)
        adapter = self._adapters.get(key)
        if adapter is None:
            cls = self._load(model)
            adapter = cls(Endpoint(model.base_url or cls.default_base_url, self._api_key(model), options))
            self._adapters[key] = adapter
        return adapter

    def _load(self, model: Model) -> type[ProviderAdapter]:
        cls = self._classes.get(model.adapter_class)
        if cls is None:
            try:
                cls = load_adapter_class(model.adapter_class)
            except (ImportError, AttributeError) as exc:
                log.error("model %s: adapter %s cannot be loaded: %s", model.id, model.adapter_class, exc)
                raise GatewayError(
                    Reason.MODEL_MISCONFIGURED,
                    f"model {model.id!r} names adapter {model.adapter_class!r}, which cannot be loaded",
                    metadata={"model": model.id, "adapter_class": model.adapter_class},
                ) from None
            self._classes[model.adapter_class] = cls
        return cls

    def _api_key(self, model: Model) -> str:
        """The key a credential reference names (under the operator's policy), read
        when the upstream's adapter is created; "" when the model names none."""
        ref = model.credential_ref
        if not ref:
            return ""
        try:
            return self._policy.resolve(ref, self._environ)
        except CredentialError as exc:
            meta = {"model": model.id}
            if not looks_like_key(ref):
                meta["credential_ref"] = ref
            message = f"model {model.id!r} {exc}"
            raise GatewayError(Reason.MODEL_MISCONFIGURED, message, metadata=meta) from None

    async def aclose(self) -> None:
        for adapter in self._adapters.values():
            await adapter.aclose()
        self._adapters.clear()
