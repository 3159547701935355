"""A virtual model's routing rules, compiled once per version of the model: the first
rule whose conditions all hold picks the target, else the default target.

Regular expressions run on RE2 (the `google-re2` package): matching takes time linear
in the text, with no backtracking, so no pattern can stall the server on a hostile
message. On top of that a pattern is at most 512 characters and 1,000 RE2
instructions (checked when the model is written), and rules read only the first
`MAX_SCAN_CHARS` characters of the latest user message, so the worst operator-written
pattern costs a few milliseconds and a usual one a few microseconds. A rule's words
are one case-insensitive RE2 alternation of the escaped words between non-word
characters.

A split (several weighted targets) draws from a hash of the session id when the call
has one, so every call of a session goes to the same target; without one, at random.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import re2

from llmgateway.core.virtual import RoutingRule

MAX_SCAN_CHARS = 8_192  # of the latest user message, for words and patterns
MAX_PROGRAM_SIZE = 1_000  # RE2 instructions of a pattern
UNKNOWN_TOKENS = -1  # Facts.tokens not estimated (no rule bounds them)
_OPTIONS = re2.Options()
_OPTIONS.max_mem = 2 << 20  # the DFA's state cache per pattern; beyond it RE2 falls back to its NFA
_OPTIONS.never_capture = True
_OPTIONS.log_errors = False
_SCALE = float(2**64)


class RuleError(ValueError):
    """A rule that cannot be compiled; `field` names the rule's field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Facts:
    """What rules look at, worked out once per call."""

    text: str  # the start of the latest user message's text
    tokens: int  # estimated tokens of the conversation (history and new messages), or UNKNOWN_TOKENS
    messages: int  # messages of the conversation
    tags: Mapping[str, str]
    labels: Mapping[str, str]
    images: bool  # the new messages carry images
    tools: bool  # the call offers tools


def compile_pattern(pattern: str) -> Any:
    """The RE2 program of a rule's pattern; raises RuleError when it is not valid RE2
    or too large."""
    try:
        compiled = re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        message = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise RuleError("pattern", f"is not a valid RE2 regular expression: {message}") from None
    if compiled.programsize > MAX_PROGRAM_SIZE:
        raise RuleError(
            "pattern",
            f"is too complex ({compiled.programsize} RE2 instructions, at most {MAX_PROGRAM_SIZE}); "
            "large counted repetitions such as .{500} are the usual cause",
        )
    return compiled


def _words(words: Sequence[str]) -> Any:
    for word in words:
        if not word.strip():
            raise RuleError("any_words", "must not hold empty words")
    # Python's escape is valid RE2 (a backslash before punctuation, spaces as is).
    alternation = "|".join(re.escape(w) for w in words)
    return re2.compile(rf"(?i)(?:^|\W)(?:{alternation})(?:\W|$)", _OPTIONS)


class CompiledRule:
    __slots__ = (
        "_bounds",
        "_cumulative",
        "_pattern",
        "_salt",
        "_words",
        "name",
        "rule",
        "targets",
        "uses_tokens",
    )

    def __init__(self, rule: RoutingRule) -> None:
        if not rule.targets:
            raise RuleError("targets", "must name at least one model")
        if rule.max_estimated_tokens and rule.max_estimated_tokens < rule.min_estimated_tokens:
            raise RuleError("max_estimated_tokens", "must be at least min_estimated_tokens")
        if rule.max_messages and rule.max_messages < rule.min_messages:
            raise RuleError("max_messages", "must be at least min_messages")
        self.rule = rule
        self.name = rule.name
        self._words = _words(rule.any_words) if rule.any_words else None
        self._pattern = compile_pattern(rule.pattern) if rule.pattern else None
        self._bounds = (
            rule.min_estimated_tokens,
            rule.max_estimated_tokens or None,
            rule.min_messages,
            rule.max_messages or None,
        )
        self.uses_tokens = bool(rule.min_estimated_tokens or rule.max_estimated_tokens)
        self.targets = tuple(t.model for t in rule.targets)
        self._cumulative = tuple(accumulate(t.weight for t in rule.targets))
        # blake2b takes at most 16 bytes of salt: a digest of the rule's name.
        self._salt = hashlib.blake2b(rule.name.encode(), digest_size=16).digest()

    def matches(self, facts: Facts) -> bool:
        rule = self.rule
        min_tokens, max_tokens, min_messages, max_messages = self._bounds
        if self.uses_tokens and (
            facts.tokens < min_tokens or (max_tokens is not None and facts.tokens > max_tokens)
        ):
            return False
        if facts.messages < min_messages or (max_messages is not None and facts.messages > max_messages):
            return False
        if rule.has_images is not None and rule.has_images != facts.images:
            return False
        if rule.has_tools is not None and rule.has_tools != facts.tools:
            return False
        if rule.tags and any(facts.tags.get(k) != v for k, v in rule.tags.items()):
            return False
        if rule.labels and any(facts.labels.get(k) != v for k, v in rule.labels.items()):
            return False
        if self._words is not None and self._words.search(facts.text) is None:
            return False
        return self._pattern is None or self._pattern.search(facts.text) is not None

    def pick(self, split_key: str) -> str:
        """The target; among several, by weight, drawn from `split_key` when given."""
        targets = self.targets
        if len(targets) == 1:
            return targets[0]
        return targets[_draw(self._cumulative, split_key, self._salt)]


def _draw(cumulative: Sequence[float], split_key: str, salt: bytes) -> int:
    if split_key:
        digest = hashlib.blake2b(split_key.encode(), digest_size=8, person=b"llmgw-ab", salt=salt)
        unit = int.from_bytes(digest.digest(), "big") / _SCALE
    else:
        unit = random.random()
    point = unit * cumulative[-1]
    for i, edge in enumerate(cumulative):
        if point < edge:
            return i
    return len(cumulative) - 1


def compile_rules(rules: Sequence[RoutingRule]) -> tuple[CompiledRule, ...]:
    """Every rule compiled, in order; raises RuleError (its `index` set) on the first
    that cannot be."""
    compiled = []
    for index, rule in enumerate(rules):
        try:
            compiled.append(CompiledRule(rule))
        except RuleError as exc:
            exc.field = f"rules[{index}].{exc.field}"
            raise
    return tuple(compiled)
