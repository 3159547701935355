"""OpenTelemetry wiring. Off unless an OTLP endpoint is configured; when off,
`upstream_span` is a shared null context and no interceptor is installed, so the
hot path pays nothing."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from llmgateway.core.models import ModelConfig
from llmgateway.core.secrets import scrub

_tracer: Any = None
_provider: Any = None
_NULL: AbstractContextManager[None] = nullcontext()


def configure_tracing(otlp_endpoint: str, service_name: str) -> list[Any]:
    """Creates a tracer provider exporting over OTLP/gRPC; returns the gRPC server
    interceptors to add (none when tracing is off). The provider is the gateway's
    own, not the process-global one, so each server start gets a fresh exporter."""
    global _tracer, _provider
    shutdown_tracing()
    if not otlp_endpoint:
        return []
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.grpc import aio_server_interceptor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    _provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint, insecure=True)))
    _tracer = _provider.get_tracer("llmgateway")
    return [aio_server_interceptor(tracer_provider=_provider)]  # type: ignore[no-untyped-call]


def shutdown_tracing() -> None:
    """Exports the spans still buffered (called on server stop)."""
    global _tracer, _provider
    if _provider is not None:
        _provider.shutdown()
    _tracer = _provider = None


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
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except Exception as exc:
            _record_failure(span, exc)
            raise


def _record_failure(span: Any, exc: Exception) -> None:
    """The span's error status and exception event, scrubbed of secrets like a log line."""
    from opentelemetry.trace import Status, StatusCode

    message = scrub(str(exc))
    span.set_status(Status(StatusCode.ERROR, message))
    span.record_exception(
        exc,
        attributes={
            "exception.message": message,
            "exception.stacktrace": scrub("".join(traceback.format_exception(exc))),
        },
    )
