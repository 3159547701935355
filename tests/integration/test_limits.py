"""Rate limits through a real server, over both backends (in-process and a real
redis-server): per key, per key x model, per model and per client address;
requests, tokens (reserved, then settled to the real usage) and calls in flight
(returned when a stream is cancelled); the x-ratelimit-* headers; QuotaFailure and
RetryInfo; and what happens when Redis goes away."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client import CollectorRegistry

from llmgateway.admin.v1 import api_key_pb2
from llmgateway.v1 import chat_pb2, model_pb2
from tests.helpers import Details, chat, stream, user
from tests.keyed import KeyedGateway, bearer
from tests.redisserver import RedisServer

SLOW = {
    "id": "mock/slow",
    "provider": "mock",
    "upstream_model": "echo",
    "capabilities": ["chat", "stream"],
    "options": {"chunk_delay_ms": "100"},
}


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings overrides selecting the limiter backend."""
    if request.param == "memory":
        return {}
    return {"redis": {"url": request.getfixturevalue("redis_url"), "timeout_s": 0.5}}


def limits(rpm: int = 0, tpm: int = 0, concurrent: int = 0) -> api_key_pb2.RateLimits:
    return api_key_pb2.RateLimits(requests_per_minute=rpm, tokens_per_minute=tpm, concurrent_calls=concurrent)


async def outcome(call: Any) -> Details | None:
    try:
        await call
    except grpc.aio.AioRpcError as exc:
        return Details(exc)
    return None


def metric(registry: CollectorRegistry | None, name: str, **labels: str) -> float:
    assert registry is not None
    return registry.get_sample_value(name, labels) or 0.0


async def test_a_key_limit_refuses_with_quota_failure_and_retry_info(
    keyed_factory: Any, backend: dict[str, Any]
) -> None:
    gw: KeyedGateway = await keyed_factory(**backend)
    key, secret = await gw.create_key(name="k", limits=limits(rpm=2))
    call = gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5)
    await call
    trailers = dict(await call.trailing_metadata())
    assert trailers["x-ratelimit-limit-requests"] == "2" and trailers["x-ratelimit-remaining-requests"] == "1"
    assert trailers["x-ratelimit-reset-requests"].endswith("s")
    events = gw.stub.StreamChat(stream(), metadata=bearer(secret), timeout=5)
    headers = dict(await events.initial_metadata())
    assert headers["x-ratelimit-remaining-requests"] == "0"
    assert [e async for e in events][-1].HasField("end")
    details = await outcome(gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5))
    assert details is not None
    assert (details.code, details.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED")
    assert dict(details.error_info.metadata) == {"limit": "requests", "subject": "key"}  # type: ignore[union-attr]
    violation = details.quota_failure.violations[0]  # type: ignore[union-attr]
    assert (violation.subject, violation.description) == (f"key:{key.id}", "2 requests per minute")
    assert details.retry_info is not None and 0 < details.retry_info.retry_delay.seconds <= 61
    assert metric(gw.running.metrics, "llmgateway_rate_limited_total", limit="requests", subject="key") == 1


async def test_tokens_are_reserved_from_an_estimate_and_settled_to_the_usage(
    keyed_factory: Any, backend: dict[str, Any]
) -> None:
    gw: KeyedGateway = await keyed_factory(**backend)
    _, secret = await gw.create_key(name="k", limits=limits(tpm=150))
    # Reserves 5 + 100 tokens (the message's framing and its 4 characters, max_tokens), uses 3
    # ("abcd" -> "Echo: abcd").
    request = chat("mock/echo", user("abcd"), generation=chat_pb2.GenerationConfig(max_tokens=100))
    for _ in range(3):
        call = gw.stub.Chat(request, metadata=bearer(secret), timeout=5)
        response = await call
        assert response.usage.total_tokens == 3
    remaining = dict(await call.trailing_metadata())["x-ratelimit-remaining-tokens"]
    assert remaining == str(150 - 3 - 3 - 105)  # two settled calls and this one's reservation
    # 9 used + 150 reserved > 150
    greedy = chat("mock/echo", user("abcd"), generation=chat_pb2.GenerationConfig(max_tokens=145))
    details = await outcome(gw.stub.Chat(greedy, metadata=bearer(secret), timeout=5))
    assert details is not None and details.reason == "RATE_LIMITED"
    assert dict(details.error_info.metadata)["limit"] == "tokens"  # type: ignore[union-attr]


async def test_a_cancelled_stream_returns_its_slot(keyed_factory: Any, backend: dict[str, Any]) -> None:
    gw: KeyedGateway = await keyed_factory(models=[SLOW], **backend)
    _, secret = await gw.create_key(name="k", limits=limits(concurrent=1))
    first = gw.stub.StreamChat(stream("mock/slow", user("one two three four five")), metadata=bearer(secret))
    assert (await first.read()).HasField("start")
    details = await outcome(gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5))
    assert details is not None and dict(details.error_info.metadata)["limit"] == "concurrent"  # type: ignore[union-attr]
    assert details.retry_info is not None
    first.cancel()
    for _ in range(100):  # the gateway settles the cancelled call right after it notices
        if await outcome(gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5)) is None:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the cancelled stream kept its slot")


async def test_per_model_and_per_key_model_limits(keyed_factory: Any, backend: dict[str, Any]) -> None:
    gw: KeyedGateway = await keyed_factory(
        limits={"per_model": {"mock/e*": {"requests_per_minute": 3}}}, **backend
    )
    per_model = [api_key_pb2.ModelRateLimits(model="mock/echo", limits=limits(rpm=1))]
    key_a, a = await gw.create_key(name="a", model_limits=per_model)
    _, b = await gw.create_key(name="b")
    assert await outcome(gw.stub.Chat(chat(), metadata=bearer(a), timeout=5)) is None
    refused = await outcome(gw.stub.Chat(chat(), metadata=bearer(a), timeout=5))
    assert (
        refused is not None
        and refused.quota_failure.violations[0].subject == f"key_model:{key_a.id}|mock/echo"
    )  # type: ignore[union-attr]
    assert await outcome(gw.stub.Chat(chat(), metadata=bearer(b), timeout=5)) is None
    assert await outcome(gw.stub.Chat(chat(), metadata=bearer(b), timeout=5)) is None  # model: 3 of 3
    refused = await outcome(gw.stub.Chat(chat(), metadata=bearer(b), timeout=5))
    assert refused is not None and refused.quota_failure.violations[0].subject == "model:mock/echo"  # type: ignore[union-attr]
    listed = await gw.stub.ListModels(model_pb2.ListModelsRequest(), metadata=bearer(b), timeout=5)
    assert listed.models  # ListModels is never rate limited


async def test_calls_without_a_key_are_limited_per_client_address(gateway_factory: Any) -> None:
    stub = await gateway_factory(
        limits={"per_address": {"requests_per_minute": 1}, "trusted_proxies": ["127.0.0.0/8"]}
    )

    def via(address: str) -> Any:
        return stub.Chat(chat(), metadata=(("x-forwarded-for", f"{address}, 127.0.0.1"),), timeout=5)

    assert await outcome(via("203.0.113.7")) is None
    refused = await outcome(via("203.0.113.7"))
    assert refused is not None and refused.quota_failure.violations[0].subject == "address"  # type: ignore[union-attr]
    assert "203.0.113.7" not in refused.message
    assert await outcome(via("2001:db8::1")) is None  # another client behind the same proxy
    assert await outcome(stub.Chat(chat(), timeout=5)) is None  # the proxy's own address


async def test_an_untrusted_peer_cannot_choose_its_address(gateway_factory: Any) -> None:
    stub = await gateway_factory(
        limits={"per_address": {"requests_per_minute": 1}, "trusted_proxies": ["10.0.0.0/8"]}
    )
    spoof = (("x-forwarded-for", "198.51.100.1"),)
    assert await outcome(stub.Chat(chat(), metadata=spoof, timeout=5)) is None
    other = (("x-forwarded-for", "198.51.100.2"),)
    refused = await outcome(stub.Chat(chat(), metadata=other, timeout=5))
    assert refused is not None and refused.reason == "RATE_LIMITED"


@pytest.mark.parametrize("mode", ["fail_open", "fail_closed"])
async def test_redis_going_away_applies_the_failure_mode(
    keyed_factory: Any, redis_server: RedisServer, redis_url: str, mode: str
) -> None:
    gw: KeyedGateway = await keyed_factory(
        redis={"url": redis_url, "timeout_s": 0.3}, limits={"failure_mode": mode}
    )
    _, secret = await gw.create_key(name="k", limits=limits(rpm=100, concurrent=5))
    health = health_pb2_grpc.HealthStub(gw.channel)
    assert await outcome(gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5)) is None
    redis_server.stop()
    try:
        for _ in range(3):
            details = await outcome(gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5))
            if mode == "fail_open":
                assert details is None
            else:
                assert details is not None
                assert (details.code, details.reason) == (grpc.StatusCode.UNAVAILABLE, "LIMITS_UNAVAILABLE")
        status = await health.Check(health_pb2.HealthCheckRequest(service="llmgateway.redis"), timeout=5)
        assert status.status == health_pb2.HealthCheckResponse.NOT_SERVING
        assert metric(gw.running.metrics, "llmgateway_rate_limits_unchecked_total", mode=mode) == 3
    finally:
        redis_server.start()
    assert await outcome(gw.stub.Chat(chat(), metadata=bearer(secret), timeout=5)) is None
    status = await health.Check(health_pb2.HealthCheckRequest(service="llmgateway.redis"), timeout=5)
    assert status.status == health_pb2.HealthCheckResponse.SERVING
