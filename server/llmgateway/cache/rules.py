"""How the cache treats one model: whether it caches it, for how long, and whether it
caches calls that sample (temperature above 0).

Read from the model's `options` for now, the only per-model free-form field the
registry has (set in YAML `models[].options` or through the Admin API, so it reloads
like the rest of the model):

    cache: "off"            # not cached ("on" by default when the cache is enabled)
    cache_ttl_s: "600"      # TTL and the most a call's ttl_seconds may ask (cut to cache.max_ttl_s)
    cache_sampled: "true"   # also cache calls with temperature > 0 or unset

This module is the one reader; when the model shape gets cache fields, `model_rules`
reads those instead. A value that cannot be read is logged and the default applies.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

from llmgateway.config import CacheSettings
from llmgateway.core.types import ChatRequest

log = logging.getLogger(__name__)
_TRUE = frozenset({"on", "true", "yes", "1"})
_FALSE = frozenset({"off", "false", "no", "0"})


@dataclass(frozen=True, slots=True)
class ModelRules:
    enabled: bool
    ttl_s: float
    sampled: bool


def model_rules(model_id: str, options: Mapping[str, str], settings: CacheSettings) -> ModelRules:
    ttl = min(settings.ttl_s, settings.max_ttl_s)
    raw_ttl = options.get("cache_ttl_s")
    if raw_ttl is not None:
        try:
            value = float(raw_ttl)
        except ValueError:
            value = math.nan
        if math.isfinite(value) and value > 0:
            ttl = min(value, settings.max_ttl_s)
        else:
            log.warning(
                "model %s: option cache_ttl_s=%r is not a positive number; using %s", model_id, raw_ttl, ttl
            )
    return ModelRules(
        enabled=_flag(model_id, options, "cache", True),
        ttl_s=ttl,
        sampled=_flag(model_id, options, "cache_sampled", settings.sampled),
    )


def _flag(model_id: str, options: Mapping[str, str], name: str, default: bool) -> bool:
    raw = options.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    log.warning("model %s: option %s=%r is not on/off; using %s", model_id, name, raw, default)
    return default


def samples(req: ChatRequest) -> bool:
    """Whether the call asks for sampling: a temperature above 0, or none (providers
    sample by default)."""
    temperature = req.generation.temperature
    return temperature is None or temperature > 0
