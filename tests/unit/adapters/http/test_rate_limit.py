"""Token bucket and sliding-window arithmetic, and fair pacing through a HostGate."""

import asyncio

from tracktion.adapters.http.policy import HostPolicy
from tracktion.adapters.http.rate_limit import HostGate, SlidingWindow, TokenBucket


class FakeTime:
    """A clock whose sleep advances it, so waits happen instantly and are recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def test_bucket_of_one_allows_one_request_per_interval() -> None:
    bucket = TokenBucket(interval_s=3.0, capacity=1, now=0.0)
    assert bucket.delay(0.0) == 0.0
    bucket.take(0.0)
    assert bucket.delay(0.0) == 3.0
    assert bucket.delay(1.0) == 2.0
    assert bucket.delay(3.0) == 0.0


def test_bucket_burst_then_steady_rate() -> None:
    bucket = TokenBucket(interval_s=1.0, capacity=3, now=0.0)
    for _ in range(3):
        assert bucket.delay(0.0) == 0.0
        bucket.take(0.0)
    assert bucket.delay(0.0) == 1.0
    assert bucket.delay(0.5) == 0.5
    assert bucket.delay(10.0) == 0.0
    for _ in range(3):
        bucket.take(10.0)
    assert bucket.delay(10.0) == 1.0


def test_bucket_does_not_refill_during_a_request() -> None:
    bucket = TokenBucket(interval_s=2.0, capacity=1, now=0.0)
    bucket.take(0.0)
    bucket.restart_refill(5.0)  # the request took 5 s
    assert bucket.delay(5.0) == 2.0
    assert bucket.delay(7.0) == 0.0


def test_sliding_window_caps_requests_per_window() -> None:
    window = SlidingWindow(max_requests=3, window_s=60.0)
    for when in (0.0, 10.0, 20.0):
        assert window.delay(when) == 0.0
        window.record(when)
    assert window.delay(30.0) == 30.0
    assert window.delay(60.0) == 0.0
    window.record(60.0)
    assert window.delay(61.0) == 9.0


async def test_gate_paces_concurrent_callers_in_arrival_order() -> None:
    time = FakeTime()
    gate = HostGate(HostPolicy(min_interval_s=3.0), clock=time, sleep=time.sleep)
    started: list[tuple[int, float]] = []

    async def request(number: int) -> None:
        async with gate.slot():
            started.append((number, time.now))
            await asyncio.sleep(0)

    await asyncio.gather(*(request(n) for n in range(5)))
    assert [number for number, _ in started] == [0, 1, 2, 3, 4]
    assert [when - 1000.0 for _, when in started] == [0.0, 3.0, 6.0, 9.0, 12.0]


async def test_gate_honours_the_window_on_top_of_the_bucket() -> None:
    time = FakeTime()
    policy = HostPolicy(min_interval_s=1.0, window_max=2, window_s=100.0)
    gate = HostGate(policy, clock=time, sleep=time.sleep)
    starts = []
    for _ in range(4):
        async with gate.slot():
            starts.append(time.now - 1000.0)
    assert starts == [0.0, 1.0, 100.0, 101.0]


async def test_gate_counts_the_interval_from_the_end_of_a_slow_request() -> None:
    time = FakeTime()
    gate = HostGate(HostPolicy(min_interval_s=1.0), clock=time, sleep=time.sleep)
    async with gate.slot():
        time.now += 5.0
    async with gate.slot():
        assert time.now == 1006.0


async def test_hold_off_makes_every_caller_wait() -> None:
    time = FakeTime()
    gate = HostGate(HostPolicy(min_interval_s=1.0), clock=time, sleep=time.sleep)
    async with gate.slot():
        pass
    gate.hold_off(30.0)
    async with gate.slot():
        assert time.now == 1030.0
    async with gate.slot():
        assert time.now == 1031.0
