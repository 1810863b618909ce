"""PipelineMetrics: what this process's services did, in a Prometheus registry of its own.

The API's ``/metrics`` includes them (the embedded mode runs every service in its process); a
worker serves them itself with ``tracktion worker SERVICE --metrics-port N``.
"""

from __future__ import annotations

from collections import Counter as Tally
from typing import TYPE_CHECKING, Final

from prometheus_client import CollectorRegistry, Counter, Histogram

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracktion.core.events import Event

ANALYSIS_BUCKETS: Final = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 300.0)
"""Seconds; a 3.5-minute track takes ~0.7 s on one core, a 3-hour mix ~30 s."""


class PipelineMetrics:
    """Files processed, events handled and analysis time of this process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.handled_total = 0
        """Events handled by every subscription of this process (a worker's heartbeat)."""
        self.analysed = Counter(
            "tracktion_files_analysed",
            "Files analysed, by outcome (ok, or error: unreadable, timed out, crashed).",
            ["outcome"],
            registry=self.registry,
        )
        self.events = Counter(
            "tracktion_events_handled",
            "Events handled (committed) by subscription and type; the catalog's file events "
            "are the files it processed.",
            ["subscription", "type"],
            registry=self.registry,
        )
        self.analysis_seconds = Histogram(
            "tracktion_analysis_seconds",
            "Wall time of one file's analysis in an analysis worker process.",
            buckets=ANALYSIS_BUCKETS,
            registry=self.registry,
        )

    def handled(self, subscription: str, events: Sequence[Event]) -> None:
        """``events`` of ``subscription`` were handled."""
        self.handled_total += len(events)
        for kind, count in Tally(event.type for event in events).items():
            self.events.labels(subscription, kind).inc(count)

    def analysis_done(self, seconds: float | None, failed: bool) -> None:
        """One file was analysed in ``seconds`` (None: its worker crashed or overran)."""
        self.analysed.labels("error" if failed else "ok").inc()
        if seconds is not None:
            self.analysis_seconds.observe(seconds)
