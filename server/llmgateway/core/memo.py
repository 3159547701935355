"""A small bounded memo for per-call work that repeats when callers repeat themselves:
a request received byte for byte before is converted once (api/servicer.py) and its
cache key computed once, and a stored answer is decoded once for the hits that follow
(cache/policy.py).

Each of these costs a few µs in a loop and 0.02-0.03 ms per call under load, where each
call meets them with cold caches (bench/README.md, "Cache hits decoded once"); a hit is
worth the most when it costs the least."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

# Requests larger than this are not looked up by their bytes: hashing them would cost
# what the memo saves.
MEMO_WIRE_BYTES = 64 * 1024


def by_wire(wire: bytes) -> bool:
    """Whether work on a request may be looked up by its bytes (some, and not too many)."""
    return 0 < len(wire) <= MEMO_WIRE_BYTES


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """At most `max_entries` values and `max_bytes` of the sizes given with them, the
    oldest going first; an entry larger than a quarter of `max_bytes` is not kept."""

    __slots__ = ("_bytes", "_entries", "max_bytes", "max_entries")

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: dict[K, tuple[V, int]] = {}
        self._bytes = 0

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        return None if entry is None else entry[0]

    def get_or_make(self, key: K, make: Callable[[], V], size: int) -> V:
        """The value kept for `key`, else `make()` kept (what raises is never kept)."""
        entry = self._entries.get(key)
        if entry is not None:
            return entry[0]
        value = make()
        self.put(key, value, size)
        return value

    def put(self, key: K, value: V, size: int) -> None:
        if size > self.max_bytes // 4 or key in self._entries:
            return
        entries = self._entries
        while entries and (len(entries) >= self.max_entries or self._bytes + size > self.max_bytes):
            oldest = next(iter(entries))
            self._bytes -= entries.pop(oldest)[1]
        entries[key] = (value, size)
        self._bytes += size

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return self._bytes
