"""Fixtures of the provider suites."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from llmgateway.providers import streaming


@pytest.fixture
def each_delta() -> Iterator[None]:
    """Delta coalescing off: an emulator writes a whole stream at once, so its deltas
    arrive in one read and would merge; tests of how each upstream event maps to a
    domain event see every delta (the conformance suite checks the folded answers
    with coalescing on)."""
    streaming.set_coalescing(False)
    yield
    streaming.set_coalescing(True)
