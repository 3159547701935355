"""Per-model cache rules from the model's options: defaults, overrides, bad values."""

from __future__ import annotations

import logging

import pytest

from llmgateway.cache.rules import ModelRules, model_rules, samples
from llmgateway.config import CacheSettings
from llmgateway.core.types import ChatRequest, GenerationConfig

SETTINGS = CacheSettings(enabled=True, ttl_s=600, max_ttl_s=3600, sampled=False)


def test_defaults_come_from_the_settings() -> None:
    assert model_rules("m", {}, SETTINGS) == ModelRules(enabled=True, ttl_s=600, sampled=False)


def test_options_override_within_the_maximum() -> None:
    rules = model_rules("m", {"cache": "Off", "cache_ttl_s": "99999", "cache_sampled": "yes"}, SETTINGS)
    assert rules == ModelRules(enabled=False, ttl_s=3600, sampled=True)
    assert model_rules("m", {"cache_ttl_s": "30"}, SETTINGS).ttl_s == 30


@pytest.mark.parametrize(
    "options", [{"cache": "maybe"}, {"cache_ttl_s": "-1"}, {"cache_ttl_s": "nan"}, {"cache_ttl_s": "x"}]
)
def test_a_bad_value_is_logged_and_the_default_applies(
    options: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="llmgateway.cache.rules"):
        assert model_rules("m", options, SETTINGS) == model_rules("m", {}, SETTINGS)
    assert "model m: option cache" in caplog.text


def test_sampling_is_a_temperature_above_zero_or_none() -> None:
    def ask(temperature: float | None) -> ChatRequest:
        return ChatRequest("m", [], generation=GenerationConfig(temperature=temperature))

    assert (samples(ask(None)), samples(ask(0.0)), samples(ask(0.2))) == (True, False, True)
