"""With an OTLP endpoint configured, the gateway exports a server span per RPC and a
span around each upstream call to a real OTLP/gRPC collector (a fake one on loopback);
a call to a virtual model names it, its rule and its session on the RPC's span.
Every exported span is shown to the canary guard (tests/canaries.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from llmgateway.config import Settings
from llmgateway.server import start_server
from llmgateway.v1 import gateway_service_pb2_grpc
from tests.canaries import PROVIDER_KEY, PROVIDER_KEY_ENV, LeakGuard
from tests.emulators.base import Script
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import chat, stream, user


class Collector(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, guard: LeakGuard) -> None:
        self.spans: list[Any] = []
        self.guard = guard

    async def Export(self, request: Any, context: Any) -> Any:
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                self.spans.extend(scope_spans.spans)
                for span in scope_spans.spans:
                    self.guard.observe(f"span {span.name}", str(span))
        return trace_service_pb2.ExportTraceServiceResponse()


class Traced:
    """Gateways that export their spans to one collector; `flush` stops them (which
    exports what their batch processors still hold)."""

    def __init__(self, otlp_endpoint: str) -> None:
        self.otlp_endpoint = otlp_endpoint
        self.running: list[Any] = []
        self.channels: list[grpc.aio.Channel] = []

    async def start(self, **overrides: Any) -> gateway_service_pb2_grpc.GatewayServiceStub:
        server = await start_server(
            Settings(
                server={"address": "127.0.0.1:0", "uvloop": False},
                telemetry={"otlp_endpoint": self.otlp_endpoint, "service_name": "gw-test"},
                **overrides,
            )
        )
        self.running.append(server)
        self.channels.append(grpc.aio.insecure_channel(f"127.0.0.1:{server.port}"))
        return gateway_service_pb2_grpc.GatewayServiceStub(self.channels[-1])

    async def flush(self) -> None:
        for channel in self.channels:
            await channel.close()
        for server in self.running:
            await server.stop(0)
        self.channels.clear()
        self.running.clear()


@pytest.fixture
async def traced(leak_guard: LeakGuard) -> AsyncIterator[tuple[Collector, Traced]]:
    collector = Collector(leak_guard)
    collector_server = grpc.aio.server()
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(collector, collector_server)
    port = collector_server.add_insecure_port("127.0.0.1:0")
    await collector_server.start()
    gateways = Traced(f"http://127.0.0.1:{port}")
    yield collector, gateways
    await gateways.flush()
    await collector_server.stop(0)


async def test_spans_are_exported_to_the_otlp_endpoint(traced: tuple[Collector, Traced]) -> None:
    collector, gateways = traced
    stub = await gateways.start()
    await stub.Chat(chat(), timeout=5)
    [e async for e in stub.StreamChat(stream(), timeout=5)]
    await gateways.flush()
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


async def test_a_call_to_a_virtual_model_names_it_and_its_rule_on_the_rpc_span(
    traced: tuple[Collector, Traced],
) -> None:
    collector, gateways = traced
    rule = {"name": "greeting", "any_words": ["hello"], "targets": [{"model": "mock/echo"}]}
    bot = {
        "id": "team/bot",
        "kind": "virtual",
        "capabilities": ["chat", "stream"],
        "virtual": {"default_target": "mock/echo", "rules": [rule], "memory": {"enabled": True}},
    }
    stub = await gateways.start(models=[bot])
    greeted = await stub.Chat(chat("team/bot", user("Hello there")), timeout=5)
    await stub.Chat(chat("team/bot", user("and now")), timeout=5)
    await stub.Chat(chat(), timeout=5)  # straight to mock/echo
    await gateways.flush()
    rpc = [s for s in collector.spans if s.name == "/llmgateway.v1.GatewayService/Chat"]
    attributes = [{a.key: _value(a.value) for a in s.attributes} for s in rpc]
    routed = [
        (a.get("llmgateway.virtual_model"), a.get("llmgateway.rule"), a.get("llmgateway.model"))
        for a in attributes
    ]
    assert sorted(routed, key=str) == [
        ("team/bot", "", "mock/echo"),  # the default target
        ("team/bot", "greeting", "mock/echo"),
        (None, None, "mock/echo"),  # no virtual model: no routing attributes
    ]
    (greeting,) = [a for a in attributes if a.get("llmgateway.rule") == "greeting"]
    assert greeting["llmgateway.session_id"] == greeted.session_id != ""


def _value(v: Any) -> Any:
    return getattr(v, v.WhichOneof("value"))


async def test_an_upstream_error_quoting_the_key_is_scrubbed_from_the_spans(
    traced: tuple[Collector, Traced], monkeypatch: pytest.MonkeyPatch
) -> None:
    collector, gateways = traced
    monkeypatch.setenv(PROVIDER_KEY_ENV, PROVIDER_KEY)
    async with OpenAIEmulator() as emu:
        emu.script = Script(error_status=400, error_kind="invalid", echo_key=True)
        stub = await gateways.start(
            include_default_models=False,
            models=[
                {
                    "id": "up/openai",
                    "provider": "openai",
                    "upstream_model": "m",
                    "base_url": emu.base_url,
                    "credential_ref": PROVIDER_KEY_ENV,
                }
            ],
        )
        with pytest.raises(grpc.aio.AioRpcError):
            await stub.Chat(chat("up/openai"), timeout=5)
        await gateways.flush()
    # A failed attempt says what failed by its ErrorInfo reason, never by upstream text;
    # the collector showed every span to the canary guard, which fails the test on a leak.
    (upstream,) = [s for s in collector.spans if s.name == "chat m"]
    attributes = {a.key: _value(a.value) for a in upstream.attributes}
    assert attributes["error.type"] == "PROVIDER_REJECTED" and upstream.status.message == "PROVIDER_REJECTED"
    assert PROVIDER_KEY not in str(collector.spans)
