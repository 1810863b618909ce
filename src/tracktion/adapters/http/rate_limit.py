"""Per-host request pacing: a token bucket plus a sliding-window cap, waited for fairly.

The bucket and the window are pure arithmetic on a clock reading; :class:`HostGate` adds the
waiting. One request to a host is in flight at a time and callers queue in arrival order
(``asyncio.Lock`` wakes waiters first in, first out). The bucket does not refill while a request
is in flight, so with ``burst=1`` the gap from the end of one request to the start of the next
is at least the interval.
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from tracktion.adapters.http.policy import HostPolicy


class TokenBucket:
    """``capacity`` tokens, one more every ``interval_s`` seconds; a request takes one."""

    def __init__(self, *, interval_s: float, capacity: int, now: float) -> None:
        self._interval_s = interval_s
        self._capacity = float(capacity)
        self._tokens = float(capacity)
        self._updated = now

    def _refill(self, now: float) -> None:
        if now > self._updated:
            gained = (now - self._updated) / self._interval_s if self._interval_s > 0 else 1e9
            self._tokens = min(self._capacity, self._tokens + gained)
            self._updated = now

    def delay(self, now: float) -> float:
        """Seconds until a token is available (0 when one is)."""
        self._refill(now)
        if self._tokens >= 1.0:
            return 0.0
        return (1.0 - self._tokens) * self._interval_s

    def take(self, now: float) -> None:
        """Spend a token (call only when :meth:`delay` is 0)."""
        self._refill(now)
        self._tokens -= 1.0

    def restart_refill(self, now: float) -> None:
        """Forfeit what accrued since the last take: refilling starts again at ``now``."""
        self._updated = max(self._updated, now)


class SlidingWindow:
    """At most ``max_requests`` in any ``window_s`` seconds."""

    def __init__(self, *, max_requests: int, window_s: float) -> None:
        self._max = max(1, max_requests)
        self._window_s = window_s
        self._times: deque[float] = deque()

    def delay(self, now: float) -> float:
        """Seconds until one more request fits in the window."""
        while self._times and self._times[0] <= now - self._window_s:
            self._times.popleft()
        if len(self._times) < self._max:
            return 0.0
        return self._times[len(self._times) - self._max] + self._window_s - now

    def record(self, now: float) -> None:
        """Count a request made at ``now``."""
        self._times.append(now)


class HostGate:
    """Admits requests to one host one at a time, paced by its bucket and window."""

    def __init__(
        self,
        policy: HostPolicy,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._bucket = TokenBucket(
            interval_s=policy.min_interval_s, capacity=max(1, policy.burst), now=clock()
        )
        self._window = SlidingWindow(max_requests=policy.window_max, window_s=policy.window_s)
        self._lock = asyncio.Lock()
        self._not_before = float("-inf")

    def hold_off(self, seconds: float) -> None:
        """Admit nothing for ``seconds`` (the host sent Retry-After): every caller waits."""
        self._not_before = max(self._not_before, self._clock() + seconds)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for this caller's turn and a free slot; the request runs inside the block."""
        async with self._lock:
            while True:
                now = self._clock()
                wait = max(self._bucket.delay(now), self._window.delay(now), self._not_before - now)
                if wait <= 0:
                    break
                await self._sleep(wait)
            self._bucket.take(now)
            self._window.record(now)
            try:
                yield
            finally:
                self._bucket.restart_refill(self._clock())
