"""The response cache's counters in the Prometheus exposition, read at scrape time from
`CachePolicy.stats` (the cache counts with plain integers; nothing is pushed per call)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from llmgateway.cache.policy import CachePolicy


class CacheCollector(Collector):
    """llmgateway_cache_{hits,misses,stores,stored_bytes,coalesced,bypasses,refreshes,
    errors}_total by kind, and the in-process cache's bytes, entries and evictions."""

    def __init__(self, cache: CachePolicy) -> None:
        self.cache = cache

    def collect(self) -> Iterator[Metric]:
        families: dict[str, CounterMetricFamily | GaugeMetricFamily] = {}
        for sample in self.cache.stats.samples(self.cache.store):
            family = families.get(sample.name)
            if family is None:
                kind = CounterMetricFamily if sample.kind == "counter" else GaugeMetricFamily
                family = families[sample.name] = kind(
                    sample.name, sample.help, labels=[name for name, _ in sample.labels]
                )
            family.add_metric([value for _, value in sample.labels], sample.value)
        yield from families.values()
