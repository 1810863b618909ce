"""The breaker's state machine: closed -> open -> half-open probe -> closed or open again."""

from tracktion.adapters.http.breaker import BreakerState, CircuitBreaker


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make() -> tuple[CircuitBreaker, FakeClock]:
    clock = FakeClock()
    return CircuitBreaker(threshold=3, cooldown_s=30.0, clock=clock), clock


def test_opens_after_threshold_consecutive_failures() -> None:
    breaker, _ = make()
    assert [breaker.record_failure() for _ in range(2)] == [False, False]
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow()
    assert breaker.record_failure() is True
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    assert breaker.retry_in() == 30.0


def test_a_success_resets_the_count() -> None:
    breaker, _ = make()
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED


def test_after_the_cooldown_exactly_one_probe_passes() -> None:
    breaker, clock = make()
    for _ in range(3):
        breaker.record_failure()
    clock.now += 29.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow()
    assert breaker.state is BreakerState.HALF_OPEN


def test_a_successful_probe_closes() -> None:
    breaker, clock = make()
    for _ in range(3):
        breaker.record_failure()
    clock.now += 30
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow()
    assert breaker.allow()


def test_a_failed_probe_reopens_for_another_cooldown() -> None:
    breaker, clock = make()
    for _ in range(3):
        breaker.record_failure()
    clock.now += 30
    assert breaker.allow()
    assert breaker.record_failure() is True
    assert breaker.state is BreakerState.OPEN
    assert breaker.retry_in() == 30.0
    assert not breaker.allow()


def test_a_late_failure_while_open_does_not_count_as_an_opening() -> None:
    breaker, _ = make()
    for _ in range(3):
        breaker.record_failure()
    assert breaker.record_failure() is False
    assert breaker.state is BreakerState.OPEN


def test_an_abandoned_probe_lets_the_next_caller_probe() -> None:
    breaker, clock = make()
    for _ in range(3):
        breaker.record_failure()
    clock.now += 30
    assert breaker.allow()
    breaker.abandon_probe()
    assert breaker.allow()
