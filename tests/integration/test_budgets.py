"""Budgets through a real server, over both stores (in-process and a real redis-server):
100 concurrent calls against a budget that fits exactly 10; a reservation settled to
the real cost (so later calls fit again); the refusal (BUDGET_EXCEEDED, a QuotaFailure
naming the budget, no upstream request); failed calls and cancelled streams charged
what they used; unpriced models; a task budget (tags); the budget gauges; Redis
unreachable (fail closed or open). Two processes sharing one Redis:
tests/integration/test_replicas_budgets.py."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest

from llmgateway.v1 import chat_pb2
from tests.emulators.base import Script
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import Details, chat, scrape, scrape_when, stream, user
from tests.redisserver import RedisServer

ONE_PER_MILLION = {"input_per_million": 1, "output_per_million": 1}  # a token costs a micro-dollar
PRICED = {
    "id": "priced/echo",
    "provider": "mock",
    "upstream_model": "echo",
    "capabilities": ["chat", "stream"],
    "pricing": ONE_PER_MILLION,
}
SLOW = {**PRICED, "id": "priced/slow", "options": {"chunk_delay_ms": "100"}}
# No price (and none in the bundled price list: it has no such upstream model).
UNPRICED = {"id": "free/echo", "provider": "mock", "upstream_model": "unpriced", "capabilities": ["chat"]}
EMU_KEY = "BUDGET_TEST_API_KEY"


# Eight one-letter words with max_tokens 2 reserve 8 + 2 tokens (core/estimate.py) and use
# 8 + 2 (the mock counts words): 10 micro-dollars reserved and spent.
def known(model: str = "priced/echo") -> chat_pb2.ChatRequest:
    return chat(model, user("a b c d e f g h"), generation=chat_pb2.GenerationConfig(max_tokens=2))


KNOWN = known()
USED = "llmgateway_budget_used"


def budgets(*limits: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"limits": list(limits), **more}


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "memory":
        return {}
    return {"redis": {"url": request.getfixturevalue("redis_url"), "timeout_s": 2.0}}


@pytest.fixture
async def emu(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(EMU_KEY, "sk-budget-test")
    async with OpenAIEmulator() as emulator:
        yield emulator


def emu_model(emu: OpenAIEmulator) -> dict[str, Any]:
    return {
        "id": "emu/priced",
        "provider": "openai",
        "upstream_model": "emulated",
        "base_url": emu.base_url,
        "credential_ref": EMU_KEY,
        "capabilities": ["chat", "stream"],
        "pricing": ONE_PER_MILLION,
        "retry": {"max_retries": 0},
    }


async def outcome(call: Any) -> str:
    try:
        await call
    except grpc.aio.AioRpcError as exc:
        return exc.code().name
    return "OK"


def used(scraped: Any, budget: str = "all", subject: str = "") -> float:
    return scraped.series(USED, "budget", "subject").get((budget, subject), -1.0)


async def test_concurrent_calls_cannot_overspend(gateway_factory: Any, backend: dict[str, Any]) -> None:
    ten = budgets({"name": "all", "limit": "0.0001"})
    gw = await gateway_factory(models=[PRICED], budgets=ten, metrics={"address": "127.0.0.1:0"}, **backend)
    outcomes = await asyncio.gather(*(outcome(gw.Chat(KNOWN, timeout=20)) for _ in range(100)))
    assert {o: outcomes.count(o) for o in set(outcomes)} == {"OK": 10, "RESOURCE_EXHAUSTED": 90}
    scraped = await scrape(gw.metrics_port)
    assert used(scraped) == pytest.approx(0.0001)
    assert scraped.series("llmgateway_budget_remaining", "budget", "subject") == {("all", ""): 0.0}
    assert scraped.series("llmgateway_budget_refused_total", "budget") == {("all",): 90.0}


async def test_settle_replaces_the_reservation_by_the_real_cost(
    gateway_factory: Any, backend: dict[str, Any]
) -> None:
    limit = budgets({"name": "all", "limit": "0.0002"})
    gw = await gateway_factory(models=[PRICED], budgets=limit, **backend)
    # Reserves 8 + 100 micro-dollars, spends 8 + 9 ("Echo: a b c d e f g h"): the n-th call
    # fits while 17 (n - 1) + 108 <= 200; with no settle only one would.
    roomy = chat("priced/echo", user("a b c d e f g h"), generation=chat_pb2.GenerationConfig(max_tokens=100))
    results = [await outcome(gw.Chat(roomy, timeout=5)) for _ in range(7)]
    assert results == ["OK"] * 6 + ["RESOURCE_EXHAUSTED"]
    # 102 spent: nine calls of 10 fit, the tenth does not.
    results = [await outcome(gw.Chat(KNOWN, timeout=5)) for _ in range(10)]
    assert results == ["OK"] * 9 + ["RESOURCE_EXHAUSTED"]


async def test_a_refusal_names_the_budget_before_any_upstream_request(
    gateway_factory: Any, emu: OpenAIEmulator
) -> None:
    gw = await gateway_factory(
        models=[emu_model(emu)],
        budgets=budgets({"name": "tiny", "scope": "model", "period": "month", "limit": "0.00001"}),
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await gw.Chat(chat("emu/priced", generation=chat_pb2.GenerationConfig(max_tokens=50)), timeout=5)
    details = Details(info.value)
    assert details.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert details.reason == "BUDGET_EXCEEDED"
    assert details.error_info is not None and details.error_info.metadata["budget"] == "tiny"
    assert "resets_at" in details.error_info.metadata
    assert details.quota_failure is not None
    (violation,) = details.quota_failure.violations
    assert violation.subject == "budget:tiny:emu/priced"
    assert "monthly budget 'tiny' of 0.00001 USD" in violation.description
    assert emu.requests == []


async def test_failed_calls_and_cancelled_streams_are_charged_what_they_used(
    gateway_factory: Any, emu: OpenAIEmulator, backend: dict[str, Any]
) -> None:
    gw = await gateway_factory(
        models=[SLOW, emu_model(emu)],
        budgets=budgets({"name": "all", "limit": "1"}),
        metrics={"address": "127.0.0.1:0"},
        **backend,
    )
    port = gw.metrics_port
    big = chat_pb2.GenerationConfig(max_tokens=1000)
    # No answer at all: nothing billed, the reservation (7 + 1000) returns.
    emu.script = Script(error_status=400, error_kind="invalid")
    assert await outcome(gw.Chat(chat("emu/priced", generation=big), timeout=5)) == "INVALID_ARGUMENT"
    assert used(await scrape_when(port, lambda s: used(s) == 0.0)) == 0.0
    # An answer cut by the provider's error mid-stream: the prompt and the deltas sent.
    emu.script = Script(midstream_error=True)
    events = gw.StreamChat(stream("emu/priced", generation=big), timeout=5)
    assert await outcome(_drain(events)) == "UNAVAILABLE"
    failed = used(await scrape_when(port, lambda s: used(s) > 0))
    assert 0 < failed < 0.000050
    # A stream the caller cancels after its first delta: charged what was streamed.
    slow = gw.StreamChat(stream("priced/slow", user("a b c d e f g h"), generation=big), timeout=10)
    async for event in slow:
        if event.HasField("text_delta"):
            break
    slow.cancel()
    cancelled = used(await scrape_when(port, lambda s: used(s) < 0.0005)) - failed
    assert 0.000008 < cancelled < 0.000020  # not the 1008 reserved


async def _drain(events: Any) -> None:
    async for _ in events:
        pass


async def test_unpriced_models_under_a_money_budget(gateway_factory: Any) -> None:
    refusing = await gateway_factory(models=[UNPRICED], budgets=budgets({"name": "all", "limit": "10"}))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await refusing.Chat(chat("free/echo"), timeout=5)
    details = Details(info.value)
    assert details.reason == "BUDGET_EXCEEDED" and "has no price" in details.message
    allow = budgets({"name": "all", "limit": "10"}, allow_unpriced=["free/*"])
    allowing = await gateway_factory(models=[UNPRICED], budgets=allow)
    await allowing.Chat(chat("free/echo"), timeout=5)
    tokens_only = await gateway_factory(models=[UNPRICED], budgets=budgets({"name": "all", "tokens": 25}))
    results = [await outcome(tokens_only.Chat(known("free/echo"), timeout=5)) for _ in range(3)]
    assert results == ["OK", "OK", "RESOURCE_EXHAUSTED"]  # 10 tokens each


@pytest.mark.parametrize(("mode", "expected"), [("fail_closed", "UNAVAILABLE"), ("fail_open", "OK")])
async def test_redis_unreachable(
    gateway_factory: Any, redis_url: str, redis_server: RedisServer, mode: str, expected: str
) -> None:
    limit = budgets({"name": "all", "limit": "1"}, failure_mode=mode)
    gw = await gateway_factory(models=[PRICED], budgets=limit, redis={"url": redis_url, "timeout_s": 0.3})
    assert await outcome(gw.Chat(KNOWN, timeout=5)) == "OK"
    redis_server.stop()
    try:
        assert await outcome(gw.Chat(KNOWN, timeout=5)) == expected
    finally:
        redis_server.start()


async def test_a_task_budget_counts_the_calls_tagged_with_it(gateway_factory: Any) -> None:
    per_task = budgets(
        {"name": "per-task", "scope": "tag", "tag": "task", "period": "total", "limit": "0.00002"}
    )
    gw = await gateway_factory(models=[PRICED], budgets=per_task)

    def tagged(task: str) -> chat_pb2.ChatRequest:
        request = known()
        request.tags["task"] = task
        return request

    results = [await outcome(gw.Chat(tagged("t1"), timeout=5)) for _ in range(3)]
    assert results == ["OK", "OK", "RESOURCE_EXHAUSTED"]  # 10 micro-dollars each
    assert await outcome(gw.Chat(tagged("t2"), timeout=5)) == "OK"  # another task
    assert await outcome(gw.Chat(KNOWN, timeout=5)) == "OK"  # untagged: no task budget applies
