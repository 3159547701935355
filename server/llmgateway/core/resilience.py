"""Retries, deployments, cooldowns and fallbacks around one call.

`Resilience.run` tries the model's deployments (picked by its routing strategy,
skipping those cooling down), retries retryable failures with backoff (or the
provider's retry-after) while the caller's deadline allows, then the model's
fallbacks in order. A call that succeeds at its first attempt does a few dict
lookups more than a bare adapter call: no task, no timer, no allocation of a plan
(plans are built once per Model).

Dispositions of a failed attempt:
- retryable (connection, timeouts, 408/409/429, 5xx/529): retried, on a deployment
  that has not failed in this call when there is one (at once), else on a failed
  one after its backoff; `retry.max_retries` retries per model;
- the reason is in the model's `fallback_on`: straight to the next fallback;
- a request error (INVALID_ARGUMENT: 400, context length, content policy): the
  call fails at once; no other upstream would accept it either;
- otherwise a deployment problem (401/403, 404, quota-exhausted 429, an adapter
  that cannot be set up): that deployment is skipped for the rest of the call.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

from llmgateway.core.attempts import (
    Attempt,
    Disposition,
    Plan,
    Target,
    build_plan,
    disposition,
    retry_wait,
)
from llmgateway.core.balancer import DeploymentState, InProcessState, choose
from llmgateway.core.calls import Call
from llmgateway.core.deadline import DEADLINE_MARGIN, Budget, Timeouts
from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.models import Capability, CooldownPolicy, Model, RetryPolicy
from llmgateway.core.pipeline import Observers
from llmgateway.core.ports import ProviderAdapter

# No attempt is started with less than this left of the caller's deadline.
MIN_ATTEMPT_S = 0.05
# At most this many entries in the `tried` metadata of a final error.
MAX_TRIED = 8

T = TypeVar("T")
Op = Callable[[Model, ProviderAdapter, Budget], Awaitable[T]]


# -- the call -------------------------------------------------------------------------
class Resilience:
    """Runs `op` against a model's deployments and fallbacks. Holds the plan cache;
    the deployment state is shared by every call (and, later, every replica)."""

    def __init__(
        self,
        catalog_get: Callable[[str], Model | None],
        adapter_for: Callable[[Model], ProviderAdapter],
        state: DeploymentState | None = None,
        retry: RetryPolicy | None = None,
        cooldown: CooldownPolicy | None = None,
        observers: Observers | None = None,
        timeouts: Timeouts | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._catalog_get = catalog_get
        self._adapter_for = adapter_for
        self.state: DeploymentState = state if state is not None else InProcessState()
        self.observers = observers if observers is not None else Observers()
        self.retry = retry or RetryPolicy()
        self.cooldown = cooldown or CooldownPolicy()
        self.timeouts = timeouts or Timeouts()  # the gateway's default_timeouts
        self._rand = rand
        self._plans: dict[str, Plan] = {}

    def plan(self, model: Model) -> Plan:
        plan = self._plans.get(model.id)
        if plan is None or plan.model is not model:  # new model, or the registry swapped its config
            plan = self._plans[model.id] = build_plan(model, self.retry, self.cooldown, self.timeouts)
        return plan

    async def run(
        self,
        model: Model,
        needs: Iterable[Capability],
        call: Call,
        operation: str,
        op: Op[T],
    ) -> tuple[T, Attempt]:
        """The first success of `op` and its attempt, which the caller ends (`ok` with
        the usage, or for a stream `first_event`, then ok/fail/cancel). Raises the final
        error: the last attempt's, with `attempts` and `tried`."""
        # Deployments that failed in this call, each counted once toward its breaker
        # when the call is over (a retry that succeeds there clears it instead).
        failures: dict[str, CooldownPolicy] = {}
        try:
            return await self._run(model, needs, call, operation, op, failures)
        finally:
            for key, cooldown in failures.items():
                self.state.failed(key, cooldown)

    async def _run(
        self,
        model: Model,
        needs: Iterable[Capability],
        call: Call,
        operation: str,
        op: Op[T],
        failures: dict[str, CooldownPolicy],
    ) -> tuple[T, Attempt]:
        tried: list[str] = []
        last: GatewayError | None = None
        hint: float | None = None  # RetryInfo for the final error when the last one has none
        number = 0
        for current in self._chain(model, needs, tried):
            plan = self.plan(current)
            failed: dict[str, GatewayError] = {}
            excluded: set[str] = set()
            retries = 0
            after_retryable = False
            while True:
                target, wait = self._pick(plan, failed, excluded, retries)
                if target is None:
                    if not failed and not excluded:  # nothing tried: every deployment cools down
                        tried.append(f"{current.id}:COOLDOWN")
                        cool = min(self.state.retry_in(t.key) for t in plan.targets)
                        hint = cool if hint is None else min(hint, cool)
                    break
                is_retry = after_retryable or target.key in failed
                if is_retry and retries >= plan.retry.max_retries:
                    break
                if number and call.deadline is not None:
                    left = call.deadline - time.monotonic() - DEADLINE_MARGIN
                    if left < MIN_ATTEMPT_S:
                        raise _final(last, number, tried, hint)  # no time for anything else
                    if left < wait + MIN_ATTEMPT_S:
                        hint = wait if hint is None else max(hint, wait)
                        break  # this retry would not fit: on to the fallbacks
                if is_retry:
                    retries += 1
                if wait > 0:
                    await asyncio.sleep(wait)
                number += 1
                call.attempts = number
                cfg = target.config
                attempt = Attempt(self.state, self.observers, plan, target, call, operation, number, wait)
                try:
                    adapter = self._adapter_for(cfg)  # GatewayError: cannot be set up (key, adapter)
                    result = await op(cfg, adapter, Budget.for_call(target.timeouts, call.deadline))
                except GatewayError as exc:
                    if attempt.fail(exc, defer=True):
                        failures[target.key] = plan.cooldown
                    err: GatewayError = exc
                except BaseException:
                    attempt.cancel()
                    raise
                else:
                    failures.pop(target.key, None)
                    return result, attempt
                tried.append(f"{target.key}:{err.reason}")
                last = err
                kind = disposition(err, current)
                if kind is Disposition.FAIL:
                    raise _final(err, number, tried, None)
                if kind is Disposition.FALLBACK:
                    break
                if kind is Disposition.RETRY:
                    failed[target.key] = err
                    after_retryable = True
                else:
                    excluded.add(target.key)
                    after_retryable = False
        raise _final(last, number, tried, hint)

    def _chain(self, model: Model, needs: Iterable[Capability], tried: list[str]) -> Iterator[Model]:
        """The model, then each usable fallback (resolved only when reached)."""
        yield model
        needed = tuple(needs)
        for fid in model.fallbacks:
            fb = self._catalog_get(fid)
            if fb is None or not fb.is_available:
                tried.append(f"{fid}:{Reason.MODEL_NOT_FOUND if fb is None else Reason.MODEL_DISABLED}")
                continue
            if any(c not in fb.capabilities for c in needed):
                tried.append(f"{fid}:{Reason.CAPABILITY_NOT_SUPPORTED}")
                continue
            yield fb

    def _pick(
        self, plan: Plan, failed: dict[str, GatewayError], excluded: set[str], retries: int
    ) -> tuple[Target | None, float]:
        """The next deployment and the wait before it: a fresh one at once, else the
        failed one that may be retried soonest."""
        state = self.state
        targets = plan.targets
        if len(targets) == 1 and not failed and not excluded:  # the common case
            t = targets[0]
            return (t, 0.0) if state.available(t.key) else (None, 0.0)
        healthy = [t for t in targets if t.key not in excluded and state.available(t.key)]
        fresh = [t for t in healthy if t.key not in failed]
        if fresh:
            return choose(plan.routing, fresh, state, self._rand), 0.0
        best: Target | None = None
        best_wait = 0.0
        for t in healthy:
            w = retry_wait(plan.retry, retries, failed[t.key], self._rand)
            if w is not None and (best is None or w < best_wait):
                best, best_wait = t, w
        return best, best_wait


def _final(last: GatewayError | None, attempts: int, tried: list[str], hint: float | None) -> GatewayError:
    """The error the caller gets: the last attempt's code and reason, plus what was tried."""
    shown = (
        tried if len(tried) <= MAX_TRIED else [*tried[: MAX_TRIED - 1], f"...+{len(tried) - MAX_TRIED + 1}"]
    )
    meta = {"attempts": str(attempts), "tried": ",".join(shown)}
    if last is None:
        return GatewayError(
            Reason.PROVIDER_UNAVAILABLE,
            "every deployment of the model (and of its fallbacks) is cooling down after failures",
            metadata=meta,
            retry_after=hint,
        )
    return GatewayError(
        last.reason,
        last.message,
        metadata={**last.metadata, **meta},
        retry_after=last.retry_after if last.retry_after is not None else hint,
        field_violations=last.field_violations,
        retryable=last.retryable,
    )
