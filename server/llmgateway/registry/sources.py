"""What a sync writes: the models of the YAML `models:` list, then those the `discover:`
servers list, then the known models (`supported_models()`) of the built-in adapters
(`providers/builtin.py`) and vendor presets (`providers/presets.py`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from llmgateway.config import ModelSettings, Settings
from llmgateway.core.router import load_adapter_class
from llmgateway.providers.builtin import BUILTIN_ADAPTERS
from llmgateway.providers.presets import PRESETS
from llmgateway.registry.records import ModelRecord, TimeoutOverrides, record_from_config


def sync_sources(
    settings: Settings,
    environ: dict[str, str] | None = None,
    all_providers: bool = False,
    discovered: Sequence[ModelSettings] = (),
) -> list[ModelRecord]:
    """The configured models, then the `discovered` ones (registry/discovery.py) and the
    defaults whose ids are not taken. A built-in provider's or vendor preset's models are
    included when its key variable is set, or always with `all_providers`. Raises
    ValueError for an invalid `models:` entry."""
    env = dict(os.environ) if environ is None else dict(environ)
    if all_providers:
        # default_models only checks whether each provider's key variable is set.
        for adapter_class in BUILTIN_ADAPTERS.values():
            try:
                cls: Any = load_adapter_class(adapter_class)
            except (ImportError, AttributeError):
                continue
            if cls.default_credential_env:
                env.setdefault(cls.default_credential_env, "set")
        for preset in PRESETS.values():
            if preset.credential_env:
                env.setdefault(preset.credential_env, "set")
    explicit = {m.id: m.timeouts for m in settings.models if m.timeouts is not None}
    result = []
    for cfg in settings.model_configs(environ=env, discovered=discovered):
        own = explicit.get(cfg.id)
        timeouts = None
        if own is not None:  # only what the entry sets; the rest follows default_timeouts
            given = own.model_fields_set
            timeouts = TimeoutOverrides(
                *(
                    getattr(own, f"{name}_s") if f"{name}_s" in given else None
                    for name in ("connect", "first_token", "idle", "total")
                )
            )
        result.append(record_from_config(cfg, timeouts))
    return result
