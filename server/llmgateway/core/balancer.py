"""Deployment state (cooldown, in-flight calls, recent latency)
and the routing strategies that pick a deployment for an attempt.

`DeploymentState` is the small interface the service uses; `InProcessState`
keeps it in this process (a shared implementation, e.g. Redis, can replace it).
Keys are "model@deployment".
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from llmgateway.core.cooldown import Clock, Cooldowns
from llmgateway.core.models import CooldownPolicy, RoutingStrategy

# Weight of a new latency sample in the moving average.
LATENCY_ALPHA = 0.3
# The deployment id of a model's own upstream (its `deployments` have their own ids).
PRIMARY = "primary"


def deployment_key(model_id: str, deployment_id: str) -> str:
    return f"{model_id}@{deployment_id}"


class Routable(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def weight(self) -> float: ...


T = TypeVar("T", bound=Routable)


class DeploymentState(Protocol):
    def available(self, key: str) -> bool: ...

    def retry_in(self, key: str) -> float: ...

    def cooldown_state(self, key: str) -> str: ...

    def started(self, key: str) -> None: ...

    def succeeded(self, key: str, latency_s: float) -> None: ...

    def failed(self, key: str, policy: CooldownPolicy) -> None: ...

    def ended(self, key: str) -> None: ...

    def released(self, key: str) -> None: ...

    def inflight(self, key: str) -> int: ...

    def latency(self, key: str) -> float | None: ...


class InProcessState:
    """Everything in dicts of this process. `started` must be matched by `ended`
    (in-flight count); `succeeded`/`failed`/`released` give the verdict."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.cooldowns = Cooldowns(clock)
        self._inflight: dict[str, int] = {}
        self._latency: dict[str, float] = {}

    def available(self, key: str) -> bool:
        return self.cooldowns.available(key)

    def retry_in(self, key: str) -> float:
        return self.cooldowns.retry_in(key)

    def cooldown_state(self, key: str) -> str:
        return self.cooldowns.state(key)

    def started(self, key: str) -> None:
        self._inflight[key] = self._inflight.get(key, 0) + 1
        self.cooldowns.on_start(key)

    def ended(self, key: str) -> None:
        self._inflight[key] -= 1

    def succeeded(self, key: str, latency_s: float) -> None:
        old = self._latency.get(key)
        self._latency[key] = latency_s if old is None else old + LATENCY_ALPHA * (latency_s - old)
        self.cooldowns.on_success(key)

    def failed(self, key: str, policy: CooldownPolicy) -> None:
        self.cooldowns.on_failure(key, policy)

    def released(self, key: str) -> None:
        self.cooldowns.on_neutral(key)

    def inflight(self, key: str) -> int:
        return self._inflight.get(key, 0)

    def latency(self, key: str) -> float | None:
        return self._latency.get(key)


def choose(
    strategy: RoutingStrategy,
    candidates: Sequence[T],
    state: DeploymentState,
    rand: Callable[[], float] = random.random,
) -> T:
    """One of `candidates` (non-empty) by the model's routing strategy."""
    if len(candidates) == 1:
        return candidates[0]
    if strategy is RoutingStrategy.LEAST_INFLIGHT:
        fewest = min(state.inflight(c.key) for c in candidates)
        return _weighted([c for c in candidates if state.inflight(c.key) == fewest], rand)
    if strategy is RoutingStrategy.LOWEST_LATENCY:
        unmeasured = [c for c in candidates if state.latency(c.key) is None]
        if unmeasured:  # measure every deployment once before comparing
            return _weighted(unmeasured, rand)
        return min(candidates, key=lambda c: state.latency(c.key) or 0.0)
    return _weighted(candidates, rand)


def _weighted(candidates: Sequence[T], rand: Callable[[], float]) -> T:
    if len(candidates) == 1:
        return candidates[0]
    point = rand() * sum(c.weight for c in candidates)
    for c in candidates:
        point -= c.weight
        if point < 0:
            return c
    return candidates[-1]
