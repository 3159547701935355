"""Routing rules: each condition, the first match wins, splits by weight (sticky by
session, exact on a fixed set of ids), and RE2 patterns that stay linear or are refused."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from llmgateway.core.virtual import RouteTarget, RoutingRule
from llmgateway.sessions.rules import MAX_SCAN_CHARS, CompiledRule, Facts, RuleError, compile_rules

FACTS = Facts(
    text="Why does my Python script fail?",
    tokens=100,
    messages=3,
    tags={},
    labels={},
    images=False,
    tools=False,
)


def rule(**kw: Any) -> CompiledRule:
    kw.setdefault("targets", (RouteTarget("m/a"),))
    return CompiledRule(RoutingRule(name="r", **kw))


@pytest.mark.parametrize(
    ("conditions", "facts", "matches"),
    [
        ({}, {}, True),
        ({"any_words": ("python",)}, {}, True),
        ({"any_words": ("PYTHON", "rust")}, {}, True),
        ({"any_words": ("pyth",)}, {}, False),  # whole words only
        ({"any_words": ("c++",)}, {"text": "a c++ question"}, True),
        ({"any_words": ("script fail",)}, {}, True),
        ({"pattern": r"\bscript\b"}, {}, True),
        ({"pattern": r"^Why"}, {}, True),
        ({"pattern": r"traceback"}, {}, False),
        ({"any_words": ("python",), "pattern": "nothing"}, {}, False),  # every condition must hold
        ({"min_estimated_tokens": 100}, {}, True),
        ({"min_estimated_tokens": 101}, {}, False),
        ({"max_estimated_tokens": 99}, {}, False),
        ({"min_messages": 3, "max_messages": 3}, {}, True),
        ({"max_messages": 2}, {}, False),
        ({"tags": {"task": "triage"}}, {"tags": {"task": "triage", "x": "y"}}, True),
        ({"tags": {"task": "triage"}}, {"tags": {"task": "other"}}, False),
        ({"labels": {"team": "eu"}}, {"labels": {"team": "eu"}}, True),
        ({"labels": {"team": "eu"}}, {}, False),
        ({"has_images": True}, {"images": True}, True),
        ({"has_images": False}, {"images": True}, False),
        ({"has_tools": True}, {}, False),
        ({"has_tools": False}, {}, True),
    ],
)
def test_conditions(conditions: dict[str, Any], facts: dict[str, Any], matches: bool) -> None:
    assert rule(**conditions).matches(replace(FACTS, **facts)) is matches


def test_a_split_is_sticky_per_session_and_holds_its_weights() -> None:
    split = rule(targets=(RouteTarget("m/a", 7), RouteTarget("m/b", 3)))
    picks = Counter(split.pick(f"session-{i}") for i in range(10_000))
    assert abs(picks["m/a"] - 7_000) < 250  # a fixed set of ids: this count never changes
    assert {split.pick("session-42") for _ in range(20)} == {split.pick("session-42")}
    unkeyed = Counter(split.pick("") for _ in range(2_000))
    assert set(unkeyed) == {"m/a", "m/b"}


def test_the_same_session_may_land_differently_in_two_rules() -> None:
    # Each rule draws with its own salt, so two splits of a model are independent.
    a = CompiledRule(RoutingRule("one", targets=(RouteTarget("m/a"), RouteTarget("m/b"))))
    b = CompiledRule(RoutingRule("two", targets=(RouteTarget("m/a"), RouteTarget("m/b"))))
    assert any(a.pick(f"s{i}") != b.pick(f"s{i}") for i in range(50))


@pytest.mark.parametrize(
    ("conditions", "field", "says"),
    [
        ({"pattern": "(unclosed"}, "rules[1].pattern", "not a valid RE2"),
        ({"pattern": r"(a)\1"}, "rules[1].pattern", "not a valid RE2"),  # backreferences need backtracking
        ({"pattern": r"[\s\S]{900}"}, "rules[1].pattern", "too complex"),
        ({"targets": ()}, "rules[1].targets", "at least one"),
        ({"any_words": ("ok", " ")}, "rules[1].any_words", "empty"),
        ({"min_messages": 5, "max_messages": 2}, "rules[1].max_messages", "at least"),
        ({"min_estimated_tokens": 5, "max_estimated_tokens": 2}, "rules[1].max_estimated_tokens", "at least"),
    ],
)
def test_rules_that_cannot_compile_name_their_field(
    conditions: dict[str, Any], field: str, says: str
) -> None:
    conditions.setdefault("targets", (RouteTarget("m/a"),))
    good = RoutingRule("good", targets=(RouteTarget("m/a"),))
    with pytest.raises(RuleError) as info:
        compile_rules([good, RoutingRule("bad", **conditions)])
    assert info.value.field == field and says in str(info.value)


def test_a_hostile_message_cannot_stall_matching() -> None:
    # Catastrophic for a backtracking engine; RE2 answers in linear time. The policy
    # hands rules at most MAX_SCAN_CHARS characters of the message.
    evil = rule(pattern=r"(a|aa)*(b|c)$", any_words=("x",))
    facts = replace(FACTS, text=("a" * 10 * MAX_SCAN_CHARS + "!")[:MAX_SCAN_CHARS])
    assert not evil.matches(facts)
