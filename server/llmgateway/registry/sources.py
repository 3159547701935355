"""What a sync writes: the models of the YAML `models:` list, then those the `discover:`
servers list (registry/discovery.py), then the known models (`supported_models()`) of the
built-in adapters (`providers/builtin.py`) and of the vendor presets (`providers/presets.py`)
whose credential variable is set. All are `Model`s with their defaults filled by
`records.with_defaults`, the one function the Admin API uses too, and the prices of
the bundled price list (`providers/prices.yaml`) when they set none."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from llmgateway.config import Settings
from llmgateway.core.models import Deployment, Model, ModelSpec
from llmgateway.core.router import load_adapter_class
from llmgateway.providers.builtin import ADAPTERS, BUILTIN_ADAPTERS
from llmgateway.providers.presets import PRESETS
from llmgateway.providers.prices import price_list
from llmgateway.registry.records import with_defaults


def configured_models(settings: Settings) -> list[Model]:
    """The YAML `models:` entries with their defaults. Raises ValueError for what
    is no model at all (an upstream with no adapter class to build it, an id used
    twice), so such a configuration is refused before anything runs; every other
    problem is a field violation the sync reports for that entry."""
    models = [priced(with_defaults(m)) for m in settings.models]
    problems: list[str] = []
    seen: set[str] = set()
    for i, model in enumerate(models):
        if model.id in seen:
            problems.append(f"models[{i}] ({model.id}): the id is already used by an earlier entry")
        seen.add(model.id)
        upstreams: list[Model | Deployment] = [model, *model.deployments] if model.virtual is None else []
        for upstream in upstreams:
            if not upstream.adapter_class:
                problems.append(
                    f"models[{i}] ({model.id}): provider {upstream.provider!r} has no built-in adapter; "
                    f"set adapter_class (built-in providers: {', '.join(sorted(BUILTIN_ADAPTERS))})"
                )
    if problems:
        raise ValueError("; ".join(problems))
    return models


def default_models(environ: Mapping[str, str]) -> list[Model]:
    """Mock models always; a built-in provider's or a vendor preset's known models when
    its key is set."""
    known: list[tuple[str, str, list[ModelSpec]]] = [
        (provider, cls.default_credential_env, cls.supported_models())
        for provider, cls in _builtin_adapters()
    ]
    known += [(provider, p.credential_env, list(p.models)) for provider, p in PRESETS.items()]
    models: list[Model] = []
    for provider, env_name, specs in known:
        if env_name and not environ.get(env_name):
            continue
        for spec in specs:
            model = Model(
                id=f"{provider}/{spec.upstream_model}",
                provider=provider,
                upstream_model=spec.upstream_model,
                capabilities=spec.capabilities,
                display_name=spec.display_name or spec.upstream_model,
                context_length=spec.context_length,
            )
            models.append(priced(with_defaults(model)))
    return models


def priced(model: Model) -> Model:
    """The model with the bundled list's prices of its upstream when it sets none."""
    if model.pricing is not None:
        return model
    pricing = price_list().get(model.provider, model.upstream_model)
    return model if pricing is None else replace(model, pricing=pricing)


def sync_sources(
    settings: Settings,
    environ: Mapping[str, str] | None = None,
    all_providers: bool = False,
    discovered: Sequence[Model] = (),
) -> list[Model]:
    """The configured models, then the `discovered` ones and the defaults whose ids are
    not taken. A built-in provider's or preset's models are included when its key variable
    is set, or always with `all_providers`. Raises ValueError for an invalid `models:` entry."""
    models = configured_models(settings)
    taken = {m.id for m in models}
    models += [m for m in discovered if m.id not in taken]
    if settings.include_default_models:
        env = dict(os.environ if environ is None else environ)
        if all_providers:  # default_models only checks whether each key variable is set
            keys = [cls.default_credential_env for _, cls in _builtin_adapters()]
            for key in [*keys, *(p.credential_env for p in PRESETS.values())]:
                if key:
                    env.setdefault(key, "set")
        taken = {m.id for m in models}
        models += [m for m in default_models(env) if m.id not in taken]
    return models


def _builtin_adapters() -> list[tuple[str, Any]]:
    """(provider kind, adapter class) of every built-in adapter that imports."""
    found = []
    for provider, adapter_class in ADAPTERS.items():
        try:
            found.append((provider, load_adapter_class(adapter_class)))
        except (ImportError, AttributeError):
            continue
    return found
