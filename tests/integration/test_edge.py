"""The one edge wrapper, through the real server: undecodable bytes on both planes,
load shedding beyond the concurrency caps, the server-side maximum duration of a
call without a deadline, retry pushback after the gateway's own retries, the Admin
API on an address of its own, Watch streams that end on drain, and several accept
loops on one port."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from llmgateway.admin.v1 import admin_service_pb2 as admin_pb
from llmgateway.admin.v1 import admin_service_pb2_grpc
from llmgateway.config import Settings
from llmgateway.server import start_server
from llmgateway.v1 import gateway_service_pb2_grpc
from tests.emulators.base import Script
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import Details, chat, stream

KEY_ENV = "EDGE_TEST_API_KEY"
TOKEN = "edge-admin-token-0123456789"


@pytest.fixture
async def emu() -> Any:
    async with OpenAIEmulator() as emulator:
        yield emulator


def upstream(emu: OpenAIEmulator, **kw: Any) -> dict[str, Any]:
    entry = {
        "id": "emu/chat",
        "provider": "openai",
        "upstream_model": "emulated",
        "base_url": emu.base_url,
        "credential_ref": KEY_ENV,
        "capabilities": ["chat", "stream"],
        "retry": {"max_retries": 0},
    }
    entry.update(kw)
    return entry


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-edge-test")
    monkeypatch.setenv("EDGE_ADMIN_TOKEN", TOKEN)


@pytest.mark.parametrize(
    ("method", "metadata"),
    [
        ("/llmgateway.v1.GatewayService/Chat", ()),
        ("/llmgateway.v1.GatewayService/Embed", ()),
        ("/llmgateway.admin.v1.AdminService/CreateModel", (("authorization", f"Bearer {TOKEN}"),)),
    ],
)
async def test_undecodable_bytes_are_invalid_argument_without_a_stack_trace(
    gateway_factory: Any, method: str, metadata: Any, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = await gateway_factory(admin={"token_env": "EDGE_ADMIN_TOKEN"})
    send = gateway.channel.unary_unary(method)
    with caplog.at_level(logging.WARNING), pytest.raises(grpc.aio.AioRpcError) as info:
        await send(b"\xff\xff\xff\xff garbage", metadata=metadata, timeout=5)
    details = Details(info.value)
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT and details.fields == ["request"]
    assert not [r for r in caplog.records if r.exc_info]  # no stack trace logged
    assert (await gateway.Chat(chat(), timeout=5)).model == "mock/echo"


async def test_calls_beyond_the_cap_are_shed_at_once_with_retry_info(
    gateway_factory: Any, emu: OpenAIEmulator
) -> None:
    emu.script = Script(stall_before_headers=1.0)
    gateway = await gateway_factory(
        server={"max_concurrent_calls": 2, "overload_retry_after_s": 0.5}, models=[upstream(emu)]
    )
    held = [asyncio.ensure_future(gateway.Chat(chat("emu/chat"), timeout=10)) for _ in range(2)]
    for _ in range(500):
        if len(emu.requests) == 2:
            break
        await asyncio.sleep(0.01)
    started = time.monotonic()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Chat(chat(), timeout=10)
    assert time.monotonic() - started < 0.5  # refused, not queued behind the held calls
    details = Details(info.value)
    assert (details.code, details.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "OVERLOADED")
    assert details.retry_info is not None and details.retry_info.retry_delay.ToMilliseconds() == 500
    await asyncio.gather(*held)
    assert (await gateway.Chat(chat(), timeout=5)).model == "mock/echo"  # the slots were released


async def test_streams_have_their_own_cap(gateway_factory: Any, emu: OpenAIEmulator) -> None:
    emu.script = Script(stall_after_first_event=1.0)
    gateway = await gateway_factory(server={"max_concurrent_streams": 1}, models=[upstream(emu)])
    first = gateway.StreamChat(stream("emu/chat"), timeout=10)
    assert (await first.read()).WhichOneof("event") == "start"
    with pytest.raises(grpc.aio.AioRpcError) as info:
        [e async for e in gateway.StreamChat(stream(), timeout=5)]
    assert Details(info.value).reason == "OVERLOADED"
    assert (await gateway.Chat(chat(), timeout=5)).model == "mock/echo"  # unary calls are not streams
    first.cancel()


async def test_a_call_without_deadline_is_bounded_by_the_server_maximum(
    gateway_factory: Any, emu: OpenAIEmulator
) -> None:
    emu.script = Script(stall_after_first_event=30)
    gateway = await gateway_factory(
        server={"max_call_duration_s": {"StreamChat": 0.5}}, models=[upstream(emu)]
    )
    started = time.monotonic()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        [e async for e in gateway.StreamChat(stream("emu/chat"))]  # no deadline
    assert time.monotonic() - started < 5
    assert (Details(info.value).code, Details(info.value).reason) == (
        grpc.StatusCode.DEADLINE_EXCEEDED,
        "PROVIDER_TIMEOUT",
    )


async def test_after_its_own_retries_the_gateway_tells_clients_not_to_retry(
    gateway_factory: Any, emu: OpenAIEmulator
) -> None:
    emu.script = Script(error_status=503, error_kind="server")
    retrying = upstream(
        emu,
        retry={"max_retries": 2, "initial_backoff": 0.01, "max_backoff": 0.01},
        cooldown={"failures": 100},
    )
    gateway = await gateway_factory(models=[retrying])
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gateway.Chat(chat("emu/chat"), timeout=5)
    trailers = dict(info.value.trailing_metadata() or ())
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE and trailers["grpc-retry-pushback-ms"] == "-1"
    assert len(emu.requests) == 3


async def test_the_admin_api_can_listen_on_its_own_address_and_stay_out_of_reflection() -> None:
    settings = Settings(
        server={"address": "127.0.0.1:0", "uvloop": False},
        admin={"token_env": "EDGE_ADMIN_TOKEN", "address": "127.0.0.1:0", "reflection": False},
    )
    running = await start_server(settings)
    try:
        async with (
            grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as data,
            grpc.aio.insecure_channel(f"127.0.0.1:{running.admin_port}") as admin,
        ):
            request = admin_pb.ListModelsRequest()
            auth = (("authorization", f"Bearer {TOKEN}"),)
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await admin_service_pb2_grpc.AdminServiceStub(data).ListModels(
                    request, metadata=auth, timeout=5
                )
            assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
            listed = await admin_service_pb2_grpc.AdminServiceStub(admin).ListModels(
                request, metadata=auth, timeout=5
            )
            assert listed.models
            names = await _reflected(data)
            assert "llmgateway.v1.GatewayService" in names and "llmgateway.admin.v1.AdminService" not in names
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await _reflected(admin)  # no reflection at all on the admin address
            assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
    finally:
        await running.stop(0)


async def test_drain_turns_health_not_serving_and_ends_watch_streams() -> None:
    running = await start_server(Settings(server={"address": "127.0.0.1:0", "uvloop": False}))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""))
        assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
        started = time.monotonic()
        stopping = asyncio.ensure_future(running.stop(10))
        assert (await watch.read()).status == health_pb2.HealthCheckResponse.NOT_SERVING
        assert await watch.read() is grpc.aio.EOF
        assert await watch.code() == grpc.StatusCode.OK
        await stopping
        assert time.monotonic() - started < 5  # the open Watch did not hold the 10 s grace


async def test_several_accept_loops_serve_every_connection_on_one_port() -> None:
    running = await start_server(
        Settings(server={"address": "127.0.0.1:0", "uvloop": False, "accept_loops": 3})
    )
    assert len(running.servers) == 3
    # Each channel its own connection, which the kernel hands to one of the three.
    options = [("grpc.use_local_subchannel_pool", 1)]
    channels = [grpc.aio.insecure_channel(f"127.0.0.1:{running.port}", options=options) for _ in range(12)]
    try:
        for channel in channels:
            answer = await gateway_service_pb2_grpc.GatewayServiceStub(channel).Chat(
                chat("mock/echo"), timeout=5
            )
            assert answer.message.content[0].text
            health = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=5
            )
            assert health.status == health_pb2.HealthCheckResponse.SERVING
            assert "llmgateway.v1.GatewayService" in await _reflected(channel)
        streaming = stream("mock/echo")
        events = gateway_service_pb2_grpc.GatewayServiceStub(channels[0]).StreamChat(streaming, timeout=5)
        assert [e async for e in events]
    finally:
        for channel in channels:
            await channel.close()
        await running.stop(1)
    with socket.socket() as probe:  # every loop stopped: nothing listens on the port any more
        assert probe.connect_ex(("127.0.0.1", running.port)) != 0


async def _reflected(channel: grpc.aio.Channel) -> list[str]:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    return [s.name async for r in responses for s in r.list_services_response.service]
