"""The Cache contract: every backend present on the machine must pass these."""

import pytest

from tracktion.adapters.cache.memory import MemoryCache

pytestmark = pytest.mark.integration


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["memory"])
def cache(request: pytest.FixtureRequest, clock: FakeClock) -> MemoryCache:
    return MemoryCache(max_entries=3, default_ttl_s=10, clock=clock)


async def test_set_get_delete(cache: MemoryCache) -> None:
    await cache.set("k", {"v": [1, 2]})
    assert await cache.get("k") == {"v": [1, 2]}
    await cache.delete("k")
    assert await cache.get("k") is None
    await cache.delete("never-there")


async def test_entries_expire(cache: MemoryCache, clock: FakeClock) -> None:
    await cache.set("short", 1, ttl_s=1)
    await cache.set("default", 2)
    clock.now += 5
    assert await cache.get("short") is None
    assert await cache.get("default") == 2
    clock.now += 10
    assert await cache.get("default") is None


async def test_least_recently_used_is_evicted(cache: MemoryCache) -> None:
    for key in ("a", "b", "c"):
        await cache.set(key, key)
    await cache.get("a")
    await cache.set("d", "d")
    assert await cache.get("b") is None
    assert [await cache.get(key) for key in ("a", "c", "d")] == ["a", "c", "d"]


async def test_clear(cache: MemoryCache) -> None:
    await cache.set("a", 1)
    await cache.clear()
    assert await cache.get("a") is None
