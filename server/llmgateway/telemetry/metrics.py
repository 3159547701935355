"""Prometheus metrics: an observer that counts calls, upstream attempts and tokens as
they end, a collector that reads deployment cooldowns and the registry's status at
scrape time (`telemetry/state_metrics.py`), and the `/metrics` listener.

Names and labels follow the OpenTelemetry GenAI semantic conventions where they
have one (`gen_ai.server.request.duration` is `gen_ai_server_request_duration_seconds`,
`gen_ai.request.model` the label `gen_ai_request_model`, ...); the rest are
`llmgateway_*`. Every label value comes from a bounded set: RPC names, gRPC codes,
`Reason` values and ids from the registry (the model label is the registry id the
call resolved to, "" before that), never from the caller, so a caller cannot
grow the number of series.

The per-call cost is a few dict lookups and counter increments: the labelled
children of each label combination are resolved once and cached.

The listener is an aiohttp app on the server's own event loop, not
prometheus_client's threaded HTTP server: no extra thread taking the GIL, and the
scrape-time collector reads the deployment state on the loop that changes it. A
scrape costs the loop a few milliseconds for a few thousand series.

Several worker processes (llmgateway/workers.py) use prometheus_client's
multiprocess mode: the observer's counters, histograms and the `livesum` in-flight
gauge are plain instruments, which that mode keeps in per-process files
(`worker_metrics`: no listener of their own); the parent serves one `/metrics` with
a `MultiProcessCollector` over all of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import prometheus_client
from aiohttp import web
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.aiohttp import make_aiohttp_handler
from prometheus_client.registry import Collector

from llmgateway.core.calls import AttemptRecord, Call
from llmgateway.core.types import Usage
from llmgateway.telemetry.genai import METHOD_OPERATIONS, STREAM_OPERATIONS, operation_name, provider_name

# Seconds: from a cached answer (5 ms) to a long generation (2 min).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)
# The GenAI conventions' boundaries for gen_ai.client.token.usage.
TOKEN_BUCKETS = tuple(float(4**i) for i in range(14))  # 1, 4, 16, ... 67108864
CANCELLED = "CANCELLED"

MODEL = "gen_ai_request_model"
PROVIDER = "gen_ai_provider_name"
OPERATION = "gen_ai_operation_name"
METHOD = "grpc_method"
ERROR = "error_type"  # the ErrorInfo reason, CANCELLED, or "" on success
DEPLOYMENT = "deployment"


class Instruments:
    """The metric families the observer updates, in one registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        # The `_created` series double the exposition and nobody queries them.
        prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]
        self.calls = Counter(
            "llmgateway_calls",
            "RPCs that ended, by method, served model and provider, gRPC code and error reason.",
            [METHOD, MODEL, PROVIDER, "grpc_code", ERROR],
            registry=registry,
        )
        self.in_flight = Gauge(
            "llmgateway_calls_in_flight",
            "RPCs in progress (a stream until its last event), by method.",
            [METHOD],
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.duration = Histogram(
            "gen_ai_server_request_duration_seconds",
            "Duration of data-plane calls (a stream's to its last event).",
            [METHOD, OPERATION, MODEL, PROVIDER, ERROR],
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )
        self.ttft = Histogram(
            "gen_ai_server_time_to_first_token_seconds",
            "Time from a StreamChat or SynthesizeSpeech call to its first answer event (text or audio).",
            [OPERATION, MODEL, PROVIDER],
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )
        self.tokens = Histogram(
            "gen_ai_client_token_usage",
            "Input and output tokens per call (the upstream's billed counts); _sum is the total.",
            [OPERATION, MODEL, PROVIDER, "gen_ai_token_type"],
            registry=registry,
            buckets=TOKEN_BUCKETS,
        )
        self.cached = Counter(
            "gen_ai_client_inference_usage_cache_read_input_tokens",
            "Input tokens read from the provider's prompt cache (a subset of the input tokens).",
            [OPERATION, MODEL, PROVIDER],
            registry=registry,
        )
        self.reasoning = Counter(
            "gen_ai_client_inference_usage_reasoning_output_tokens",
            "Output tokens spent on reasoning (a subset of the output tokens).",
            [OPERATION, MODEL, PROVIDER],
            registry=registry,
        )
        self.attempts = Counter(
            "llmgateway_upstream_attempts",
            "Upstream attempts (retries and fallbacks included) by deployment and outcome "
            "(OK, the ErrorInfo reason, or CANCELLED).",
            [OPERATION, MODEL, PROVIDER, DEPLOYMENT, "outcome"],
            registry=registry,
        )
        self.attempt_duration = Histogram(
            "gen_ai_client_operation_duration_seconds",
            "Duration of each upstream attempt (a stream's until its end), by deployment.",
            [OPERATION, MODEL, PROVIDER, DEPLOYMENT, ERROR],
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )
        self.cost = Counter(
            "llmgateway_cost",
            "What answered calls cost (a float: a metric, not an invoice; the ledger is exact), "
            "in the currency of their prices, by served model and provider.",
            [MODEL, PROVIDER, "currency"],
            registry=registry,
        )
        self.unpriced = Counter(
            "llmgateway_cost_unknown_calls",
            "Answered calls whose cost is unknown (the model that served them has no price).",
            [MODEL, PROVIDER],
            registry=registry,
        )
        self.virtual = Counter(
            "llmgateway_virtual_model_calls",
            "Calls to virtual models, by virtual model, the rule that picked the target (empty: "
            "the default target) and the model the call went to.",
            ["virtual_model", "rule", MODEL],
            registry=registry,
        )


@dataclass(frozen=True, slots=True)
class _UsageSeries:
    input: Histogram
    output: Histogram | None  # embeddings have no output tokens
    cached: Counter
    reasoning: Counter

    def record(self, usage: Usage) -> None:
        self.input.observe(usage.prompt_tokens)
        if self.output is not None:
            self.output.observe(usage.completion_tokens)
        if usage.cached_prompt_tokens:
            self.cached.inc(usage.cached_prompt_tokens)
        if usage.reasoning_tokens:
            self.reasoning.inc(usage.reasoning_tokens)


@dataclass(slots=True)
class _CallSeries:
    count: Counter
    duration: Histogram | None  # only for the inference methods
    labels: tuple[str, str, str]  # operation, model, provider of the token series
    usage: _UsageSeries | None = None  # resolved at the first call with usage


class MetricsObserver:
    """Updates the instruments from the pipeline's hooks. Labelled children are
    cached by their label values (bounded sets, see the module docstring).
    `start`/`aclose` open and close its `/metrics` listener, when it has one."""

    def __init__(self, instruments: Instruments, endpoint: MetricsEndpoint | None = None) -> None:
        self.m = instruments
        self.endpoint = endpoint
        self._in_flight: dict[str, Gauge] = {}
        self._calls: dict[tuple[str, str, str, str, str], _CallSeries] = {}
        self._usage: dict[tuple[str, str, str], _UsageSeries] = {}
        self._cost: dict[tuple[str, str, str], Counter] = {}
        self._ttft: dict[tuple[str, str, str], Histogram] = {}
        self._attempts: dict[tuple[str, str, str, str, str], tuple[Counter, Histogram]] = {}
        self._virtual: dict[tuple[str, str, str], Counter] = {}

    @property
    def port(self) -> int:
        """The listener's port once started (0 without one)."""
        return self.endpoint.port if self.endpoint is not None else 0

    async def start(self) -> None:
        if self.endpoint is not None:
            await self.endpoint.start()

    async def aclose(self) -> None:
        if self.endpoint is not None:
            await self.endpoint.aclose()

    def call_started(self, call: Call) -> None:
        self._in_flight_of(call.method).inc()

    def first_event(self, call: Call) -> None:
        at = call.first_event_at
        operation = STREAM_OPERATIONS.get(call.method)
        if operation is None or at is None:
            return  # a unary call's first event is its answer: its duration says it
        served = call.served
        key = (operation, *((served.model, served.provider) if served is not None else (call.model, "")))
        child = self._ttft.get(key)
        if child is None:
            child = self._ttft[key] = self.m.ttft.labels(operation, key[1], provider_name(key[2]))
        child.observe(at - call.started)

    def attempt_ended(self, call: Call, attempt: AttemptRecord) -> None:
        key = (attempt.operation, attempt.model, attempt.provider, attempt.deployment, attempt.outcome)
        series = self._attempts.get(key)
        if series is None:
            series = self._attempts[key] = self._attempt_series(*key)
        series[0].inc()
        series[1].observe(attempt.duration_s)

    def call_ended(self, call: Call) -> None:
        method = call.method
        self._in_flight_of(method).dec()
        served = call.served
        if served is not None:
            model, provider = served.model, served.provider
        else:
            model, provider = call.model, ""
        status, error = call.status, call.error
        error_type = error.reason.value if error is not None else (CANCELLED if status == CANCELLED else "")
        key = (method, model, provider, status, error_type)
        series = self._calls.get(key)
        if series is None:
            series = self._calls[key] = self._call_series(*key)
        series.count.inc()
        if series.duration is not None:
            series.duration.observe(time.perf_counter() - call.started)
        usage = call.usage
        if usage is not None and series.duration is not None:
            if not (usage.images or usage.characters or usage.audio_seconds):  # billed by tokens
                if series.usage is None:
                    series.usage = self._usage_series(*series.labels)
                series.usage.record(usage)
            self._count_cost(call, model, series.labels[2])
        route = call.route
        if route is not None:
            route_key = (route.virtual_model, route.rule, route.target)
            routed = self._virtual.get(route_key)
            if routed is None:
                routed = self._virtual[route_key] = self.m.virtual.labels(*route_key)
            routed.inc()

    def _count_cost(self, call: Call, model: str, provider: str) -> None:
        cost = call.cost
        if cost is not None and not cost.amount:
            return  # free (a cache hit): nothing to add
        key = (model, provider, cost.currency if cost is not None else "")
        counter = self._cost.get(key)
        if counter is None:
            family = self.m.cost if cost is not None else self.m.unpriced
            counter = self._cost[key] = family.labels(*key) if cost is not None else family.labels(*key[:2])
        counter.inc(float(cost.amount) if cost is not None else 1)

    # -- resolving labelled children (once per label combination) -------------------------
    def _in_flight_of(self, method: str) -> Gauge:
        child = self._in_flight.get(method)
        if child is None:
            child = self._in_flight[method] = self.m.in_flight.labels(method)
        return child

    def _call_series(self, method: str, model: str, provider: str, status: str, error: str) -> _CallSeries:
        gen_ai_provider = provider_name(provider)
        count = self.m.calls.labels(method, model, gen_ai_provider, status, error)
        operation = METHOD_OPERATIONS.get(method, "")
        if not operation:  # ListModels and the admin plane: counted only
            return _CallSeries(count, None, (operation, model, gen_ai_provider))
        duration = self.m.duration.labels(method, operation, model, gen_ai_provider, error)
        return _CallSeries(count, duration, (operation, model, gen_ai_provider))

    def _usage_series(self, operation: str, model: str, provider: str) -> _UsageSeries:
        key = (operation, model, provider)
        series = self._usage.get(key)
        if series is None:
            tokens = self.m.tokens
            output = tokens.labels(*key, "output") if operation != "embeddings" else None
            series = self._usage[key] = _UsageSeries(
                tokens.labels(*key, "input"),
                output,
                self.m.cached.labels(*key),
                self.m.reasoning.labels(*key),
            )
        return series

    def _attempt_series(
        self, operation: str, model: str, provider: str, deployment: str, outcome: str
    ) -> tuple[Counter, Histogram]:
        labels = (operation_name(operation), model, provider_name(provider), deployment)
        error = "" if outcome == "OK" else outcome
        return (
            self.m.attempts.labels(*labels, outcome),
            self.m.attempt_duration.labels(*labels, error),
        )


class MetricsEndpoint:
    """`GET /metrics` of `registry` on `host`:`port` (port 0 picks one)."""

    def __init__(self, host: str, port: int, registry: CollectorRegistry) -> None:
        self.host, self.requested_port = host, port
        self.registry = registry
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", make_aiohttp_handler(self.registry))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.requested_port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def aclose(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def worker_metrics() -> MetricsObserver:
    """The observer of one of several workers: its instruments write to the multiprocess
    files (PROMETHEUS_MULTIPROC_DIR), which the parent's listener reads."""
    return MetricsObserver(Instruments(CollectorRegistry()))


def build_metrics(host: str, port: int, *collectors: Collector) -> MetricsObserver:
    """The observer, its registry (with the process and Python runtime collectors and
    `collectors`) and its listener on host:port, started by `start`."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    for collector in collectors:
        registry.register(collector)
    return MetricsObserver(Instruments(registry), MetricsEndpoint(host, port, registry))
