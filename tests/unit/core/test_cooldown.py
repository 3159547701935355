"""The per-deployment circuit breaker, driven by a fake clock (no sleeping)."""

from __future__ import annotations

from llmgateway.core.cooldown import Cooldowns
from llmgateway.core.models import CooldownPolicy

POLICY = CooldownPolicy(failures=3, window=10.0, cooldown=30.0)
KEY = "m@primary"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_n_failures_within_the_window() -> None:
    clock = Clock()
    cd = Cooldowns(clock)
    for _ in range(2):
        cd.on_failure(KEY, POLICY)
        clock.now += 1
    assert cd.available(KEY) and cd.state(KEY) == "closed"
    cd.on_failure(KEY, POLICY)
    assert not cd.available(KEY) and cd.state(KEY) == "open"
    assert cd.retry_in(KEY) == 30.0


def test_a_success_clears_the_failure_count() -> None:
    clock = Clock()
    cd = Cooldowns(clock)
    for _ in range(10):  # one failure in three calls, forever: never three in a row
        cd.on_failure(KEY, POLICY)
        cd.on_success(KEY)
        cd.on_success(KEY)
        clock.now += 0.1
    assert cd.state(KEY) == "closed"
    cd.on_failure(KEY, POLICY)
    cd.on_failure(KEY, POLICY)
    cd.on_failure(KEY, POLICY)
    assert cd.state(KEY) == "open"


def test_failures_outside_the_window_do_not_add_up() -> None:
    clock = Clock()
    cd = Cooldowns(clock)
    for _ in range(5):
        cd.on_failure(KEY, POLICY)
        clock.now += 6  # only two failures ever fall within 10 s
    assert cd.state(KEY) == "closed"


def test_half_open_allows_exactly_one_probe_and_success_closes() -> None:
    clock = Clock()
    cd = Cooldowns(clock)
    for _ in range(3):
        cd.on_failure(KEY, POLICY)
    clock.now += 29.9
    assert not cd.available(KEY)
    clock.now += 0.1
    assert cd.state(KEY) == "half_open" and cd.available(KEY) and cd.retry_in(KEY) == 0.0
    cd.on_start(KEY)  # the probe
    assert not cd.available(KEY)  # nobody else while it runs
    cd.on_success(KEY)
    assert cd.state(KEY) == "closed" and cd.available(KEY)
    cd.on_failure(KEY, POLICY)  # history was forgotten: one failure does not reopen
    assert cd.available(KEY)


def test_failed_probe_cools_down_again() -> None:
    clock = Clock()
    cd = Cooldowns(clock)
    for _ in range(3):
        cd.on_failure(KEY, POLICY)
    clock.now += 30
    cd.on_start(KEY)
    cd.on_failure(KEY, POLICY)
    assert cd.state(KEY) == "open" and cd.retry_in(KEY) == 30.0


def test_a_probe_without_verdict_is_released() -> None:
    clock = Clock()
    cd = Cooldowns(clock)
    for _ in range(3):
        cd.on_failure(KEY, POLICY)
    clock.now += 30
    cd.on_start(KEY)
    assert not cd.available(KEY)
    cd.on_neutral(KEY)  # e.g. the caller cancelled
    assert cd.available(KEY) and cd.state(KEY) == "half_open"


def test_late_results_while_open_change_nothing() -> None:
    clock = Clock()
    cd = Cooldowns(clock)
    for _ in range(3):
        cd.on_failure(KEY, POLICY)
    clock.now += 5
    cd.on_failure(KEY, POLICY)  # a call that started before the breaker opened
    cd.on_success(KEY)
    assert cd.retry_in(KEY) == 25.0


def test_zero_failures_disables_the_breaker() -> None:
    cd = Cooldowns(Clock())
    for _ in range(10):
        cd.on_failure(KEY, CooldownPolicy(failures=0))
    assert cd.available(KEY)


def test_keys_are_independent() -> None:
    cd = Cooldowns(Clock())
    for _ in range(3):
        cd.on_failure(KEY, POLICY)
    assert not cd.available(KEY) and cd.available("m@other")
