"""A circuit breaker for one host: closed -> open after repeated failures -> half-open probe.

Closed: requests pass; ``threshold`` consecutive failures open it. Open: requests are refused
until ``cooldown_s`` has passed, then it turns half-open. Half-open: one probe request passes
(others are refused); its success closes the breaker, its failure opens it for another cool-down.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


class BreakerState(StrEnum):
    """Where a breaker is."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Counts consecutive failures of one host; pure state, time from ``clock``."""

    def __init__(self, *, threshold: int, cooldown_s: float, clock: Callable[[], float]) -> None:
        self._threshold = max(1, threshold)
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at = 0.0
        self._open = False
        self._probing = False

    @property
    def state(self) -> BreakerState:
        """The current state (an open breaker past its cool-down reads as half-open)."""
        if not self._open:
            return BreakerState.CLOSED
        if self._probing or self.retry_in() <= 0:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def retry_in(self) -> float:
        """Seconds until an open breaker lets a probe through (0 if it would now)."""
        if not self._open:
            return 0.0
        return max(0.0, self._opened_at + self._cooldown_s - self._clock())

    def allow(self) -> bool:
        """Whether a request may go out now; in half-open state, the first caller is the probe."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def record_success(self) -> None:
        """The host answered: close the breaker and forget the failures."""
        self._failures = 0
        self._open = False
        self._probing = False

    def record_failure(self) -> bool:
        """The host failed; returns True when this failure (re)opened the breaker."""
        self._failures += 1
        opens = self._probing or (not self._open and self._failures >= self._threshold)
        if opens:
            self._open = True
            self._probing = False
            self._opened_at = self._clock()
        return opens

    def abandon_probe(self) -> None:
        """The probe ended without an answer either way (cancelled): let another probe go."""
        self._probing = False
