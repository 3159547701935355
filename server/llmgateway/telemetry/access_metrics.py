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
counting); `collector()` joins them to the server's metrics exposition.

A key's use is added up per call in plain dicts and moved to its counters when they
are read and at least every FLUSH_S seconds (a worker's counters are files its
parent reads): three labelled counter increments per call, each taking a lock, were
about a tenth of what an API key cost a call."""

from __future__ import annotations

import asyncio
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


FLUSH_S = 1.0


class _KeyUse(Collector):
    """The per-key counters, brought up to date as they are read."""

    def __init__(self, metrics: AccessMetrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Any]:
        self.metrics.flush()
        yield from self.metrics.key_calls.collect()
        yield from self.metrics.key_tokens.collect()


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
        # Collected through _KeyUse, which first adds what the calls since the last read used.
        self.key_calls = Counter(
            "llmgateway_api_key_calls_total",
            "Calls per API key and status",
            ["key_id", "status"],
            registry=None,
        )
        self.key_tokens = Counter(
            "llmgateway_api_key_tokens_total",
            "Tokens used per API key (prompt, completion)",
            ["key_id", "type"],
            registry=None,
        )
        registry.register(_KeyUse(self))
        registry.register(_KeyCount(keyring))
        self._calls: dict[tuple[str, str], int] = {}  # (key id, status): calls not yet counted
        self._tokens: dict[str, list[int]] = {}  # key id: [prompt, completion] not yet counted
        self._flush_timer: asyncio.TimerHandle | None = None
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
        calls = self._calls
        calls[key_id, call.status] = calls.get((key_id, call.status), 0) + 1
        usage = call.usage
        if usage is not None:
            tokens = self._tokens.get(key_id)
            if tokens is None:
                tokens = self._tokens[key_id] = [0, 0]
            tokens[0] += usage.prompt_tokens
            tokens[1] += usage.completion_tokens
        if self._flush_timer is None:
            self._flush_timer = asyncio.get_running_loop().call_later(FLUSH_S, self._flush_later)

    def flush(self) -> None:
        """Adds the key use not yet counted to the counters (on the event loop, like the
        calls that count it)."""
        calls, self._calls = self._calls, {}
        tokens, self._tokens = self._tokens, {}
        for (key_id, status), n in calls.items():
            self._child(self.key_calls, key_id, status).inc(n)
        for key_id, (prompt, completion) in tokens.items():
            self._child(self.key_tokens, key_id, "prompt").inc(prompt)
            self._child(self.key_tokens, key_id, "completion").inc(completion)

    def _flush_later(self) -> None:
        self._flush_timer = None
        self.flush()
