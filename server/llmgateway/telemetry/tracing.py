"""OpenTelemetry tracing: off unless an OTLP endpoint is configured; when off, no
interceptor and no observer is installed, so the hot path pays nothing.

When on, the gRPC server interceptor makes a span per RPC, and `SpanObserver`
adds a client span per upstream attempt (made when the attempt ends, with its real
start time, so nothing is held open per call) and puts the OpenTelemetry GenAI
attributes on both: operation, provider, requested and response model, response
id, token usage, error type."""

from __future__ import annotations

import time
from typing import Any

from llmgateway.core.calls import AttemptRecord, Call
from llmgateway.telemetry.genai import operation_name, provider_name


class Tracing:
    """The gateway's own tracer provider (not the process-global one), so each
    server start gets a fresh exporter; `shutdown` exports what is buffered."""

    def __init__(self, otlp_endpoint: str, service_name: str) -> None:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        self.provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        self.provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint, insecure=True))
        )

    def interceptors(self) -> list[Any]:
        from opentelemetry.instrumentation.grpc import aio_server_interceptor

        return [aio_server_interceptor(tracer_provider=self.provider)]  # type: ignore[no-untyped-call]

    def observer(self) -> SpanObserver:
        return SpanObserver(self.provider.get_tracer("llmgateway"))

    def shutdown(self) -> None:
        self.provider.shutdown()


class SpanObserver:
    def __init__(self, tracer: Any) -> None:
        from opentelemetry import trace

        self._tracer = tracer
        self._trace = trace

    def attempt_ended(self, call: Call, attempt: AttemptRecord) -> None:
        end = time.time_ns()
        operation = operation_name(attempt.operation)
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": operation,
            "gen_ai.provider.name": provider_name(attempt.provider),
            "gen_ai.request.model": attempt.upstream_model,
            "llmgateway.model": attempt.model,
            "llmgateway.deployment": attempt.deployment,
            "llmgateway.attempt": attempt.number,
            "llmgateway.request_id": call.request_id,
        }
        if attempt.outcome == "OK":
            attributes["gen_ai.response.model"] = attempt.upstream_model
            if attempt.response_id:
                attributes["gen_ai.response.id"] = attempt.response_id
            if attempt.usage is not None:
                attributes["gen_ai.usage.input_tokens"] = attempt.usage.prompt_tokens
                attributes["gen_ai.usage.output_tokens"] = attempt.usage.completion_tokens
        else:
            attributes["error.type"] = attempt.outcome
        span = self._tracer.start_span(
            f"{operation} {attempt.upstream_model}",
            kind=self._trace.SpanKind.CLIENT,
            start_time=end - int(attempt.duration_s * 1e9),
            attributes=attributes,
        )
        if attempt.outcome != "OK":
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, attempt.outcome))
        span.end(end_time=end)

    def call_ended(self, call: Call) -> None:
        """The GenAI attributes of the whole call on the RPC's own server span."""
        span = self._trace.get_current_span()
        if not span.is_recording():
            return
        served, usage = call.served, call.usage
        if served is not None:
            span.set_attribute("gen_ai.provider.name", provider_name(served.provider))
            span.set_attribute("gen_ai.response.model", served.upstream_model)
            span.set_attribute("llmgateway.model", served.model)
        elif call.model:
            span.set_attribute("llmgateway.model", call.model)
        route = call.route
        if route is not None:
            span.set_attribute("llmgateway.virtual_model", route.virtual_model)
            span.set_attribute("llmgateway.rule", route.rule)
            if route.session_id:
                span.set_attribute("llmgateway.session_id", route.session_id)
        if usage is not None:
            span.set_attribute("gen_ai.usage.input_tokens", usage.prompt_tokens)
            span.set_attribute("gen_ai.usage.output_tokens", usage.completion_tokens)
        if call.error is not None:
            span.set_attribute("error.type", call.error.reason.value)
