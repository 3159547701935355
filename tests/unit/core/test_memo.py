"""The bounded memo: the oldest entries go first, within a count and a byte
bound; an entry over a quarter of the bytes is never kept."""

from __future__ import annotations

import pytest

from llmgateway.core.memo import Memo


def test_the_oldest_entries_go_first_within_the_count() -> None:
    memo: Memo[str, int] = Memo(max_entries=3, max_bytes=1000)
    for i in range(5):
        memo.put(f"k{i}", i, 10)
    assert len(memo) == 3 and memo.bytes == 30
    assert [memo.get(f"k{i}") for i in range(5)] == [None, None, 2, 3, 4]


def test_the_byte_bound_evicts_and_large_entries_are_not_kept() -> None:
    memo: Memo[str, int] = Memo(max_entries=100, max_bytes=1000)
    for i in range(6):
        memo.put(f"k{i}", i, 240)
    assert len(memo) == 4 and memo.bytes == 960  # the bytes, not the count, bound it
    memo.put("big", 0, 251)  # over a quarter of max_bytes
    assert memo.get("big") is None and memo.bytes == 960


def test_a_key_is_kept_once() -> None:
    memo: Memo[str, int] = Memo(max_entries=10, max_bytes=1000)
    memo.put("k", 1, 100)
    memo.put("k", 2, 100)
    assert memo.get("k") == 1 and memo.bytes == 100


def test_get_or_make_makes_once_and_never_keeps_a_failure() -> None:
    memo: Memo[str, int] = Memo(max_entries=10, max_bytes=1000)
    made: list[str] = []

    def make(value: int) -> int:
        made.append("made")
        if value < 0:
            raise ValueError("bad")
        return value

    assert memo.get_or_make("k", lambda: make(1), 10) == 1
    assert memo.get_or_make("k", lambda: make(2), 10) == 1 and made == ["made"]
    for _ in range(2):
        with pytest.raises(ValueError):
            memo.get_or_make("bad", lambda: make(-1), 10)
    assert memo.get("bad") is None and len(made) == 3
