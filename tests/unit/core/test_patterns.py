"""Model ids and glob patterns: exact ids win, globs apply in order, and the globs'
answers for each id are kept within a bound."""

from __future__ import annotations

import pytest

from llmgateway.core import patterns
from llmgateway.core.patterns import ModelGrant, PatternMap


def test_an_exact_id_wins_then_the_first_matching_glob() -> None:
    limits = PatternMap([("openai/*", 1), ("openai/gpt-4o", 2), ("*", 3), ("openai/gpt-?", 4)])
    assert limits.get("openai/gpt-4o") == 2
    assert limits.get("openai/gpt-5") == 1
    assert limits.get("mock/echo") == 3
    assert [limits.get("openai/gpt-5") for _ in range(3)] == [1, 1, 1]  # the kept answer is the same
    assert PatternMap([("mock/e?ho", 1)]).get("mock/other") is None
    assert PatternMap([("mock/e?ho", 1)]).get("mock/echo") == 1


def test_glob_answers_are_kept_within_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patterns, "MAX_MATCHED", 8)
    grant = ModelGrant(["team-a/*"])
    for i in range(100):  # a caller naming ever new models
        assert grant.allows(f"team-a/m{i}") and not grant.allows(f"team-b/m{i}")
        assert len(grant._map._matched) <= 8
    assert ModelGrant().allows("anything/at-all")
