"""The embedded response cache: an LRU of byte values bounded in bytes, each entry with
its own expiry, in this process only (the default when no Redis is configured)."""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import ClassVar, NamedTuple

# What an entry costs beyond its key and value: the OrderedDict node, the tuple, the
# objects' headers (measured with sys.getsizeof, rounded up).
ENTRY_OVERHEAD = 200


class _Entry(NamedTuple):
    value: bytes
    expires: float
    size: int


class MemoryResponseCache:
    shared: ClassVar[bool] = False

    def __init__(self, max_bytes: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_bytes = max_bytes
        self.clock = clock
        self.size_bytes = 0
        self.evictions = 0  # entries dropped to make room (expired ones are not counted)
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._locks: dict[str, tuple[str, float]] = {}
        self._tokens = itertools.count(1)

    @property
    def entries(self) -> int:
        return len(self._entries)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        now = self.clock()
        return [self._get(key, now) for key in keys]

    def _get(self, key: str, now: float) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= now:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry.value

    async def set_many(self, items: Sequence[tuple[str, bytes]], ttl_s: float) -> None:
        expires = self.clock() + ttl_s
        for key, value in items:
            size = len(key) + len(value) + ENTRY_OVERHEAD
            if size > self.max_bytes:
                continue  # would evict everything and still not fit
            if key in self._entries:
                self._drop(key)
            self._entries[key] = _Entry(value, expires, size)
            self.size_bytes += size
            while self.size_bytes > self.max_bytes:
                oldest = next(iter(self._entries))
                self._drop(oldest)
                self.evictions += 1

    def _drop(self, key: str) -> None:
        self.size_bytes -= self._entries.pop(key).size

    async def lock(self, key: str, ttl_s: float) -> str | None:
        now = self.clock()
        held = self._locks.get(key)
        if held is not None and held[1] > now:
            return None
        token = str(next(self._tokens))
        self._locks[key] = (token, now + ttl_s)
        return token

    async def unlock(self, key: str, token: str) -> None:
        held = self._locks.get(key)
        if held is not None and held[0] == token:
            del self._locks[key]
