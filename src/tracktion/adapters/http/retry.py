"""When to try again: exponential backoff with jitter, and the server's Retry-After."""

from __future__ import annotations

import math
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random
    from datetime import datetime

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Statuses worth another attempt (plus every other 5xx)."""

RATE_LIMIT_STATUSES = frozenset({429, 503})
"""Statuses that end in ``RateLimitedError`` when the retries run out."""


def is_retryable(status: int) -> bool:
    """429 and every 5xx."""
    return status in RETRY_STATUSES or 500 <= status <= 599


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date).

    None when absent or unreadable; a date in the past gives 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # asctime dates carry no zone; HTTP dates are GMT
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, *, base_s: float, max_s: float, rng: random.Random) -> float:
    """Delay before retry number ``attempt`` (1-based): ``base * 2**(attempt-1)``, capped,
    scaled by a random factor in [0.5, 1] so that clients do not retry in lockstep."""
    exponent = min(attempt - 1, 62)
    ceiling = min(max_s, base_s * math.pow(2.0, exponent))
    return ceiling * rng.uniform(0.5, 1.0)
