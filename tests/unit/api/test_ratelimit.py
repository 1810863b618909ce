import pytest

from tracktion.api.ratelimit import RateLimiter, TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_says_how_long_to_wait() -> None:
    bucket = TokenBucket(rate=2.0, burst=3, now=0.0)

    assert [bucket.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(0.0) == pytest.approx(0.5)  # one token at 2/s


def test_a_bucket_refills_at_its_rate_up_to_the_burst() -> None:
    bucket = TokenBucket(rate=2.0, burst=3, now=0.0)
    for _ in range(3):
        bucket.take(0.0)

    assert bucket.take(0.25) == pytest.approx(0.25)  # half a token there, half to go
    assert bucket.take(0.5) == 0.0  # 0.5 + 0.5 tokens
    assert [bucket.take(100.0) for _ in range(4)][:3] == [0.0, 0.0, 0.0]  # capped at 3
    assert bucket.take(100.0) > 0


def test_the_limiter_keeps_one_bucket_per_key() -> None:
    clock = Clock()
    limiter = RateLimiter(1.0, 2, clock=clock)

    assert [limiter.take("ip:1") for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]
    assert limiter.take("ip:2") == 0.0
    clock.now += 1.0
    assert limiter.take("ip:1") == 0.0


def test_the_limiter_forgets_the_least_recently_used_keys() -> None:
    clock = Clock()
    limiter = RateLimiter(1.0, 1, max_keys=2, clock=clock)
    limiter.take("a")
    limiter.take("b")
    limiter.take("a")  # "a" used again: "b" is now the oldest
    limiter.take("c")  # evicts "b"

    assert limiter.take("b") == 0.0  # a fresh bucket
    assert limiter.take("c") > 0
