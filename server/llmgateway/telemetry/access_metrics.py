"""Prometheus metrics of API keys and rate limits. Labels never carry a secret or a
client address: rejections are by limit and subject kind, key use by the key's
public id.

- llmgateway_auth_failures_total{cause}: missing, malformed, unknown (also revoked
  and disabled keys), expired. The caller is never told which.
- llmgateway_rate_limited_total{limit, subject}: calls refused by a rate limit
  (`requests`/`tokens`/`concurrent` x `key`/`address`/`model`/`key_model`).
- llmgateway_rate_limits_unchecked_total{mode}: calls decided without the limiter
  because its store was unreachable (`fail_open` admitted, `fail_closed` refused).
- llmgateway_api_key_calls_total{key_id, status} and
  llmgateway_api_key_tokens_total{key_id, type}: each key's use.
- llmgateway_api_keys: keys that can authenticate (in the served snapshot).

`AccessMetrics` is an observer (call_ended) plus two callbacks the edge and the
limits policy call. Its counters live in a registry of its own (`registry`, always
counting); `collector()` joins them to the server's metrics exposition."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from llmgateway.core.calls import Call
from llmgateway.core.errors import Reason
from llmgateway.registry.keyring import Failure, KeyRing


class _KeyCount(Collector):
    def __init__(self, keyring: KeyRing) -> None:
        self.keyring = keyring

    def collect(self) -> Iterator[Any]:
        yield GaugeMetricFamily(
            "llmgateway_api_keys",
            "API keys that can authenticate (neither revoked nor disabled)",
            len(self.keyring),
        )


class Joined(Collector):
    """The metrics of one registry as a collector of another (the /metrics endpoint's)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Any]:
        yield from self.registry.collect()


class AccessMetrics:
    def __init__(self, keyring: KeyRing) -> None:
        self.registry = registry = CollectorRegistry()
        self.auth_failures = Counter(
            "llmgateway_auth_failures_total",
            "Calls refused for their API key, by cause",
            ["cause"],
            registry=registry,
        )
        self.rate_limited = Counter(
            "llmgateway_rate_limited_total",
            "Calls refused by a rate limit, by limit and subject kind",
            ["limit", "subject"],
            registry=registry,
        )
        self.unchecked = Counter(
            "llmgateway_rate_limits_unchecked_total",
            "Calls decided without the rate limiter (its store unreachable), by failure mode",
            ["mode"],
            registry=registry,
        )
        self.key_calls = Counter(
            "llmgateway_api_key_calls_total",
            "Calls per API key and status",
            ["key_id", "status"],
            registry=registry,
        )
        self.key_tokens = Counter(
            "llmgateway_api_key_tokens_total",
            "Tokens used per API key (prompt, completion)",
            ["key_id", "type"],
            registry=registry,
        )
        registry.register(_KeyCount(keyring))
        # Children by labels, looked up once (labels() takes a lock and builds keys every time).
        self._children: dict[tuple[Counter, str, str], Any] = {}

    def _child(self, counter: Counter, a: str, b: str) -> Any:
        child = self._children.get((counter, a, b))
        if child is None:
            child = self._children[(counter, a, b)] = counter.labels(a, b)
        return child

    def collector(self) -> Collector:
        """These metrics as a collector of another registry (the /metrics endpoint's)."""
        return Joined(self.registry)

    def auth_failed(self, cause: Failure) -> None:
        self.auth_failures.labels(cause.value).inc()

    def limits_unchecked(self, mode: str) -> None:
        self.unchecked.labels(mode).inc()

    def call_ended(self, call: Call) -> None:
        error = call.error
        if error is not None and error.reason is Reason.RATE_LIMITED:
            metadata = error.metadata
            self._child(self.rate_limited, metadata.get("limit", ""), metadata.get("subject", "")).inc()
        principal = call.principal
        if principal is None:
            return
        key_id = principal.key_id
        self._child(self.key_calls, key_id, call.status).inc()
        usage = call.usage
        if usage is not None:
            self._child(self.key_tokens, key_id, "prompt").inc(usage.prompt_tokens)
            self._child(self.key_tokens, key_id, "completion").inc(usage.completion_tokens)
