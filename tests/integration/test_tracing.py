"""With an OTLP endpoint configured, the gateway exports a server span per RPC and a
span around each upstream call to a real OTLP/gRPC collector (a fake one on loopback)."""

from __future__ import annotations

from typing import Any

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from llmgateway.config import Settings
from llmgateway.server import start_server
from llmgateway.v1 import gateway_service_pb2_grpc
from tests.helpers import chat, stream


class Collector(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self) -> None:
        self.spans: list[Any] = []

    async def Export(self, request: Any, context: Any) -> Any:
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                self.spans.extend(scope_spans.spans)
        return trace_service_pb2.ExportTraceServiceResponse()


async def test_spans_are_exported_to_the_otlp_endpoint() -> None:
    collector = Collector()
    collector_server = grpc.aio.server()
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(collector, collector_server)
    port = collector_server.add_insecure_port("127.0.0.1:0")
    await collector_server.start()
    running = await start_server(
        Settings(
            server={"address": "127.0.0.1:0", "uvloop": False},
            telemetry={"otlp_endpoint": f"http://127.0.0.1:{port}", "service_name": "gw-test"},
        )
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = gateway_service_pb2_grpc.GatewayServiceStub(channel)
            await stub.Chat(chat(), timeout=5)
            [e async for e in stub.StreamChat(stream(), timeout=5)]
    finally:
        await running.stop(0)  # flushes the batch processor
        await collector_server.stop(0)
    # One client span per upstream attempt, named and attributed by the GenAI conventions.
    upstream = [s for s in collector.spans if s.name == "chat echo"]
    assert len(upstream) == 2  # Chat and StreamChat
    server_span = next(s for s in collector.spans if s.name == "/llmgateway.v1.GatewayService/Chat")
    assert upstream[0].trace_id == server_span.trace_id  # the upstream span is a child of the RPC's span
    assert upstream[0].parent_span_id == server_span.span_id
    attributes = {a.key: _value(a.value) for a in upstream[0].attributes}
    assert attributes["llmgateway.model"] == "mock/echo"
    assert attributes["gen_ai.provider.name"] == "mock" and attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.request.model"] == attributes["gen_ai.response.model"] == "echo"
    assert attributes["gen_ai.response.id"] == "mock-1" and attributes["gen_ai.usage.input_tokens"] > 0
    assert upstream[0].end_time_unix_nano - upstream[0].start_time_unix_nano > 0
    # The RPC's own span carries the same attributes for the whole call.
    server = {a.key: _value(a.value) for a in server_span.attributes}
    assert server["gen_ai.response.model"] == "echo" and server["llmgateway.model"] == "mock/echo"
    assert server["gen_ai.usage.output_tokens"] == attributes["gen_ai.usage.output_tokens"]


def _value(v: Any) -> Any:
    return getattr(v, v.WhichOneof("value"))
