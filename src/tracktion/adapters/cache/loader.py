"""Stampede protection: a missing key is loaded once, not once per concurrent caller.

Within a process, concurrent callers for one key await a single load (single flight). Across
processes, when the cache offers ``KeyLocks`` (``RedisCache`` does), the loader first takes a
short lock on the key: the holder loads and stores, the others poll the cache for its value and
load themselves only if the holder is slow (longer than ``lock_wait_s``) or gone.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast, runtime_checkable

from tracktion.adapters.cache.policy import CachePolicy
from tracktion.adapters.cache.stats import LoaderStats

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from tracktion.adapters.cache.policy import CacheKind
    from tracktion.core.ports import Cache

logger = logging.getLogger(__name__)

T = TypeVar("T")


@runtime_checkable
class KeyLocks(Protocol):
    """Short-lived locks per cache key, shared by every process using the same cache."""

    async def try_lock(self, key: str, ttl_s: float) -> str | None:
        """A token if the caller may load ``key`` now; None while another holder has it."""

    async def unlock(self, key: str, token: str) -> None:
        """Release the lock if ``token`` still holds it."""


class CachedLoader:
    """``get_or_load``: the cached value, or the loader's result stored for the next caller.

    ``locks`` defaults to the cache itself when it provides ``KeyLocks``. A loader result of
    None is returned but not cached (None reads as a miss). Values must suit the cache: with
    Redis they are JSON, so tuples come back as lists.
    """

    def __init__(
        self,
        cache: Cache,
        *,
        policy: CachePolicy | None = None,
        locks: KeyLocks | None = None,
        lock_ttl_s: float = 10.0,
        lock_wait_s: float = 3.0,
        poll_s: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cache = cache
        self._policy = policy or CachePolicy()
        self._locks = locks if locks is not None else _locks_of(cache)
        self._lock_ttl_s = lock_ttl_s
        self._lock_wait_s = lock_wait_s
        self._poll_s = poll_s
        self._clock = clock
        self._flights: dict[str, asyncio.Task[Any]] = {}
        self.stats = LoaderStats()

    async def get_or_load(
        self,
        key: str,
        loader: Callable[[], Awaitable[T]],
        ttl_s: float | None = None,
        *,
        kind: CacheKind | None = None,
    ) -> T:
        """The value cached under ``key``, else ``await loader()`` (run once), cached.

        With ``kind`` the key is namespaced by it and the TTL defaults to the policy's for that
        kind; without, ``ttl_s`` None means the cache's default TTL.
        """
        cache_key, ttl = self._resolve(key, ttl_s, kind)
        flight = self._flights.get(cache_key)
        if flight is None:
            cached = await self._cache.get(cache_key)
            if cached is not None:
                return cast("T", cached)
            flight = self._flights.get(cache_key)
        if flight is None:
            flight = asyncio.create_task(self._fill(cache_key, loader, ttl))
            self._flights[cache_key] = flight
            flight.add_done_callback(functools.partial(self._landed, cache_key))
        else:
            self.stats.coalesced += 1
        return cast("T", await asyncio.shield(flight))

    async def invalidate(self, key: str, *, kind: CacheKind | None = None) -> None:
        """Forget the value cached under ``key`` (in ``kind``'s namespace if given)."""
        cache_key, _ = self._resolve(key, None, kind)
        await self._cache.delete(cache_key)

    def _resolve(
        self, key: str, ttl_s: float | None, kind: CacheKind | None
    ) -> tuple[str, float | None]:
        if kind is None:
            return key, ttl_s
        return self._policy.key(kind, key), self._policy.ttl_s(kind) if ttl_s is None else ttl_s

    async def _fill(self, key: str, loader: Callable[[], Awaitable[Any]], ttl: float | None) -> Any:
        if self._locks is None:
            return await self._load(key, loader, ttl)
        deadline = self._clock() + self._lock_wait_s
        waiting = False
        while True:
            token = await self._locks.try_lock(key, self._lock_ttl_s)
            if token is not None:
                try:
                    cached = await self._cache.get(key)  # the last holder may just have stored it
                    return cached if cached is not None else await self._load(key, loader, ttl)
                finally:
                    await self._locks.unlock(key, token)
            if not waiting:
                waiting = True
                self.stats.lock_waits += 1
            if self._clock() >= deadline:
                self.stats.lock_timeouts += 1
                logger.info("cache key %r: lock holder is slow; loading without the lock", key)
                return await self._load(key, loader, ttl)
            await asyncio.sleep(self._poll_s)
            cached = await self._cache.get(key)
            if cached is not None:
                return cached

    async def _load(self, key: str, loader: Callable[[], Awaitable[Any]], ttl: float | None) -> Any:
        self.stats.loads += 1
        value = await loader()
        if value is not None:
            await self._cache.set(key, value, ttl)
        return value

    def _landed(self, key: str, flight: asyncio.Task[Any]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not flight.cancelled():
            flight.exception()  # retrieved here too, in case every waiter was cancelled


def _locks_of(cache: Cache) -> KeyLocks | None:
    return cache if isinstance(cache, KeyLocks) else None
