"""Routing strategies over deployment state."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest

from llmgateway.core.balancer import InProcessState, choose
from llmgateway.core.models import CooldownPolicy, RoutingStrategy


@dataclass(frozen=True)
class D:
    key: str
    weight: float = 1.0


A, B, C = D("m@a", 1.0), D("m@b", 3.0), D("m@c", 1.0)


def seq(*values: float):
    it = iter(values)
    return lambda: next(it)


def test_weighted_random_follows_the_weights() -> None:
    state = InProcessState()
    # total weight 5: [0, 1) -> a, [1, 4) -> b, [4, 5) -> c
    assert choose(RoutingStrategy.WEIGHTED, [A, B, C], state, seq(0.1)) is A
    assert choose(RoutingStrategy.WEIGHTED, [A, B, C], state, seq(0.3)) is B
    assert choose(RoutingStrategy.WEIGHTED, [A, B, C], state, seq(0.79)) is B
    assert choose(RoutingStrategy.WEIGHTED, [A, B, C], state, seq(0.81)) is C
    assert choose(RoutingStrategy.WEIGHTED, [A, B, C], state, seq(0.999999)) is C


def test_weighted_random_distribution() -> None:
    import random

    rng = random.Random(7)
    counts = Counter(
        choose(RoutingStrategy.WEIGHTED, [A, B], InProcessState(), rng.random).key for _ in range(4000)
    )
    assert 0.70 < counts["m@b"] / 4000 < 0.80  # weight 3 of 4


def test_least_inflight_picks_the_least_busy() -> None:
    state = InProcessState()
    state.started("m@a")
    state.started("m@a")
    state.started("m@b")
    assert choose(RoutingStrategy.LEAST_INFLIGHT, [A, B, C], state, seq(0.0)) is C
    state.started("m@c")
    state.started("m@c")
    assert choose(RoutingStrategy.LEAST_INFLIGHT, [A, B, C], state, seq(0.0)) is B
    state.ended("m@a")
    state.ended("m@a")
    assert choose(RoutingStrategy.LEAST_INFLIGHT, [A, B, C], state, seq(0.0)) is A


def test_least_inflight_breaks_ties_by_weight() -> None:
    state = InProcessState()
    # a and b tie at 0 in flight: total weight 4, 0.5 * 4 = 2 -> b
    assert choose(RoutingStrategy.LEAST_INFLIGHT, [A, B], state, seq(0.5)) is B


def test_lowest_latency_measures_each_then_prefers_the_fastest() -> None:
    state = InProcessState()
    state.succeeded("m@a", 0.5)
    # b and c were never measured: one of them goes first
    assert choose(RoutingStrategy.LOWEST_LATENCY, [A, B, C], state, seq(0.0)).key in {"m@b", "m@c"}
    state.succeeded("m@b", 0.05)
    state.succeeded("m@c", 0.2)
    assert choose(RoutingStrategy.LOWEST_LATENCY, [A, B, C], state, seq(0.0)) is B
    for _ in range(10):  # b becomes slow: the moving average follows
        state.succeeded("m@b", 1.0)
    assert choose(RoutingStrategy.LOWEST_LATENCY, [A, B, C], state, seq(0.0)) is C


def test_moving_average() -> None:
    state = InProcessState()
    state.succeeded("k", 1.0)
    state.succeeded("k", 2.0)
    assert state.latency("k") == pytest.approx(1.3)


def test_state_cooldown() -> None:
    state = InProcessState()
    for _ in range(2):
        state.failed("m@a", CooldownPolicy(failures=2))
    assert not state.available("m@a") and state.retry_in("m@a") > 0
