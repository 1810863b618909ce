"""RedisCache beyond the contract: prefixes, degradation and recovery, cross-process stampedes.

Outages are real: a closed port, a server that never answers, and a throwaway redis-server
stopped and started again mid-test. Back-off runs on a fake clock, so no test depends on timing.
"""

import asyncio
import json
import logging
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from tracktion.adapters.cache.loader import CachedLoader
from tracktion.adapters.cache.redis import RedisCache

from .conftest import REDIS_URL, FakeClock

pytestmark = pytest.mark.integration

LOGGER = "tracktion.adapters.cache.redis"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayRedis:
    """A private redis-server on a free port that a test can stop and start."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        self._process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = Redis.from_url(self.url)
        try:
            for _ in range(500):
                try:
                    await client.ping()
                    return
                except (RedisError, OSError):
                    await asyncio.sleep(0.01)
            self.stop()
            raise RuntimeError(f"redis-server on port {self.port} did not start")
        finally:
            await client.aclose()

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


@pytest.fixture
async def throwaway_redis() -> AsyncIterator[ThrowawayRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = ThrowawayRedis()
    await server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def outage_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.INFO, logger=LOGGER):
        yield caplog


def _messages(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == level]


async def test_prefixes_isolate_caches_and_clear_spares_other_keys(
    raw_redis: Redis, redis_prefix: str
) -> None:
    mine = RedisCache(REDIS_URL, prefix=redis_prefix + "a[1]:", scan_batch=100)
    lookalike = RedisCache(REDIS_URL, prefix=redis_prefix + "a1:")  # what an unescaped glob hits
    other = RedisCache(REDIS_URL, prefix=redis_prefix + "b:")
    await raw_redis.set(redis_prefix + "outside", "stays")
    for cache, value in ((mine, "mine"), (lookalike, "lookalike"), (other, "other")):
        await cache.set("k", value)
    assert [await c.get("k") for c in (mine, lookalike, other)] == ["mine", "lookalike", "other"]
    for i in range(350):  # several SCAN/UNLINK batches
        await mine.set(f"bulk:{i}", i)

    await mine.clear()

    assert await raw_redis.keys(redis_prefix + "a[[]1]:*") == []
    assert await mine.get("k") is None
    assert await lookalike.get("k") == "lookalike"
    assert await other.get("k") == "other"
    assert await raw_redis.get(redis_prefix + "outside") == b"stays"
    for cache in (mine, lookalike, other):
        await cache.close()


async def test_values_json_cannot_encode_are_the_callers_error(redis_prefix: str) -> None:
    cache = RedisCache(REDIS_URL, prefix=redis_prefix)
    with pytest.raises(TypeError):
        await cache.set("k", {1, 2})
    await cache.close()


async def test_an_empty_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="prefix"):
        RedisCache(REDIS_URL, prefix="")


async def test_a_closed_port_degrades_to_misses_with_one_warning(
    outage_log: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    cache = RedisCache("redis://127.0.0.1:1/0", backoff_s=1.0, clock=clock)

    assert await cache.get("k") is None
    await cache.set("k", {"v": 1})
    await cache.delete("k")
    await cache.clear()
    assert await cache.try_lock("k", 5) is not None  # nothing to coordinate: go ahead
    clock.now += 1.5  # back-off over: the next call tries the server again, and fails again
    assert await cache.get("k") is None
    assert await cache.ping() is False

    stats = cache.stats
    assert (stats.errors, stats.degraded, stats.outages) == (2, 6, 1)
    assert (stats.hits, stats.misses, stats.sets) == (0, 2, 0)
    warnings = _messages(outage_log, logging.WARNING)
    assert len(warnings) == 1
    assert "127.0.0.1:1/0 unreachable" in warnings[0]
    await cache.close()


async def test_a_server_that_never_answers_times_out_to_a_miss(
    outage_log: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # reads the command, never replies
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    cache = RedisCache(f"redis://127.0.0.1:{port}/0", socket_timeout_s=0.2, clock=clock)

    assert await cache.get("k") is None
    await cache.set("k", 1)

    assert (cache.stats.errors, cache.stats.degraded) == (1, 2)
    [warning] = _messages(outage_log, logging.WARNING)
    assert "Timeout" in warning
    await cache.close()
    server.close()
    await server.wait_closed()


async def test_degrades_while_the_server_is_down_and_recovers_when_it_returns(
    throwaway_redis: ThrowawayRedis, outage_log: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    cache = RedisCache(throwaway_redis.url, backoff_s=1.0, clock=clock)
    await cache.set("k", "before")
    assert await cache.get("k") == "before"

    throwaway_redis.stop()
    assert await cache.get("k") is None
    assert cache.stats.errors == 1
    assert await cache.get("k") is None  # within the back-off: Redis is not even tried
    assert (cache.stats.errors, cache.stats.degraded) == (1, 2)

    await throwaway_redis.start()
    assert await cache.get("k") is None  # still backing off
    clock.now += 1.5
    await cache.set("k", "after")
    assert await cache.get("k") == "after"

    assert (cache.stats.errors, cache.stats.degraded, cache.stats.outages) == (1, 3, 1)
    assert len(_messages(outage_log, logging.WARNING)) == 1
    [recovery] = _messages(outage_log, logging.INFO)
    assert "reachable again" in recovery
    await cache.close()


async def test_two_clients_load_a_missing_key_once(redis_prefix: str) -> None:
    """Separate pools, separate loaders: only the Redis lock stands between them."""
    caches = [RedisCache(REDIS_URL, prefix=redis_prefix) for _ in range(2)]
    loaders = [CachedLoader(cache, lock_wait_s=60, poll_s=0.01) for cache in caches]
    runs = 0
    release = asyncio.Event()

    async def load() -> list[str]:
        nonlocal runs
        runs += 1
        await release.wait()
        return ["expensive"]

    callers = [asyncio.create_task(loader.get_or_load("k", load, 30)) for loader in loaders]
    for _ in range(500):  # until one loads and the other waits on its lock
        if runs == 1 and sum(loader.stats.lock_waits for loader in loaders) == 1:
            break
        await asyncio.sleep(0.01)
    release.set()

    assert await asyncio.gather(*callers) == [["expensive"], ["expensive"]]
    assert runs == 1
    assert sum(loader.stats.lock_timeouts for loader in loaders) == 0
    for cache in caches:
        await cache.close()


async def test_a_slow_lock_holder_does_not_block_the_others_forever(redis_prefix: str) -> None:
    holder = RedisCache(REDIS_URL, prefix=redis_prefix)
    token = await holder.try_lock("k", 30)  # another process took the lock and hangs
    assert token is not None
    waiting_cache = RedisCache(REDIS_URL, prefix=redis_prefix)
    waiter = CachedLoader(waiting_cache, lock_wait_s=0, poll_s=0)

    async def load() -> str:
        return "loaded anyway"

    assert await waiter.get_or_load("k", load) == "loaded anyway"
    assert (waiter.stats.lock_waits, waiter.stats.lock_timeouts, waiter.stats.loads) == (1, 1, 1)
    await holder.unlock("k", token)
    assert await holder.try_lock("k", 30) is not None  # released by compare-and-delete
    await holder.close()
    await waiting_cache.close()


async def test_unlock_with_a_stale_token_leaves_the_new_holders_lock(redis_prefix: str) -> None:
    cache = RedisCache(REDIS_URL, prefix=redis_prefix)
    current = await cache.try_lock("k", 30)
    assert current is not None
    await cache.unlock("k", "a-token-whose-lock-expired")
    assert await cache.try_lock("k", 30) is None
    await cache.unlock("k", current)
    await cache.close()


WORKER = """
import asyncio, json, os, sys
from redis.asyncio import Redis
from tracktion.adapters.cache.loader import CachedLoader
from tracktion.adapters.cache.redis import RedisCache

async def main(url, prefix):
    raw = Redis.from_url(url)
    loader = CachedLoader(RedisCache(url, prefix=prefix), lock_wait_s=60, poll_s=0.01)
    async def load():
        await raw.incr(prefix + "runs")
        await asyncio.sleep(0.5)
        return {"loaded_by": os.getpid()}
    await raw.incr(prefix + "ready")
    while not await raw.exists(prefix + "go"):
        await asyncio.sleep(0.005)
    print(json.dumps(await loader.get_or_load("track", load, 30)))
    await raw.aclose()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def test_processes_load_a_missing_key_once(raw_redis: Redis, redis_prefix: str) -> None:
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", WORKER, REDIS_URL, redis_prefix, stdout=subprocess.PIPE
        )
        for _ in range(3)
    ]
    for _ in range(3000):  # until all three wait for the starting signal
        if int(await raw_redis.get(redis_prefix + "ready") or 0) == len(workers):
            break
        await asyncio.sleep(0.01)
    await raw_redis.set(redis_prefix + "go", 1)

    outputs = [await worker.communicate() for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0, 0]
    results = [json.loads(stdout) for stdout, _ in outputs]
    assert results[0]["loaded_by"] in [worker.pid for worker in workers]
    assert results == [results[0]] * 3
    assert await raw_redis.get(redis_prefix + "runs") == b"1"
