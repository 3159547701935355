"""The budgets policy on its own (in-process store, an injected clock): which budgets
apply to a call (key, team, tag, model, global; `match`), the worst case (max_tokens,
the model's cap, the default, the dearest fallback), windows that roll over at UTC
midnight and month ends, soft thresholds logged once, unpriced models, a cost in
another currency, and the failure modes of an unreachable store. A property test:
counters never go negative nor past their limit whatever calls reserve and spend."""

from __future__ import annotations

import calendar
import logging
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmgateway.budgets.memory import MemoryBudgetStore
from llmgateway.budgets.plan import WorstCase
from llmgateway.budgets.policy import BudgetPolicy
from llmgateway.budgets.settings import BudgetLimit, BudgetSettings
from llmgateway.core.budgets import BudgetsUnavailable, Charge, Refused, Reserved, Used
from llmgateway.core.calls import Call, Principal
from llmgateway.core.cost import Cost
from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.models import Deployment, Model, Pricing
from llmgateway.core.pipeline import Outcome
from llmgateway.core.types import (
    ChatRequest,
    GenerationConfig,
    ImageRequest,
    Message,
    Role,
    SpeechRequest,
    TextPart,
    Usage,
)


def priced(model_id: str, per_million: int, **more: Any) -> Model:
    """A token costs `per_million` micro-dollars."""
    pricing = Pricing(input_per_million=per_million, output_per_million=per_million)
    return Model(id=model_id, provider="mock", upstream_model="echo", pricing=pricing, **more)


CHEAP = priced("m/cheap", 1)
DEAR = priced("m/dear", 10)
CAPPED = priced("m/capped", 1, max_output_tokens=50)
FALLING = priced("m/falling", 1, fallbacks=("m/dear",))
TO_LOCAL = priced("m/to-local", 1, fallbacks=("local/llama",))
MEDIA = Model(
    id="m/media",
    provider="mock",
    upstream_model="image",
    pricing=Pricing(
        per_image={"512x512": Decimal("0.02"), "1024x1024": Decimal("0.04")},
        speech_per_million_characters=Decimal(15),
    ),
)
FREE = Model(id="local/llama", provider="ollama", upstream_model="llama")
NOON = calendar.timegm((2026, 12, 31, 12, 0, 0))  # the last day of a month
PROMPT = 8  # "a b c d e f g h": 4 tokens of framing + 4 of text


class Catalog:
    revision = "1"

    def __init__(self, *models: Model) -> None:
        self.models = {m.id: m for m in models}

    def get(self, model_id: str) -> Model | None:
        return self.models.get(model_id)

    def list(self) -> list[Model]:
        return list(self.models.values())


class Clock:
    def __init__(self, now: float = NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def policy(*limits: dict[str, Any], clock: Clock | None = None, **more: Any) -> BudgetPolicy:
    clock = clock or Clock()
    configured = BudgetSettings(limits=[BudgetLimit(**limit) for limit in limits], **more)
    catalog = Catalog(CHEAP, DEAR, CAPPED, FALLING, TO_LOCAL, MEDIA, FREE)
    return BudgetPolicy(MemoryBudgetStore(clock), catalog, configured, clock)


def request(model: str = "m/cheap", max_tokens: int | None = 2) -> ChatRequest:
    message = Message(Role.USER, [TextPart("a b c d e f g h")])
    return ChatRequest(model=model, messages=[message], generation=GenerationConfig(max_tokens=max_tokens))


def call(key: str = "", team: str = "", **tags: str) -> Call:
    principal = Principal(key, labels={"team": team} if team else {}) if key else None
    return Call("Chat", "r", principal=principal, tags=tags)


async def run(p: BudgetPolicy, c: Call, req: ChatRequest, usage: Usage | None = None, **outcome: Any) -> None:
    """Admits the call, "serves" it with `usage` at its model's prices, settles it."""
    await p.admit(c, req)
    model = p.catalog.get(req.model)
    assert model is not None
    if usage is not None:
        c.usage, c.pricing, c.first_event_at = usage, model.pricing, 0.0
    await p.settle(c, Outcome(**outcome))


async def refused(p: BudgetPolicy, c: Call, req: ChatRequest) -> GatewayError:
    with pytest.raises(GatewayError) as info:
        await p.admit(c, req)
    return info.value


TEN = Usage(8, 2)  # 10 micro-dollars on m/cheap


async def test_a_budget_fits_exactly_its_limit_and_names_itself_when_spent() -> None:
    p = policy({"name": "all", "limit": "0.00003"})
    for _ in range(3):
        await run(p, call(), request(), TEN)
    error = await refused(p, call(), request())
    assert error.reason.value == "BUDGET_EXCEEDED"
    assert error.quota_violations == [
        ("budget:all", "daily budget 'all' of 0.00003 USD (2026-12-31): 0.00003 of 0.00003 USD used, "
         "this call may cost up to 0.00001")
    ]  # fmt: skip
    assert error.metadata == {
        "budget": "all", "period": "day", "window": "2026-12-31", "resets_at": "2027-01-01T00:00:00+00:00"
    }  # fmt: skip
    assert p.stats.refused == {"all": 1}


async def test_scopes_count_each_subject_apart() -> None:
    p = policy(
        {"name": "per-key", "scope": "key", "limit": "0.00001"},
        {"name": "per-team", "scope": "team", "limit": "0.00002"},
        {"name": "per-task", "scope": "tag", "tag": "task", "limit": "0.00001"},
    )
    await run(p, call("k1", "red", task="t1"), request(), TEN)
    # k1 is spent; k2 of the same team still has room, and so does the team.
    assert (await refused(p, call("k1", "red"), request())).metadata["budget"] == "per-key"
    await run(p, call("k2", "red", task="t2"), request(), TEN)
    assert (await refused(p, call("k3", "red"), request())).metadata["budget"] == "per-team"
    assert (await refused(p, call("k4", "blue", task="t1"), request())).quota_violations[0][0] == (
        "budget:per-task:t1"
    )
    await run(p, call("k4", "blue", task="t3"), request(), TEN)
    await run(p, call(), request(), TEN)  # no key, no tag: no budget applies


async def test_model_scope_and_match() -> None:
    p = policy({"name": "dear", "scope": "model", "match": ["m/d*"], "limit": "0.0001"})
    await run(p, call(), request("m/dear"), Usage(8, 2))  # 100 micro-dollars
    assert (await refused(p, call(), request("m/dear"))).quota_violations[0][0] == "budget:dear:m/dear"
    for _ in range(20):
        await run(p, call(), request("m/cheap"), TEN)  # not matched


@pytest.mark.parametrize(
    ("model", "max_tokens", "reserved"),
    [
        ("m/cheap", 2, PROMPT + 2),
        ("m/cheap", None, PROMPT + 4096),  # the configured default
        ("m/capped", None, PROMPT + 50),  # the model's output cap
        ("m/capped", 500, PROMPT + 50),  # the cap bounds max_tokens too
        ("m/falling", 2, (PROMPT + 2) * 10),  # the dearest model its call may reach
    ],
)
async def test_the_worst_case_reserved(model: str, max_tokens: int | None, reserved: int) -> None:
    p = policy({"name": "all", "limit": "1"})
    await p.admit(call(), request(model, max_tokens))
    assert p.stats.current[("all", "")][1].money == reserved


@pytest.mark.parametrize(
    ("req", "reserved"),
    [
        (ImageRequest("m/media", "a cat", count=2, size="512x512"), 40_000),
        (ImageRequest("m/media", "a cat", count=2), 80_000),  # the size left to the provider: the dearest
        (SpeechRequest("m/media", "x" * 1000), 15_000),
    ],
)
async def test_images_and_speech_reserve_their_price(req: Any, reserved: int) -> None:
    p = policy({"name": "all", "limit": "1"})
    await p.admit(call(), req)
    assert p.stats.current[("all", "")][1].money == reserved


async def test_windows_roll_over_at_midnight_and_month_end() -> None:
    clock = Clock()
    p = policy(
        {"name": "day", "limit": "0.00001"},
        {"name": "month", "period": "month", "limit": "0.00002"},
        {"name": "ever", "period": "total", "limit": "0.00003"},
        clock=clock,
    )
    await run(p, call(), request(), TEN)
    assert (await refused(p, call(), request())).metadata["budget"] == "day"
    clock.now += 12 * 3600  # 2027-01-01T00:00: a new day and a new month
    await run(p, call(), request(), TEN)
    assert (await refused(p, call(), request())).metadata["budget"] == "day"
    clock.now += 86400
    await run(p, call(), request(), TEN)
    assert (await refused(p, call(), request())).metadata["budget"] == "day"
    clock.now += 31 * 86400  # 2027-02-02: day and month have room, the total is spent
    assert (await refused(p, call(), request())).metadata["budget"] == "ever"


async def test_settle_charges_what_was_used() -> None:
    p = policy({"name": "all", "limit": "1", "tokens": 10**6})
    c = call()
    await p.admit(c, request(max_tokens=1000))
    assert p.stats.current[("all", "")][1] == Used(1008, 1008)
    await p.settle(c, Outcome(error=GatewayError(Reason.PROVIDER_UNAVAILABLE, "down")))  # no answer: no bill
    assert p.stats.current[("all", "")][1] == Used(0, 0)
    c = call()
    await p.admit(c, request(max_tokens=1000))
    c.first_event_at, c.events, c.pricing = 0.0, 5, CHEAP.pricing  # a stream cut after 5 deltas
    await p.settle(c, Outcome(cancelled=True))
    assert p.stats.current[("all", "")][1] == Used(PROMPT + 5, PROMPT + 5)


async def test_soft_thresholds_are_logged_once_per_window(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    p = policy({"name": "all", "limit": "0.0001"}, clock=clock, soft_thresholds=[0.5, 0.8])
    with caplog.at_level(logging.WARNING, "llmgateway.budgets"):
        for _ in range(9):
            await run(p, call(), request(), TEN)
        clock.now += 86400
        for _ in range(5):
            await run(p, call(), request(), TEN)
    passed = [r.getMessage() for r in caplog.records if "passed" in r.getMessage()]
    assert passed == [
        "budget all passed 50% for every call in 2026-12-31",
        "budget all passed 80% for every call in 2026-12-31",
        "budget all passed 50% for every call in 2027-01-01",
    ]
    assert p.stats.crossed == {("all", "0.5"): 2, ("all", "0.8"): 1}


async def test_unpriced_models_are_refused_unless_allowed() -> None:
    error = await refused(policy({"name": "all", "limit": "1"}), call(), request("local/llama"))
    assert "has no price" in error.message and error.quota_violations[0][0] == "budget:all"
    allowed = policy({"name": "all", "limit": "1", "tokens": 20}, allow_unpriced=["local/*"])
    await run(allowed, call(), request("local/llama"), TEN)
    assert allowed.stats.current[("all", "")][1] == Used(0, 10)
    assert allowed.stats.unpriced == {("local/llama", "allowed"): 1}
    await policy({"name": "t", "tokens": 20}).admit(call(), request("local/llama"))  # tokens only


async def test_an_unpriced_fallback() -> None:
    error = await refused(policy({"name": "all", "limit": "1"}), call(), request("m/to-local"))
    assert "'local/llama' has no price" in error.message
    allowed = policy({"name": "all", "limit": "1"}, allow_unpriced=["local/*"])
    await allowed.admit(call(), request("m/to-local"))
    assert allowed.stats.current[("all", "")][1].money == PROMPT + 2  # the priced model's worst case


async def test_another_currency_cannot_be_counted() -> None:
    euros = policy({"name": "all", "limit": "1", "tokens": 100}, currency="EUR")
    assert "has no price in EUR" in (await refused(euros, call(), request())).message
    allowed = policy({"name": "all", "limit": "1", "tokens": 100}, currency="EUR", allow_unpriced=["m/*"])
    c = Dollars("Chat", "r")
    await allowed.admit(c, request())
    c.usage, c.pricing = TEN, CHEAP.pricing
    await allowed.settle(c, Outcome())
    assert allowed.stats.current[("all", "")][1] == Used(0, 10)  # its tokens only


class Dollars(Call):
    """A call priced in another currency than the budgets'."""

    @property
    def cost(self) -> Cost | None:
        return Cost(Decimal("0.5"), "USD")


class Down:
    async def reserve(self, charges: Sequence[Charge]) -> Reserved | Refused:
        raise BudgetsUnavailable("down")

    async def adjust(self, charges: Sequence[Charge], deltas: Sequence[Used]) -> tuple[Used, ...]:
        raise BudgetsUnavailable("down")

    async def seed(self, counters: Sequence[tuple[Charge, Used]], only_missing: bool) -> int:
        raise BudgetsUnavailable("down")


@pytest.mark.parametrize("mode", ["fail_open", "fail_closed"])
async def test_an_unreachable_store(mode: str) -> None:
    p = policy({"name": "all", "limit": "1"}, failure_mode=mode)
    p.store = Down()
    if mode == "fail_open":
        await run(p, call(), request(), TEN)
    else:
        assert (await refused(p, call(), request())).reason.value == "LIMITS_UNAVAILABLE"
    assert p.stats.unchecked == {mode: 1}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 400)), max_size=40))
async def test_counters_never_go_negative_nor_past_the_limit(calls: list[tuple[int, int]]) -> None:
    """Calls reserving `max_tokens` and using any number of tokens up to it."""
    p = policy({"name": "all", "limit": "0.001", "tokens": 1000})
    for max_tokens, output in calls:
        c = call()
        try:
            await p.admit(c, request(max_tokens=max_tokens))
        except GatewayError:
            continue
        money, tokens, _ = p.stats.current[("all", "")][1]
        assert 0 <= money <= 1000 and 0 <= tokens <= 1000
        c.usage, c.pricing = Usage(PROMPT, min(output, max_tokens)), CHEAP.pricing
        await p.settle(c, Outcome())
        money, tokens, _ = p.stats.current[("all", "")][1]
        assert 0 <= money <= 1000 and 0 <= tokens <= 1000
    assert not p._tickets


def test_worker_processes_need_redis_or_consent() -> None:
    from types import SimpleNamespace

    from llmgateway.budgets.policy import build
    from llmgateway.config import Settings

    def components(worker: int, backend: str = "auto") -> Any:
        budgets = {"limits": [{"name": "all", "limit": "1"}], "backend": backend}
        registry = SimpleNamespace(catalog=Catalog())
        return SimpleNamespace(
            settings=Settings(budgets=budgets), redis=None, worker=worker, registry=registry
        )

    assert isinstance(build(components(0)), BudgetPolicy)
    with pytest.raises(ValueError, match="several worker processes need redis"):
        build(components(2))
    assert isinstance(build(components(2, backend="memory")), BudgetPolicy)
    assert build(SimpleNamespace(settings=Settings())) is None


def test_the_metrics_keep_the_latest_write_of_a_shared_counter() -> None:
    """Two settles on Redis may come back in the other order than they ran: the gauge keeps
    the later write (its version), not the last result to arrive."""
    p = policy({"name": "all", "limit": "1"})
    (applied,) = p.rules.applied(call(), "m/cheap")
    stats = p.stats
    stats.observe([applied], [Used(20, 2, version=2)])
    stats.observe([applied], [Used(10, 1, version=1)])  # older, arrived later
    assert stats.current[("all", "")][1] == Used(20, 2, version=2)
    stats.observe([applied], [Used(30, 3, version=3)])
    assert stats.current[("all", "")][1].money == 30


def test_a_models_worst_case_is_its_dearest_deployments() -> None:
    cheap, dear = Pricing(output_per_million=Decimal(1)), Pricing(output_per_million=Decimal(3))
    model = Model(
        "team/m", "mock", "echo", pricing=cheap, deployments=(Deployment("d", "mock", "e", pricing=dear),)
    )

    class Catalog:
        revision = "1"

        def get(self, model_id: str) -> Model | None:
            return None

        def list(self) -> list[Model]:
            return []

    def worst(m: Model) -> tuple[Decimal, tuple[str, ...]]:
        found = WorstCase(Catalog(), "USD", 1024).cost(m, 10, 1000)
        return found.money, found.unpriced

    assert worst(model) == (Decimal("0.003"), ())
    assert worst(replace(model, deployments=())) == (Decimal("0.001"), ())
    assert worst(replace(model, pricing=None))[1] == ("team/m",)  # the primary is unpriced
    euro = replace(model, deployments=(Deployment("d", "mock", "e", pricing=replace(dear, currency="EUR")),))
    assert worst(euro)[1] == ("team/m",)  # not in the budgets' currency
