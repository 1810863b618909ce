"""Cached API reads through the Cache port, invalidated by catalog, analysis and tracklist events.

Entries are keyed with a generation token stored in the cache itself; an invalidation writes a
new token, so every API process sharing the cache (memory or Redis) stops using older entries.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
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
_STALE_GRACE_S: Final = 60.0
"""How long past its time to live an entry may still be served while it is rebuilt."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Entry:
    body: bytes
    fresh_until: float

    def fresh(self, now: float) -> bool:
        return now <= self.fresh_until


class ReadCache:
    """Serialised responses by request key, fresh for ``ttl_s`` or until the next invalidation.

    A response past its time to live (but of the current generation) is still served while one
    task of this process rebuilds it in the background, and concurrent misses of one key share
    one build: a busy endpoint never makes every caller wait for the database at once.
    Invalidation is not softened: a new generation makes every older entry unreachable.
    """

    def __init__(
        self,
        cache: Cache,
        ttl_s: float,
        metrics: ApiMetrics,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._cache = cache
        self._ttl_s = ttl_s
        self._metrics = metrics
        self._clock = clock
        self._building: dict[str, asyncio.Future[bytes]] = {}
        self._tasks: set[asyncio.Task[bytes]] = set()

    async def peek(self, key: str) -> bytes | None:
        """The cached body for ``key`` while it is fresh, else None (the caller then builds)."""
        _, entry = await self._lookup(key)
        if entry is None or not entry.fresh(self._clock()):
            return None
        self._metrics.cache.labels("hit").inc()
        return entry.body

    async def get_or_build(
        self, key: str, build: Callable[[], Awaitable[bytes]], *, ttl_s: float | None = None
    ) -> bytes:
        """The cached body for ``key``, or ``build()``'s result (then cached).

        ``ttl_s`` shortens the lifetime for reads that also change without events (queue depths).
        """
        full_key, entry = await self._lookup(key)
        ttl = self._ttl_s if ttl_s is None else min(ttl_s, self._ttl_s)
        if entry is not None:
            self._metrics.cache.labels("hit").inc()
            if not entry.fresh(self._clock()) and full_key not in self._building:
                self._refresh(full_key, build, ttl)
            return entry.body
        self._metrics.cache.labels("miss").inc()
        running = self._building.get(full_key)
        if running is not None:
            return await asyncio.shield(running)
        return await asyncio.shield(self._refresh(full_key, build, ttl))

    async def _lookup(self, key: str) -> tuple[str, _Entry | None]:
        """The full key of ``key`` in the current generation, and its entry if there is one."""
        generation = await self._cache.get(GENERATION_KEY) or "0"
        full_key = f"api:v1:{generation}:{key}"
        cached = await self._cache.get(full_key)
        if isinstance(cached, dict) and isinstance(body := cached.get("body"), str):
            return full_key, _Entry(body.encode(), float(cached.get("fresh_until", 0.0)))
        return full_key, None

    def _refresh(
        self, full_key: str, build: Callable[[], Awaitable[bytes]], ttl: float
    ) -> asyncio.Future[bytes]:
        async def rebuild() -> bytes:
            try:
                body = await build()
                entry = {"body": body.decode(), "fresh_until": self._clock() + ttl}
                await self._cache.set(full_key, entry, ttl + _STALE_GRACE_S)
                return body
            finally:
                self._building.pop(full_key, None)

        task = asyncio.create_task(rebuild(), name=f"api-cache:{full_key}")
        self._building[full_key] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_consume_exception)
        return task


def _consume_exception(task: asyncio.Task[bytes]) -> None:
    """A background refresh that failed is logged; the next request tries again."""
    if not task.cancelled() and task.exception() is not None:
        logger.warning("cached API read could not be rebuilt: %s", task.exception())


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
