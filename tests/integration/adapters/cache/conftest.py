"""Cache test helpers: a fake clock, and the local Redis (skipped when it does not answer).

Redis: ``TRACKTION_TEST_REDIS_URL`` (default: the local server, database 0); every test works
under a key prefix of its own and removes its keys afterwards.
"""

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

REDIS_URL = os.environ.get("TRACKTION_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix no other test uses."""
    return f"tracktion-test:{uuid.uuid4().hex}:"


async def connect_or_skip() -> Redis:
    """A plain client on the test server; skips the test when the server does not answer."""
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        pytest.skip(f"Redis backend: {REDIS_URL} not reachable ({exc})")
    return client


@pytest.fixture
async def raw_redis(redis_prefix: str) -> AsyncIterator[Redis]:
    """A plain client on the test server (to look behind the cache); skips if unreachable."""
    client = await connect_or_skip()
    yield client
    keys = [key async for key in client.scan_iter(match=redis_prefix + "*")]
    if keys:
        await client.unlink(*keys)
    await client.aclose()
