"""One try at one deployment, and what decides the next one: backoff and the
provider's retry-after, the disposition of a failed attempt, the per-model plan of
deployment views, and the bookkeeping of an attempt (in-flight count, breaker
verdict, latency sample, the observers' record)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

from llmgateway.core.balancer import PRIMARY, DeploymentState, deployment_key
from llmgateway.core.calls import AttemptRecord, Call
from llmgateway.core.deadline import DEADLINE_MARGIN, Timeouts
from llmgateway.core.errors import Code, GatewayError, Reason
from llmgateway.core.models import CooldownPolicy, Model, RetryPolicy, RoutingStrategy
from llmgateway.core.pipeline import Observers
from llmgateway.core.types import Served, Usage

# A provider's retry-after above this is not waited for (the official SDKs' rule).
MAX_HONOURED_RETRY_AFTER = 60.0


# -- backoff --------------------------------------------------------------------------
def backoff_delay(policy: RetryPolicy, retry: int, rand: Callable[[], float] = random.random) -> float:
    """Delay before retry number `retry` (0-based): exponential, capped, minus up to 25% jitter."""
    base = min(policy.initial_backoff * policy.multiplier**retry, policy.max_backoff)
    return max(base * (1.0 - 0.25 * rand()), 0.0)


def retry_wait(
    policy: RetryPolicy, retry: int, error: GatewayError, rand: Callable[[], float] = random.random
) -> float | None:
    """How long to wait before retrying after `error`: the provider's retry-after when
    it sent one (None when that is longer than MAX_HONOURED_RETRY_AFTER: not retried),
    else the backoff."""
    if error.retry_after is not None:
        return error.retry_after if error.retry_after <= MAX_HONOURED_RETRY_AFTER else None
    return backoff_delay(policy, retry, rand)


class Disposition(Enum):
    RETRY = "retry"
    FALLBACK = "fallback"
    FAIL = "fail"
    NEXT_DEPLOYMENT = "next_deployment"


def disposition(error: GatewayError, model: Model) -> Disposition:
    if error.retryable:
        return Disposition.RETRY
    if error.reason in model.fallback_on:
        return Disposition.FALLBACK
    if error.code is Code.INVALID_ARGUMENT:
        return Disposition.FAIL
    return Disposition.NEXT_DEPLOYMENT


# -- plans: per-model precomputed deployment views -------------------------------------
@dataclass(frozen=True, slots=True)
class Target:
    """One deployment of a model: the per-deployment view of the model adapters
    receive, and its upstream timeouts with the gateway defaults filled in."""

    key: str  # "model@deployment"
    deployment: str
    config: Model
    weight: float
    timeouts: Timeouts


@dataclass(frozen=True, slots=True)
class Plan:
    model: Model
    targets: tuple[Target, ...]
    routing: RoutingStrategy
    retry: RetryPolicy
    cooldown: CooldownPolicy


def build_plan(model: Model, retry: RetryPolicy, cooldown: CooldownPolicy, timeouts: Timeouts) -> Plan:
    resolved = model.timeouts.resolve(timeouts)
    targets = [Target(deployment_key(model.id, PRIMARY), PRIMARY, model, model.weight, resolved)]
    for d in model.deployments:
        view = replace(
            model,
            provider=d.provider,
            upstream_model=d.upstream_model,
            adapter_class=d.adapter_class,
            base_url=d.base_url,
            credential_ref=d.credential_ref,
            options=d.options,
            weight=d.weight,
            pricing=model.pricing if d.pricing is None else d.pricing,
            deployments=(),
        )
        targets.append(Target(deployment_key(model.id, d.id), d.id, view, d.weight, resolved))
    return Plan(model, tuple(targets), model.routing, model.retry or retry, model.cooldown or cooldown)


# -- one attempt ----------------------------------------------------------------------
class Attempt:
    """Bookkeeping of one try at one deployment: in-flight count, cooldown verdict,
    latency sample and the observers' record. Exactly one of ok/fail/cancel ends it."""

    __slots__ = (
        "call",
        "number",
        "observers",
        "operation",
        "plan",
        "started",
        "state",
        "target",
        "timed",
        "wait",
    )

    def __init__(
        self,
        state: DeploymentState,
        observers: Observers,
        plan: Plan,
        target: Target,
        call: Call,
        operation: str,
        number: int,
        wait: float,
    ) -> None:
        self.state = state
        self.observers = observers
        self.plan = plan
        self.target = target
        self.call = call
        self.operation = operation
        self.number = number
        self.wait = wait
        self.timed = False
        self.started = time.perf_counter()
        state.started(target.key)

    def served(self, response_id: str = "", upstream_model: str = "") -> Served:
        """The facts of an answer this attempt produced; the call is priced at its
        deployment's prices from now on."""
        cfg = self.target.config
        self.call.pricing = cfg.pricing
        return Served(
            self.plan.model.id,
            cfg.provider,
            self.target.deployment,
            upstream_model or cfg.upstream_model,
            response_id,
            self.number,
        )

    def first_event(self) -> None:
        """A stream's first event: its latency (time to first event) feeds routing."""
        self.timed = True
        self.state.succeeded(self.target.key, time.perf_counter() - self.started)

    def ok(self, usage: Usage | None = None, response_id: str = "", upstream_model: str = "") -> None:
        if not self.timed:
            self.state.succeeded(self.target.key, time.perf_counter() - self.started)
        self._end("OK", usage, response_id, upstream_model)

    def fail(self, error: GatewayError, *, defer: bool = False) -> bool:
        """Ends a failed attempt. An error that says something about the deployment
        counts toward its breaker, once per call: with `defer` (an attempt inside the
        retry loop) the caller records it when the call is over; a stream that fails
        after its first event is a failed call and counts at once. Returns whether it counts."""
        counts = _counts_against_deployment(error, self.call)
        if counts and not defer:
            self.state.failed(self.target.key, self.plan.cooldown)
        elif not counts:
            self.state.released(self.target.key)
        self._end(error.reason)
        return counts

    def cancel(self) -> None:
        self.state.released(self.target.key)
        self._end("CANCELLED")

    def _end(
        self, outcome: str, usage: Usage | None = None, response_id: str = "", upstream: str = ""
    ) -> None:
        self.state.ended(self.target.key)
        cfg = self.target.config
        self.observers.attempt_ended(
            self.call,
            AttemptRecord(
                self.operation,
                self.number,
                self.plan.model.id,
                self.target.deployment,
                cfg.provider,
                upstream or cfg.upstream_model,
                outcome,
                time.perf_counter() - self.started,
                self.wait,
                usage,
                response_id,
            ),
        )


def _counts_against_deployment(error: GatewayError, call: Call) -> bool:
    """Transient upstream failures count toward the cooldown; a timeout that only the
    caller's own deadline caused does not, nor does any request or configuration error."""
    if not error.retryable:
        return False
    if error.reason == Reason.PROVIDER_TIMEOUT and call.deadline is not None:
        return time.monotonic() < call.deadline - DEADLINE_MARGIN - 0.01
    return True
