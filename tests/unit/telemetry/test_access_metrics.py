"""A key's use is added up per call and reaches the Prometheus counters when they are
read, and by itself within FLUSH_S (a worker's counters are files its parent reads)."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import generate_latest

from llmgateway.core.calls import Call, Principal
from llmgateway.core.types import Usage
from llmgateway.registry.keyring import KeyRing
from llmgateway.telemetry import access_metrics
from llmgateway.telemetry.access_metrics import AccessMetrics


def ended(key_id: str, status: str, usage: Usage | None) -> Call:
    call = Call("Chat", "r", principal=Principal(key_id))
    call.status, call.usage = status, usage
    return call


def counted(metrics: AccessMetrics) -> dict[tuple[str, ...], float]:
    """The counters' own samples, without reading them through the registry (no flush)."""
    return {
        (sample.name, *sample.labels.values()): sample.value
        for counter in (metrics.key_calls, metrics.key_tokens)
        for family in counter.collect()
        for sample in family.samples
        if sample.name.endswith("_total")
    }


async def test_key_use_is_counted_when_read_and_within_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access_metrics, "FLUSH_S", 0.05)
    metrics = AccessMetrics(KeyRing())
    metrics.call_ended(ended("k1", "OK", Usage(prompt_tokens=3, completion_tokens=5)))
    metrics.call_ended(ended("k1", "OK", Usage(prompt_tokens=1, completion_tokens=2)))
    metrics.call_ended(ended("k1", "UNAVAILABLE", None))
    metrics.call_ended(Call("Chat", "r"))  # no key: not a key's use
    assert counted(metrics) == {}  # not yet
    text = generate_latest(metrics.registry).decode()  # a scrape brings them up to date
    assert 'llmgateway_api_key_calls_total{key_id="k1",status="OK"} 2.0' in text
    assert 'llmgateway_api_key_calls_total{key_id="k1",status="UNAVAILABLE"} 1.0' in text
    assert 'llmgateway_api_key_tokens_total{key_id="k1",type="completion"} 7.0' in text

    metrics.call_ended(ended("k2", "OK", Usage(prompt_tokens=4, completion_tokens=0)))
    await asyncio.sleep(0.2)  # no reader: the timer moves them
    assert counted(metrics)[("llmgateway_api_key_calls_total", "k2", "OK")] == 1.0
    assert counted(metrics)[("llmgateway_api_key_tokens_total", "k2", "prompt")] == 4.0
    assert counted(metrics)[("llmgateway_api_key_calls_total", "k1", "OK")] == 2.0  # nothing twice
