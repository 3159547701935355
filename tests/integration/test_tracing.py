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
    names = [s.name for s in collector.spans]
    assert "upstream chat" in names and "upstream stream_chat" in names
    assert "/llmgateway.v1.GatewayService/Chat" in names
    upstream = next(s for s in collector.spans if s.name == "upstream chat")
    attributes = {a.key: a.value.string_value for a in upstream.attributes}
    assert attributes["llmgateway.model"] == "mock/echo" and attributes["gen_ai.system"] == "mock"
    server_span = next(s for s in collector.spans if s.name == "/llmgateway.v1.GatewayService/Chat")
    assert upstream.trace_id == server_span.trace_id  # the upstream span is a child of the RPC's span
