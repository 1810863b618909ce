"""Prometheus metrics of one app, in a registry of its own (never the global one)."""

from __future__ import annotations

from collections import Counter as Tally
from typing import TYPE_CHECKING, Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from tracktion.pipeline_status import PipelineStatus, pipeline_status

if TYPE_CHECKING:
    from collections.abc import Iterable

    from prometheus_client import Metric

    from tracktion.api.container import ApiContainer

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
_PENDING_LIMIT = 1_000_000
CACHE_COUNTERS: Final = {
    "hits": "Cache lookups that found a value.",
    "misses": "Cache lookups that found nothing (or could not ask the server).",
    "sets": "Values written to the cache.",
    "deletes": "Keys deleted from the cache.",
    "errors": "Cache calls that reached the server and failed.",
    "degraded": "Cache operations served without the server (Redis down: read from the database).",
    "outages": "Times the cache server went from healthy to unreachable.",
}
"""Counters of the cache client's ``stats`` exported as ``tracktion_cache_<name>_total``."""


class CacheStatsCollector(Collector):
    """The shared cache's own counters, read at scrape time from ``cache.stats.as_dict()``.

    Duck-typed: a cache without ``stats`` (the in-memory one) exports nothing.
    """

    def __init__(self) -> None:
        self.cache: object | None = None
        """The cache to read; set by :meth:`ApiMetrics.render`."""

    def describe(self) -> Iterable[Metric]:
        """The metric names, so the registry reserves them."""
        return [_family(name, 0) for name in CACHE_COUNTERS]

    def collect(self) -> Iterable[Metric]:
        """One counter per known stat the cache reports."""
        as_dict = getattr(getattr(self.cache, "stats", None), "as_dict", None)
        if not callable(as_dict):
            return []
        counts = as_dict()
        return [_family(name, counts[name]) for name in CACHE_COUNTERS if name in counts]


def _family(name: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(f"tracktion_cache_{name}", CACHE_COUNTERS[name], value=value)


class ApiMetrics:
    """Request, error, cache and catalog metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "tracktion_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tracktion_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "tracktion_http_errors",
            "Error responses by problem code (from their HTTP status).",
            ["code"],
            registry=self.registry,
        )
        self.cache = Counter(
            "tracktion_api_cache",
            "API read cache lookups by result (hit or miss).",
            ["result"],
            registry=self.registry,
        )
        self.tracks = Gauge(
            "tracktion_catalog_tracks",
            "Tracks in the catalog by status (read at scrape time).",
            ["status"],
            registry=self.registry,
        )
        self.analysis_pending = Gauge(
            "tracktion_analysis_pending",
            "Present tracks whose content has no current analysis (read at scrape time).",
            registry=self.registry,
        )
        self.events_stored = Gauge(
            "tracktion_events_stored",
            "Events in the audit trail (read at scrape time).",
            registry=self.registry,
        )
        self.queue_messages = Gauge(
            "tracktion_queue_messages",
            "Messages per subscription queue by state: ready, retrying (backing off), parked "
            "(read at scrape time).",
            ["queue", "state"],
            registry=self.registry,
        )
        self.queue_consumers = Gauge(
            "tracktion_queue_consumers",
            "Consumers per subscription queue (read at scrape time).",
            ["queue"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "tracktion_outbox_pending",
            "Committed events not yet confirmed by the bus (read at scrape time).",
            registry=self.registry,
        )
        self.workers_alive = Gauge(
            "tracktion_workers_alive",
            "Worker processes with a recent heartbeat, by service (read at scrape time).",
            ["service"],
            registry=self.registry,
        )
        self.workers_processed = Gauge(
            "tracktion_workers_processed",
            "Events handled by the registered workers of a service, as of their last "
            "heartbeats (read at scrape time).",
            ["service"],
            registry=self.registry,
        )
        self.cache_stats = CacheStatsCollector()
        self.registry.register(self.cache_stats)

    async def render(self, container: ApiContainer) -> bytes:
        """Refresh the catalog gauges, then the text exposition format."""
        self.cache_stats.cache = container.cache
        for status, count in (await container.store.status_counts()).items():
            self.tracks.labels(status).set(count)
        self.analysis_pending.set(len(await container.analyses.missing(_PENDING_LIMIT)))
        self.events_stored.set(await container.events.count())
        self._pipeline(await pipeline_status(container))
        return generate_latest(self.registry) + generate_latest(container.metrics.registry)

    def _pipeline(self, status: PipelineStatus) -> None:
        for gauge in (
            self.queue_messages,
            self.queue_consumers,
            self.workers_alive,
            self.workers_processed,
        ):
            gauge.clear()  # a queue or service that went away is not reported at its last value
        for queue in status.queues or ():
            self.queue_messages.labels(queue.name, "ready").set(queue.messages)
            self.queue_messages.labels(queue.name, "retrying").set(queue.retrying)
            self.queue_messages.labels(queue.name, "parked").set(queue.parked)
            self.queue_consumers.labels(queue.name).set(queue.consumers)
        self.outbox_pending.set(status.outbox.get("pending", 0))
        alive: Tally[str] = Tally()
        processed: Tally[str] = Tally()
        for worker in status.workers:
            alive[worker.service] += worker.alive
            processed[worker.service] += worker.processed
        for service in processed:
            self.workers_alive.labels(service).set(alive[service])
            self.workers_processed.labels(service).set(processed[service])
