"""Redis cache (the distributed Cache): JSON values under a key prefix, degrading to misses.

Redis is an optimisation, never a dependency: when the server is down, slow or refuses a
command, reads are misses and writes are dropped, so callers fall through to the database.
One warning is logged per outage and one line on recovery; after a failure the server is not
tried again for ``backoff_s`` seconds, so an outage costs one timeout per back-off period
rather than one per call.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any, TypeVar

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from tracktion.adapters.cache.stats import CacheStats

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

T = TypeVar("T")

_RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""
"""Delete the lock only if it still holds our token (it may have expired and been retaken)."""

_GLOB_SPECIAL = frozenset("*?[]\\")

_LOCK_NAMESPACE = "lock:"
"""Locks live beside the values, under ``<prefix>lock:<key>``; cache keys must not start so."""


def _glob_escape(text: str) -> str:
    return "".join(f"\\{char}" if char in _GLOB_SPECIAL else char for char in text)


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class RedisCache:
    """The Cache port over Redis 7, plus the short locks ``CachedLoader`` coordinates with.

    Values are stored as compact JSON (so tuples read back as lists; anything ``json`` cannot
    encode raises ``TypeError``, a caller's bug, not an outage). Every key is prefixed with
    ``prefix``; ``clear()`` removes only prefixed keys. Counters are in ``stats``.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "tracktion:",
        default_ttl_s: float = 300.0,
        socket_timeout_s: float = 0.25,
        connect_timeout_s: float = 0.25,
        max_connections: int = 32,
        backoff_s: float = 1.0,
        scan_batch: int = 500,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not prefix:
            raise ValueError("RedisCache needs a non-empty key prefix (clear() deletes by prefix)")
        self._prefix = prefix
        self._default_ttl_s = default_ttl_s
        self._backoff_s = backoff_s
        self._scan_batch = scan_batch
        self._clock = clock
        pool = ConnectionPool.from_url(
            url,
            max_connections=max_connections,
            socket_timeout=socket_timeout_s,
            socket_connect_timeout=connect_timeout_s,
            retry=Retry(NoBackoff(), 0),
        )
        server = pool.connection_kwargs
        host, port, db = server.get("host", "socket"), server.get("port", ""), server.get("db", 0)
        self._where = f"{host}:{port}/{db}"
        self._client = Redis(connection_pool=pool)
        self._release_lock = self._client.register_script(_RELEASE_LOCK)
        self._retry_at: float | None = None
        """While unreachable: when to try the server again; None while healthy."""
        self.stats = CacheStats()

    async def get(self, key: str) -> Any | None:
        """The value, or None if absent, expired, undecodable or Redis is unreachable."""
        raw = await self._run(lambda: self._client.get(self._prefix + key), None)
        if raw is not None:
            try:
                value = json.loads(raw)
            except ValueError:
                logger.warning("Redis cache: value under %r is not JSON; treated as a miss", key)
            else:
                self.stats.hits += 1
                return value
        self.stats.misses += 1
        return None

    async def set(self, key: str, value: Any, ttl_s: float | None = None) -> None:
        """Store a value for ``ttl_s`` seconds (a TTL <= 0 forgets the key); never raises."""
        ttl = self._default_ttl_s if ttl_s is None else ttl_s
        if ttl <= 0:
            await self.delete(key)
            return
        payload = _encode(value)
        stored = await self._run(
            lambda: self._client.set(self._prefix + key, payload, px=_milliseconds(ttl)), None
        )
        if stored:
            self.stats.sets += 1

    async def delete(self, key: str) -> None:
        """Forget a key (absent keys are fine); never raises."""
        deleted = await self._run(lambda: self._client.unlink(self._prefix + key), None)
        if deleted is not None:
            self.stats.deletes += 1

    async def clear(self) -> None:
        """Forget every key under this cache's prefix (SCAN + UNLINK; other keys stay)."""
        await self._run(self._unlink_prefixed, None)

    async def try_lock(self, key: str, ttl_s: float) -> str | None:
        """Take the lock on ``key`` for ``ttl_s`` seconds (SET NX PX with a random token).

        Returns the token to ``unlock`` with when the caller may go ahead (lock taken, or Redis
        unreachable so there is nothing to coordinate), None while another holder has it.
        """
        token = secrets.token_hex(16)
        lock_key = self._prefix + _LOCK_NAMESPACE + key
        taken = await self._run(
            lambda: self._client.set(lock_key, token, nx=True, px=_milliseconds(ttl_s)), True
        )
        return token if taken else None

    async def unlock(self, key: str, token: str) -> None:
        """Release the lock on ``key`` if ``token`` still holds it (compare-and-delete)."""
        lock_key = self._prefix + _LOCK_NAMESPACE + key
        await self._run(lambda: self._release_lock(keys=[lock_key], args=[token]), None)

    async def ping(self) -> bool:
        """Whether the server answers right now (ignores the back-off; never raises)."""
        try:
            pong: Any = self._client.ping()  # redis-py types it as "awaitable or not"
            return bool(await pong)
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        """Close every pooled connection."""
        await self._client.aclose(close_connection_pool=True)

    async def _unlink_prefixed(self) -> None:
        batch: list[bytes] = []
        pattern = _glob_escape(self._prefix) + "*"
        async for key in self._client.scan_iter(match=pattern, count=self._scan_batch):
            batch.append(key)
            if len(batch) >= self._scan_batch:
                await self._client.unlink(*batch)
                batch.clear()
        if batch:
            await self._client.unlink(*batch)

    async def _run(self, command: Callable[[], Awaitable[Any]], fallback: T) -> Any | T:
        """Run one command, or return ``fallback`` when Redis fails or is being backed off."""
        if self._retry_at is not None and self._clock() < self._retry_at:
            self.stats.degraded += 1
            return fallback
        try:
            result = await command()
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return fallback
        if self._retry_at is not None:
            self._retry_at = None
            logger.info("Redis cache at %s reachable again; caching resumed", self._where)
        return result

    def _failed(self, exc: BaseException) -> None:
        self.stats.errors += 1
        self.stats.degraded += 1
        if self._retry_at is None:
            self.stats.outages += 1
            logger.warning(
                "Redis cache at %s unreachable (%s: %s); serving without the cache, "
                "retrying every %.1f s",
                self._where,
                type(exc).__name__,
                exc,
                self._backoff_s,
            )
        self._retry_at = self._clock() + self._backoff_s
