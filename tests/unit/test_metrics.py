"""PipelineMetrics: events by subscription and type, analyses by outcome and their duration."""

from prometheus_client import generate_latest

from tracktion.core.events import Event, EventType
from tracktion.metrics import PipelineMetrics


def test_handled_events_are_counted_by_subscription_and_type() -> None:
    metrics = PipelineMetrics()
    created = Event(EventType.FILE_CREATED, {"path": "/m/a.mp3"})
    deleted = Event(EventType.FILE_DELETED, {"path": "/m/b.mp3"})

    metrics.handled("catalog", [created, created, deleted])
    metrics.handled("audit", [created])

    sample = metrics.registry.get_sample_value
    assert (
        sample(
            "tracktion_events_handled_total", {"subscription": "catalog", "type": "file.created"}
        )
        == 2
    )
    assert (
        sample(
            "tracktion_events_handled_total", {"subscription": "catalog", "type": "file.deleted"}
        )
        == 1
    )
    assert (
        sample("tracktion_events_handled_total", {"subscription": "audit", "type": "file.created"})
        == 1
    )


def test_analyses_are_counted_by_outcome_and_timed_when_the_worker_answered() -> None:
    metrics = PipelineMetrics()

    metrics.analysis_done(0.7, failed=False)
    metrics.analysis_done(1.5, failed=True)  # unreadable audio: the worker answered
    metrics.analysis_done(None, failed=True)  # crashed or timed out

    sample = metrics.registry.get_sample_value
    assert sample("tracktion_files_analysed_total", {"outcome": "ok"}) == 1
    assert sample("tracktion_files_analysed_total", {"outcome": "error"}) == 2
    assert sample("tracktion_analysis_seconds_count", {}) == 2
    assert sample("tracktion_analysis_seconds_sum", {}) == 2.2
    assert b"tracktion_analysis_seconds_bucket" in generate_latest(metrics.registry)
