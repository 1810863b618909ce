"""Retry-After in both forms, and the backoff schedule."""

import random
from datetime import UTC, datetime

import pytest

from tracktion.adapters.http.retry import backoff_delay, is_retryable, parse_retry_after

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Fri, 02 Jan 2026 03:05:05 GMT", 60.0),
        ("Friday, 02-Jan-26 03:04:35 GMT", 30.0),
        ("Fri Jan  2 03:04:15 2026", 10.0),
        ("Thu, 01 Jan 2026 00:00:00 GMT", 0.0),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 30.0), (500, 30.0)]:
        delay = backoff_delay(attempt, base_s=1.0, max_s=30.0, rng=rng)
        assert ceiling / 2 <= delay <= ceiling


@pytest.mark.parametrize(
    ("status", "retry"), [(429, True), (500, True), (503, True), (599, True), (404, False)]
)
def test_retryable_statuses(status: int, retry: bool) -> None:
    assert is_retryable(status) is retry
