"""The cache's counters, as plain numbers the Prometheus exposition reads at scrape time
(nothing per call but an integer add): `samples()` lists them as metric samples, which
`telemetry/cache_metrics.py` turns into metric families, so the cache needs no
metrics library. Counters are by entry kind: "chat" counts calls, "embed" input texts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from llmgateway.cache.memory import MemoryResponseCache

KINDS = ("chat", "embed")
_COUNTERS = {
    "hits": "answers served from the cache",
    "misses": "lookups that found nothing (coalesced calls too: their lookup found nothing)",
    "stores": "entries written",
    "stored_bytes": "bytes of the entries written",
    "coalesced": "calls answered by an identical call in flight",
    "bypasses": "calls the cache did not serve (bypass mode, model not cached, sampling)",
    "refreshes": "calls that replaced an entry without reading it (refresh mode)",
    "errors": "backend failures and unreadable entries (the call went on without the cache)",
}


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    kind: str  # "counter" | "gauge"
    help: str
    labels: tuple[tuple[str, str], ...]
    value: float


class CacheStats:
    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()  # (counter, kind) -> value

    def add(self, counter: str, kind: str, n: int = 1) -> None:
        self.counts[counter, kind] += n

    def samples(self, backend: object = None) -> list[Sample]:
        out = [
            Sample(
                f"llmgateway_cache_{name}_total", "counter", help, (("kind", kind),), self.counts[name, kind]
            )
            for name, help in _COUNTERS.items()
            for kind in KINDS
        ]
        if isinstance(backend, MemoryResponseCache):
            out += [
                Sample(
                    "llmgateway_cache_bytes",
                    "gauge",
                    "bytes held by the in-process cache",
                    (),
                    backend.size_bytes,
                ),
                Sample(
                    "llmgateway_cache_entries",
                    "gauge",
                    "entries in the in-process cache",
                    (),
                    backend.entries,
                ),
                Sample(
                    "llmgateway_cache_evictions_total",
                    "counter",
                    "entries evicted from the in-process cache to make room",
                    (),
                    backend.evictions,
                ),
            ]
        return out
