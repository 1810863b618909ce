"""Cached API reads through the Cache port, invalidated by catalog, analysis and tracklist events.

Entries are keyed with a generation token stored in the cache itself; an invalidation writes a
new token, so every API process sharing the cache (memory or Redis) stops using older entries.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from tracktion.api.metrics import ApiMetrics
    from tracktion.core.events import Event
    from tracktion.core.ports import Cache, EventBus, EventHandler

GENERATION_KEY: Final = "api:v1:generation"
INVALIDATING_TOPICS: Final = {
    "api.cache.catalog": "catalog.*",
    "api.cache.analysis": "analysis.*",
    "api.cache.tracklist": "tracklist.*",
}
"""Subscription name -> topic whose events change what the cached reads return."""
_GENERATION_TTL_S: Final = 30 * 86_400.0


class ReadCache:
    """Serialised responses by request key, for ``ttl_s`` or until the next invalidation."""

    def __init__(self, cache: Cache, ttl_s: float, metrics: ApiMetrics) -> None:
        self._cache = cache
        self._ttl_s = ttl_s
        self._metrics = metrics

    async def get_or_build(
        self, key: str, build: Callable[[], Awaitable[bytes]], *, ttl_s: float | None = None
    ) -> bytes:
        """The cached body for ``key``, or ``build()``'s result (then cached).

        ``ttl_s`` shortens the lifetime for reads that also change without events (queue depths).
        """
        generation = await self._cache.get(GENERATION_KEY) or "0"
        full_key = f"api:v1:{generation}:{key}"
        cached = await self._cache.get(full_key)
        if isinstance(cached, str):  # text, so any cache backend can hold it
            self._metrics.cache.labels("hit").inc()
            return cached.encode()
        self._metrics.cache.labels("miss").inc()
        body = await build()
        ttl = self._ttl_s if ttl_s is None else min(ttl_s, self._ttl_s)
        await self._cache.set(full_key, body.decode(), ttl)
        return body


async def invalidate(cache: Cache) -> None:
    """Make every cached API read stale."""
    await cache.set(GENERATION_KEY, uuid.uuid4().hex, _GENERATION_TTL_S)


def cache_invalidator(cache: Cache) -> EventHandler:
    """A bus handler that invalidates the API's cached reads whatever events it gets."""

    async def handle(events: Sequence[Event]) -> None:
        if events:
            await invalidate(cache)

    return handle


def subscribe_cache_invalidation(bus: EventBus, cache: Cache) -> None:
    """Invalidate the API's cached reads on every catalog, analysis and tracklist event."""
    handler = cache_invalidator(cache)
    for name, pattern in INVALIDATING_TOPICS.items():
        bus.subscribe(name, pattern, handler)
