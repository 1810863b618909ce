"""The Cache contract: every backend present on the machine must pass these.

Memory runs on a fake clock. Redis runs for real: TTLs are short and the tests wait them out,
so a "unit" of time is 1 s of fake time for memory and 0.1 s of real time for Redis.
"""

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tracktion.adapters.cache.loader import CachedLoader
from tracktion.adapters.cache.memory import MemoryCache
from tracktion.adapters.cache.policy import CacheKind
from tracktion.adapters.cache.redis import RedisCache
from tracktion.core.ports import Cache

from .conftest import REDIS_URL, FakeClock, connect_or_skip

pytestmark = pytest.mark.integration

DEFAULT_TTL_UNITS = 10


class Backend:
    """A cache under test and how time passes for it."""

    def __init__(self, cache: Cache, unit_s: float, clock: FakeClock | None) -> None:
        self.cache = cache
        self.unit_s = unit_s
        self._clock = clock

    def ttl(self, units: float) -> float:
        return units * self.unit_s

    async def elapse(self, units: float) -> None:
        """Let ``units`` of time pass: advance the fake clock, or really wait (Redis)."""
        if self._clock is not None:
            self._clock.now += units * self.unit_s
        else:
            await asyncio.sleep(units * self.unit_s)


@pytest.fixture(params=["memory", "redis"])
async def backend(
    request: pytest.FixtureRequest, clock: FakeClock, redis_prefix: str
) -> AsyncIterator[Backend]:
    if request.param == "memory":
        yield Backend(MemoryCache(default_ttl_s=DEFAULT_TTL_UNITS, clock=clock), 1.0, clock)
        return
    await (await connect_or_skip()).aclose()
    unit_s = 0.1
    cache = RedisCache(REDIS_URL, prefix=redis_prefix, default_ttl_s=DEFAULT_TTL_UNITS * unit_s)
    yield Backend(cache, unit_s, None)
    await cache.clear()
    await cache.close()


@pytest.fixture
def cache(backend: Backend) -> Cache:
    return backend.cache


async def test_set_get_delete(cache: Cache) -> None:
    await cache.set("k", {"v": [1, 2], "name": "Ámbar — Señorita"})
    assert await cache.get("k") == {"v": [1, 2], "name": "Ámbar — Señorita"}
    await cache.delete("k")
    assert await cache.get("k") is None
    await cache.delete("never-there")
    assert await cache.get("never-there") is None


async def test_values_of_every_json_type_round_trip(cache: Cache) -> None:
    values = {"int": 7, "float": 128.25, "str": "x", "bool": False, "list": [1, "a"], "zero": 0}
    for key, value in values.items():
        await cache.set(key, value)
    assert {key: await cache.get(key) for key in values} == values


async def test_set_replaces_the_value(cache: Cache) -> None:
    await cache.set("k", 1)
    await cache.set("k", 2)
    assert await cache.get("k") == 2


async def test_entries_expire(backend: Backend) -> None:
    cache = backend.cache
    await cache.set("short", 1, ttl_s=backend.ttl(2))
    await cache.set("default", 2)
    await backend.elapse(5)
    assert await cache.get("short") is None
    assert await cache.get("default") == 2
    await backend.elapse(DEFAULT_TTL_UNITS)
    assert await cache.get("default") is None


async def test_clear(cache: Cache) -> None:
    await cache.set("a", 1)
    await cache.set("b", 2)
    await cache.clear()
    assert await cache.get("a") is None
    assert await cache.get("b") is None


async def test_get_or_load_runs_the_loader_once_for_concurrent_callers(cache: Cache) -> None:
    loader = CachedLoader(cache, lock_wait_s=60)
    runs = 0
    release = asyncio.Event()

    async def load() -> dict[str, int]:
        nonlocal runs
        runs += 1
        await release.wait()
        return {"answer": 42}

    callers = [asyncio.create_task(loader.get_or_load("k", load)) for _ in range(10)]
    for _ in range(500):  # until every caller has joined the one load in flight
        if loader.stats.coalesced == 9:
            break
        await asyncio.sleep(0.01)
    release.set()
    assert await asyncio.gather(*callers) == [{"answer": 42}] * 10
    assert runs == 1
    assert await loader.get_or_load("k", load) == {"answer": 42}
    assert runs == 1
    assert await cache.get("k") == {"answer": 42}
    assert loader.stats.loads == 1


async def test_get_or_load_namespaces_keys_by_kind(cache: Cache) -> None:
    loader = CachedLoader(cache)

    async def load() -> str:
        return "Strobe"

    assert await loader.get_or_load("01J", load, kind=CacheKind.TRACK) == "Strobe"
    assert await cache.get("track:01J") == "Strobe"
    assert await cache.get("01J") is None
    await loader.invalidate("01J", kind=CacheKind.TRACK)
    assert await cache.get("track:01J") is None


async def test_a_failed_load_reaches_every_caller_and_is_not_cached(cache: Cache) -> None:
    loader = CachedLoader(cache)
    runs = 0

    async def fail() -> str:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.01)
        raise LookupError("upstream said no")

    results = await asyncio.gather(
        *(loader.get_or_load("k", fail) for _ in range(3)), return_exceptions=True
    )
    assert [type(result) for result in results] == [LookupError] * 3
    assert runs == 1
    assert await cache.get("k") is None

    async def succeed() -> str:
        return "ok"

    assert await loader.get_or_load("k", succeed) == "ok"


async def test_a_none_result_is_returned_not_cached(cache: Cache) -> None:
    loader = CachedLoader(cache)
    runs = 0

    async def nothing() -> None:
        nonlocal runs
        runs += 1

    assert await loader.get_or_load("k", nothing) is None
    assert await loader.get_or_load("k", nothing) is None
    assert runs == 2


async def test_memory_evicts_the_least_recently_used(clock: FakeClock) -> None:
    """Memory only: Redis evicts by the server's maxmemory policy, not per cache."""
    cache = MemoryCache(max_entries=3, default_ttl_s=10, clock=clock)
    for key in ("a", "b", "c"):
        await cache.set(key, key)
    await cache.get("a")
    await cache.set("d", "d")
    assert await cache.get("b") is None
    assert [await cache.get(key) for key in ("a", "c", "d")] == ["a", "c", "d"]


async def test_redis_stores_compact_json_with_a_millisecond_ttl(
    raw_redis: Redis, redis_prefix: str
) -> None:
    cache = RedisCache(REDIS_URL, prefix=redis_prefix)
    await cache.set("k", {"a": [1, 2], "s": "é"}, ttl_s=30)
    assert await raw_redis.get(redis_prefix + "k") == '{"a":[1,2],"s":"é"}'.encode()
    assert 29_000 < await raw_redis.pttl(redis_prefix + "k") <= 30_000
    await cache.close()
