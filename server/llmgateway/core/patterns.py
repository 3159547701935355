"""Model ids and glob patterns (`openai/*`, `mock/e?ho`): what a key may use and
which configured limit applies to a model."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
_GLOB = re.compile(r"[*?\[]")
MAX_PATTERN = 200
MAX_MATCHED = 1024


def is_glob(pattern: str) -> bool:
    return _GLOB.search(pattern) is not None


class PatternMap(Generic[T]):
    """Values by model id: an exact id first, then the glob patterns in order. Built
    once (per snapshot or configuration); a lookup is a dict hit, and the globs are
    matched once per model id (a key's `openai/*` is looked up on every call)."""

    __slots__ = ("_exact", "_globs", "_matched")

    def __init__(self, entries: Iterable[tuple[str, T]] = ()) -> None:
        self._exact: dict[str, T] = {}
        self._globs: list[tuple[re.Pattern[str], T]] = []
        self._matched: dict[str, T | None] = {}  # what the globs gave each id; at most MAX_MATCHED
        for pattern, value in entries:
            if is_glob(pattern):
                self._globs.append((re.compile(fnmatch.translate(pattern)), value))
            else:
                self._exact.setdefault(pattern, value)

    def __bool__(self) -> bool:
        return bool(self._exact or self._globs)

    def get(self, model_id: str) -> T | None:
        value = self._exact.get(model_id)
        if value is not None or not self._globs:
            return value
        matched = self._matched
        if model_id in matched:
            return matched[model_id]
        value = next((candidate for pattern, candidate in self._globs if pattern.match(model_id)), None)
        if len(matched) >= MAX_MATCHED:
            matched.clear()  # callers naming ever new ids cannot grow it
        matched[model_id] = value
        return value


class ModelGrant:
    """The models a key may use: exact ids and globs; none means every model."""

    __slots__ = ("_map", "patterns")

    def __init__(self, patterns: Sequence[str] = ()) -> None:
        self.patterns = tuple(patterns)
        self._map = PatternMap((p, True) for p in self.patterns)

    def allows(self, model_id: str) -> bool:
        return not self.patterns or self._map.get(model_id) is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelGrant) and other.patterns == self.patterns

    def __hash__(self) -> int:
        return hash(self.patterns)

    def __repr__(self) -> str:
        return f"ModelGrant({list(self.patterns)!r})"


EVERY_MODEL = ModelGrant()


PATTERN_RULE = f"must be a model id or glob pattern of 1-{MAX_PATTERN} characters, no spaces"


def bad_pattern(pattern: str) -> bool:
    return (
        not pattern or len(pattern) > MAX_PATTERN or any(c.isspace() or not c.isprintable() for c in pattern)
    )


def pattern_violations(field: str, patterns: Sequence[str]) -> list[tuple[str, str]]:
    """Field violations of a list of model ids or globs."""
    return [(f"{field}[{i}]", PATTERN_RULE) for i, p in enumerate(patterns) if bad_pattern(p)]
