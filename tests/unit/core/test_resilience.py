"""Backoff, error dispositions, plans and the attempt loop (with fake adapters)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from llmgateway.core.attempts import Disposition, backoff_delay, build_plan, disposition, retry_wait
from llmgateway.core.balancer import InProcessState
from llmgateway.core.calls import AttemptRecord, Call
from llmgateway.core.deadline import Timeouts
from llmgateway.core.errors import Code, GatewayError, Reason, provider_timeout, provider_unavailable
from llmgateway.core.models import (
    Capability,
    CooldownPolicy,
    Deployment,
    Model,
    RetryPolicy,
    TimeoutOverrides,
)
from llmgateway.core.pipeline import Observers
from llmgateway.core.resilience import Resilience

POLICY = RetryPolicy(max_retries=3, initial_backoff=0.5, max_backoff=3.0, multiplier=2.0)
FAST = RetryPolicy(max_retries=2, initial_backoff=0.001, max_backoff=0.001)


def test_backoff_grows_exponentially_and_is_capped() -> None:
    no_jitter = [backoff_delay(POLICY, n, lambda: 0.0) for n in range(5)]
    assert no_jitter == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_jitter_takes_off_at_most_a_quarter() -> None:
    assert backoff_delay(POLICY, 1, lambda: 1.0) == 0.75
    assert backoff_delay(POLICY, 1, lambda: 0.5) == 0.875


def test_retry_after_wins_over_backoff_unless_too_long() -> None:
    err = GatewayError(Reason.PROVIDER_RATE_LIMITED, "x", retry_after=2.5)
    assert retry_wait(POLICY, 0, err, lambda: 0.0) == 2.5
    err.retry_after = 0.0
    assert retry_wait(POLICY, 2, err, lambda: 0.0) == 0.0
    err.retry_after = 120.0
    assert retry_wait(POLICY, 0, err, lambda: 0.0) is None
    assert retry_wait(POLICY, 0, provider_unavailable("p", "x"), lambda: 0.0) == 0.5


def _model(**kw: Any) -> Model:
    return Model(id="m", provider="openai", upstream_model="up", adapter_class="x.Y", **kw)


@pytest.mark.parametrize(
    ("error", "fallback_on", "expected"),
    [
        (provider_unavailable("p", "500"), (), Disposition.RETRY),
        (provider_timeout("p", "first token"), (), Disposition.RETRY),
        (GatewayError(Reason.PROVIDER_REJECTED, "400"), (), Disposition.FAIL),
        (GatewayError(Reason.CONTEXT_LENGTH_EXCEEDED, "x"), (), Disposition.FAIL),
        (
            GatewayError(Reason.CONTEXT_LENGTH_EXCEEDED, "x"),
            ("CONTEXT_LENGTH_EXCEEDED",),
            Disposition.FALLBACK,
        ),
        (GatewayError(Reason.PROVIDER_AUTH_FAILED, "401"), (), Disposition.NEXT_DEPLOYMENT),
        (
            GatewayError(Reason.PROVIDER_RATE_LIMITED, "quota"),
            (),
            Disposition.NEXT_DEPLOYMENT,
        ),
        (
            GatewayError(Reason.PROVIDER_MODEL_NOT_FOUND, "404"),
            (),
            Disposition.NEXT_DEPLOYMENT,
        ),
    ],
)
def test_dispositions(error: GatewayError, fallback_on: tuple[str, ...], expected: Disposition) -> None:
    assert disposition(error, _model(fallback_on=frozenset(fallback_on))) is expected


def test_plan_views_per_deployment() -> None:
    model = _model(
        options={"a": "1"},
        deployments=(
            Deployment("eu", "anthropic", "claude", "z.Anthropic", "http://eu", "EU_KEY", {"b": "2"}, 3.0),
        ),
        fallbacks=("other",),
    )
    plan = build_plan(model, POLICY, CooldownPolicy(), Timeouts())
    primary, eu = plan.targets
    assert primary.config is model and primary.key == "m@primary"
    assert (eu.key, eu.weight, eu.deployment) == ("m@eu", 3.0, "eu")
    cfg = eu.config
    assert (cfg.id, cfg.provider, cfg.upstream_model, cfg.adapter_class) == (
        "m",
        "anthropic",
        "claude",
        "z.Anthropic",
    )
    assert (cfg.base_url, cfg.credential_ref, dict(cfg.options)) == ("http://eu", "EU_KEY", {"b": "2"})
    assert plan.retry is POLICY  # the model sets none
    assert build_plan(_model(retry=FAST), POLICY, CooldownPolicy(), Timeouts()).retry is FAST


def test_plan_resolves_the_models_timeouts_against_the_gateway_defaults() -> None:
    defaults = Timeouts(1, 2, 3, 4)
    plan = build_plan(_model(deployments=(_dep("b", "b"),)), POLICY, CooldownPolicy(), defaults)
    assert [t.timeouts for t in plan.targets] == [defaults, defaults]
    own = _model(timeouts=TimeoutOverrides(first_token=20, total=90))
    (target,) = build_plan(own, POLICY, CooldownPolicy(), defaults).targets
    assert target.timeouts == Timeouts(1, 20, 3, 90)  # unset ones follow the defaults


# -- the attempt loop with scripted fake adapters ----------------------------------------
class FakeAdapter:
    def __init__(self, name: str, outcomes: list[Any]) -> None:
        self.name = name
        self.outcomes = outcomes  # an exception to raise, or a value to return; the last repeats
        self.calls = 0

    async def run(self) -> Any:
        self.calls += 1
        out = self.outcomes[min(self.calls - 1, len(self.outcomes) - 1)]
        if isinstance(out, BaseException):
            raise out
        return out


class Harness:
    def __init__(self, models: list[Model], adapters: dict[str, FakeAdapter], **kw: Any) -> None:
        self.models = {m.id: m for m in models}
        self.adapters = adapters
        self.state = InProcessState()
        self.attempts: list[AttemptRecord] = []
        self.res = Resilience(
            self.models.get,
            lambda cfg: adapters[cfg.base_url],
            self.state,
            kw.get("retry", FAST),
            kw.get("cooldown"),
            observers=Observers([self]),
        )

    def attempt_ended(self, call: Call, attempt: AttemptRecord) -> None:
        self.attempts.append(attempt)

    def outcomes(self) -> dict[tuple[str, str], int]:
        """Attempts by (model@deployment, outcome), as the observers saw them end."""
        counts: dict[tuple[str, str], int] = {}
        for a in self.attempts:
            key = (f"{a.model}@{a.deployment}", a.outcome)
            counts[key] = counts.get(key, 0) + 1
        return counts

    async def run(self, model_id: str, deadline: float | None = None) -> tuple[Any, Call]:
        call = Call("Chat", "r1", deadline=deadline)

        async def op(cfg: Model, adapter: Any, budget: Any) -> Any:
            return await adapter.run()

        result, attempt = await self.res.run(self.models[model_id], (Capability.CHAT,), call, "chat", op)
        attempt.ok()
        call.served = attempt.served()
        return result, call


def _m(mid: str, url: str, **kw: Any) -> Model:
    return Model(id=mid, provider="openai", upstream_model="u", adapter_class="x.Y", base_url=url, **kw)


def _dep(did: str, url: str, weight: float = 1.0) -> Deployment:
    return Deployment(did, "openai", "u", "x.Y", url, weight=weight)


async def test_retries_then_succeeds() -> None:
    a = FakeAdapter("a", [provider_unavailable("p", "500"), "ok"])
    h = Harness([_m("m", "a")], {"a": a})
    result, call = await h.run("m")
    assert (result, a.calls, call.attempts, call.served.deployment) == ("ok", 2, 2, "primary")
    assert h.outcomes() == {("m@primary", "PROVIDER_UNAVAILABLE"): 1, ("m@primary", "OK"): 1}


async def test_retries_are_bounded_and_the_final_error_says_what_was_tried() -> None:
    a = FakeAdapter("a", [provider_unavailable("p", "500")])
    h = Harness([_m("m", "a")], {"a": a}, cooldown=CooldownPolicy(failures=100))
    with pytest.raises(GatewayError) as info:
        await h.run("m")
    assert a.calls == 3  # 1 + max_retries
    assert info.value.metadata["attempts"] == "3"
    assert info.value.metadata["tried"] == ",".join(["m@primary:PROVIDER_UNAVAILABLE"] * 3)
    assert info.value.reason == Reason.PROVIDER_UNAVAILABLE


async def test_request_errors_are_not_retried() -> None:
    a = FakeAdapter("a", [GatewayError(Reason.PROVIDER_REJECTED, "400")])
    fb = FakeAdapter("fb", ["ok"])
    h = Harness([_m("m", "a", fallbacks=("f",)), _m("f", "fb")], {"a": a, "fb": fb})
    with pytest.raises(GatewayError):
        await h.run("m")
    assert (a.calls, fb.calls) == (1, 0)


async def test_a_failed_deployment_is_left_for_a_fresh_one_at_once() -> None:
    a = FakeAdapter("a", [provider_unavailable("p", "500")])
    b = FakeAdapter("b", ["from b"])
    model = _m("m", "a", deployments=(_dep("b", "b"),))
    h = Harness([model], {"a": a, "b": b})
    h.res._rand = lambda: 0.0  # weighted pick: the primary first
    result, call = await h.run("m")
    assert (result, a.calls, b.calls, call.served.deployment, call.attempts) == ("from b", 1, 1, "b", 2)


async def test_deployment_errors_skip_that_deployment_without_using_a_retry() -> None:
    auth = GatewayError(Reason.PROVIDER_AUTH_FAILED, "401")
    a = FakeAdapter("a", [auth])
    b = FakeAdapter("b", ["from b"])
    h = Harness([_m("m", "a", deployments=(_dep("b", "b"),))], {"a": a, "b": b}, retry=RetryPolicy(0))
    h.res._rand = lambda: 0.0
    result, _ = await h.run("m")
    assert (result, a.calls, b.calls) == ("from b", 1, 1)


async def test_fallback_after_exhausted_retries_and_on_configured_reasons() -> None:
    a = FakeAdapter("a", [provider_unavailable("p", "500")])
    fb = FakeAdapter("fb", ["from f"])
    h = Harness([_m("m", "a", fallbacks=("missing", "f")), _m("f", "fb")], {"a": a, "fb": fb})
    result, call = await h.run("m")
    assert (result, a.calls, fb.calls, call.served.model, call.attempts) == ("from f", 3, 1, "f", 4)

    ctx = GatewayError(Reason.CONTEXT_LENGTH_EXCEEDED, "too long")
    a2 = FakeAdapter("a2", [ctx])
    h2 = Harness(
        [_m("m", "a2", fallbacks=("f",), fallback_on=frozenset({"CONTEXT_LENGTH_EXCEEDED"})), _m("f", "fb")],
        {"a2": a2, "fb": fb},
    )
    result, call = await h2.run("m")
    assert (result, a2.calls, call.served.model) == ("from f", 1, "f")


async def test_fallbacks_lacking_a_needed_capability_are_skipped() -> None:
    a = FakeAdapter("a", [provider_unavailable("p", "500")])
    fb = FakeAdapter("fb", ["from f"])
    embed_only = _m("f", "fb", capabilities=frozenset({Capability.EMBED}))
    h = Harness([_m("m", "a", fallbacks=("f",)), embed_only], {"a": a, "fb": fb})
    with pytest.raises(GatewayError) as info:
        await h.run("m")
    assert fb.calls == 0 and info.value.metadata["tried"].endswith("f:CAPABILITY_NOT_SUPPORTED")


async def test_the_breaker_counts_failed_calls_not_attempts() -> None:
    a = FakeAdapter("a", [provider_unavailable("p", "500")])
    h = Harness([_m("m", "a")], {"a": a}, cooldown=CooldownPolicy(failures=2, window=60, cooldown=60))
    with pytest.raises(GatewayError):
        await h.run("m")
    assert a.calls == 3  # 1 + 2 retries: one failed call, one count, still closed
    with pytest.raises(GatewayError):
        await h.run("m")
    assert a.calls == 6  # the second failed call opens it
    with pytest.raises(GatewayError) as info:
        await h.run("m")
    assert a.calls == 6  # cooling down: no upstream request at all
    err = info.value
    assert (err.code, err.reason, err.metadata["tried"]) == (
        Code.UNAVAILABLE,
        Reason.PROVIDER_UNAVAILABLE,
        "m:COOLDOWN",
    )
    assert err.retry_after is not None and 59 < err.retry_after <= 60


async def test_a_retry_that_succeeds_at_the_same_deployment_counts_no_failure() -> None:
    a = FakeAdapter("a", [provider_unavailable("p", "500"), "ok"])
    h = Harness([_m("m", "a")], {"a": a}, cooldown=CooldownPolicy(failures=1, window=60, cooldown=60))
    for _ in range(3):
        a.calls = 0
        assert (await h.run("m"))[0] == "ok"
    assert h.state.available("m@primary")


async def test_retry_that_does_not_fit_the_deadline_is_skipped() -> None:
    limited = GatewayError(Reason.PROVIDER_RATE_LIMITED, "429", retry_after=5.0, retryable=True)
    a = FakeAdapter("a", [limited, "ok"])
    h = Harness([_m("m", "a")], {"a": a})
    started = time.monotonic()
    with pytest.raises(GatewayError) as info:
        await h.run("m", deadline=time.monotonic() + 1.0)
    assert time.monotonic() - started < 0.5
    assert a.calls == 1 and info.value.retry_after == 5.0


async def test_cancellation_releases_the_attempt() -> None:
    import asyncio

    class Slow(FakeAdapter):
        async def run(self) -> Any:
            self.calls += 1
            await asyncio.sleep(10)

    a = Slow("a", [])
    h = Harness([_m("m", "a")], {"a": a})
    task = asyncio.create_task(h.run("m"))
    await asyncio.sleep(0.01)
    assert h.state.inflight("m@primary") == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert h.state.inflight("m@primary") == 0
    assert h.outcomes() == {("m@primary", "CANCELLED"): 1}
