"""OpenTelemetry wiring. Off unless an OTLP endpoint is configured; when off,
`upstream_span` is a shared null context, so the hot path pays nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from llmgateway.core.models import ModelConfig

_tracer: Any = None
_NULL: AbstractContextManager[None] = nullcontext()


def configure_tracing(otlp_endpoint: str, service_name: str) -> list[Any]:
    """Installs the SDK tracer provider with an OTLP exporter; returns the gRPC
    server interceptors to add (none when tracing is off)."""
    global _tracer
    if not otlp_endpoint:
        _tracer = None
        return []
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.grpc import aio_server_interceptor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint, insecure=True)))
    trace.set_tracer_provider(provider)
    _tracer = trace.get_tracer("llmgateway")
    return [aio_server_interceptor()]  # type: ignore[no-untyped-call]


def upstream_span(operation: str, model: ModelConfig) -> AbstractContextManager[Any]:
    if _tracer is None:
        return _NULL
    return _span(operation, model)


@contextmanager
def _span(operation: str, model: ModelConfig) -> Iterator[Any]:
    with _tracer.start_as_current_span(
        f"upstream {operation}",
        attributes={
            "gen_ai.operation.name": operation,
            "gen_ai.system": model.provider,
            "gen_ai.request.model": model.upstream_model,
            "llmgateway.model": model.id,
        },
    ) as span:
        yield span
