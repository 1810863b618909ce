"""In-memory LRU cache with per-entry TTL (the embedded default Cache)."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable


class MemoryCache:
    """Least-recently-used eviction beyond ``max_entries``; expired entries read as absent."""

    def __init__(
        self,
        *,
        max_entries: int = 10_000,
        default_ttl_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_entries = max_entries
        self._default_ttl_s = default_ttl_s
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    async def get(self, key: str) -> Any | None:
        """The value, or None if absent or expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    async def set(self, key: str, value: Any, ttl_s: float | None = None) -> None:
        """Store a value; evicts the least recently used entry when full."""
        ttl = self._default_ttl_s if ttl_s is None else ttl_s
        self._entries[key] = (self._clock() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def delete(self, key: str) -> None:
        """Forget a key (absent keys are fine)."""
        self._entries.pop(key, None)

    async def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()

    async def close(self) -> None:
        """Nothing to release."""
