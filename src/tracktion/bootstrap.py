"""Composition root: Settings -> adapters -> services -> bus subscriptions.

The only module that imports adapters. Everything is built inside :func:`bootstrap`, never at
import time, so tests pass their own settings (or fakes) through the same root.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from structlog.contextvars import bound_contextvars

from tracktion.adapters.bus.inprocess import InProcessBus
from tracktion.adapters.bus.inprocess_admin import InProcessBusAdmin
from tracktion.adapters.cache.memory import MemoryCache
from tracktion.adapters.db.analysis_store import SqlAnalysisStore
from tracktion.adapters.db.catalog_store import SqlCatalogStore
from tracktion.adapters.db.engine import create_engine, schema_state, upgrade
from tracktion.adapters.db.event_store import SqlEventStore
from tracktion.adapters.db.job_store import SqlJobStore
from tracktion.adapters.db.outbox_store import SqlOutbox
from tracktion.adapters.db.search_index import SqlSearchIndex
from tracktion.adapters.db.tracklist_store import SqlTracklistStore
from tracktion.adapters.db.user_store import SqlRefreshTokenStore, SqlUserStore
from tracktion.adapters.db.worker_registry import SqlWorkerRegistry
from tracktion.adapters.http.client import PoliteFetcher
from tracktion.adapters.http.policy import DEFAULT_ALLOWED_HOSTS, FetchPolicy
from tracktion.adapters.urls import redact_url
from tracktion.analysis.runner import AnalysisRunner
from tracktion.analysis.service import AnalysisService
from tracktion.api.caching import subscribe_cache_invalidation
from tracktion.api.jobs import JOB_RESULTS, job_finisher
from tracktion.catalog.service import CatalogService
from tracktion.core.errors import ConfigurationError
from tracktion.core.events import EventType
from tracktion.housekeeping import Housekeeping
from tracktion.metrics import PipelineMetrics
from tracktion.outbox.relay import OutboxRelay
from tracktion.tracklists.service import TracklistService
from tracktion.watcher.live import LiveWatcher
from tracktion.watcher.scanner import Scanner

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

    from tracktion.config import Settings
    from tracktion.core.events import Event
    from tracktion.core.ports import BusAdmin, Cache, EventBus, EventHandler
    from tracktion.watcher.file_events import FileIndex


logger = logging.getLogger(__name__)


@dataclass
class App:
    """The wired application: ports, services and the settings they were built from.

    The search index, the tracklist service and its HTTP client are built on first use, so
    commands that never touch them (``tracks list``) do not pay for them.
    """

    settings: Settings
    engine: AsyncEngine
    bus: EventBus
    cache: Cache
    store: SqlCatalogStore
    events: SqlEventStore
    analyses: SqlAnalysisStore
    outbox: SqlOutbox
    relay: OutboxRelay
    relay_task: asyncio.Task[None]
    housekeeping: asyncio.Task[None] | None
    """Forgets old handled-event ids and workers (where the catalog is applied)."""
    workers: SqlWorkerRegistry
    users: SqlUserStore
    refresh_tokens: SqlRefreshTokenStore
    jobs: SqlJobStore
    """Jobs the API started (scans, re-analyses), shared by every API process."""
    metrics: PipelineMetrics
    """Events handled, files analysed and analysis time in this process."""
    catalog: CatalogService
    analysis: AnalysisService | None
    runner: AnalysisRunner | None
    tracklist_store: SqlTracklistStore

    @cached_property
    def search(self) -> SqlSearchIndex:
        """Search over tracks, artists and tracklists."""
        return SqlSearchIndex(self.engine)

    @cached_property
    def fetcher(self) -> PoliteFetcher:
        """The polite HTTP client that fetches tracklist pages (``close`` closes it)."""
        return PoliteFetcher(
            FetchPolicy(
                allowed_hosts=tuple(self.settings.fetch_allowed_hosts or DEFAULT_ALLOWED_HOSTS),
                allow_http=self.settings.fetch_allow_http,
            ),
            cache=self.cache,
            cache_dir=self.settings.data_dir / "http-cache",
        )

    @cached_property
    def tracklists(self) -> TracklistService:
        """Tracklist import, matches and listing."""
        return TracklistService(
            self.tracklist_store, self.store, self.search, self.fetcher, self.bus.publish
        )

    def scanner(self) -> Scanner:
        """A scanner publishing to this app's bus."""
        return Scanner(self.bus, self.store, workers=self.settings.scan_workers)

    def live_watcher(self, roots: Sequence[str]) -> LiveWatcher:
        """A live watcher over ``roots`` publishing to this app's bus, rescanning periodically."""

        async def rescan() -> FileIndex:
            report, index = await self.scanner().scan(roots)
            logger.info("periodic rescan: %s", dict(report.events) or "no changes")
            return index

        return LiveWatcher(
            self.bus,
            roots,
            settle_s=self.settings.watch_settle_s,
            rescan=rescan,
            rescan_every_s=self.settings.rescan_interval_s,
        )

    def backends(self) -> dict[str, str]:
        """The database, bus and cache URLs in use, without passwords."""
        return {
            "database": redact_url(self.settings.effective_database_url),
            "bus": redact_url(self.settings.bus_url),
            "cache": redact_url(self.settings.cache_url),
        }

    def bus_admin(self) -> BusAdmin | None:
        """Queue statistics and parking queues of the broker, or of the in-process bus when
        this process consumes there (None when it consumes nothing: no queue is shared)."""
        if isinstance(self.bus, InProcessBus):
            return InProcessBusAdmin(self.bus) if self.bus.consuming else None
        url = self.settings.bus_url
        if not url.startswith(("amqp://", "amqps://")):
            return None
        from tracktion.adapters.bus.rabbitmq_admin import RabbitMqAdmin

        return RabbitMqAdmin(url, SUBSCRIPTIONS)

    async def schema_state(self) -> tuple[str | None, str]:
        """(database revision, newest shipped revision)."""
        return await schema_state(self.engine)

    async def close(self) -> None:
        """Let in-flight events finish, then release everything."""
        await self.bus.wait_idle()
        await OutboxRelay.stop(self.relay_task)
        if self.housekeeping is not None:
            self.housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.housekeeping
        await self.bus.close()
        if self.runner is not None:
            await self.runner.close()
        if "fetcher" in vars(self):  # built (cached_property), so there is a client to close
            await self.fetcher.aclose()
        await self.cache.close()
        await self.engine.dispose()


SERVICES = ("catalog", "analysis")
"""Services that consume events; ``tracktion worker <service>`` runs one of them alone."""

SUBSCRIPTIONS = ("audit", "catalog", "catalog.analysis", "analysis", AnalysisService.REQUESTS)
"""Every subscription (one durable queue each on a broker)."""


def _bus(settings: Settings, consume: frozenset[str]) -> EventBus:
    url = settings.bus_url
    if settings.in_process_bus:
        return InProcessBus()
    if url.startswith(("amqp://", "amqps://")):
        from tracktion.adapters.bus.rabbitmq import RabbitMqBus

        if consume == {"analysis"}:
            # A few messages per worker, so that N analysis workers share the queue fairly.
            prefetch = batch = max(1, settings.analysis_workers)
        else:
            prefetch, batch = 200, 100
        role = "+".join(sorted(consume)) or "publisher"
        return RabbitMqBus(
            url, prefetch=prefetch, batch_size=batch, connection_name=f"tracktion {role}"
        )
    raise ConfigurationError(
        f"TRACKTION_BUS_URL={redact_url(url)!r}: use memory:// (in-process) or amqp://"
    )


def _cache(settings: Settings) -> Cache:
    url = settings.cache_url
    if settings.in_process_cache:
        return MemoryCache(default_ttl_s=settings.cache_ttl_s)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from tracktion.adapters.cache.redis import RedisCache

        return RedisCache(url, default_ttl_s=settings.cache_ttl_s)
    raise ConfigurationError(
        f"TRACKTION_CACHE_URL={redact_url(url)!r}: use memory:// (in-process) or redis://"
    )


async def bootstrap(
    settings: Settings,
    *,
    migrate: bool = True,
    analysis: bool = False,
    consume: Collection[str] | None = None,
    api: bool = False,
) -> App:
    """Build the app for ``settings``; ``migrate`` brings the schema up to date first.

    ``analysis`` starts the analysis service and its worker processes (scan and watch do;
    read-only commands do not). ``consume`` names the services whose subscriptions this process
    consumes (default: all of them, the embedded mode); a worker process names its one service,
    a publisher-only process (the watcher) none. The other services' queues are still declared
    on a broker, so no event published before their worker starts is lost. ``api``: this
    process serves the API (its cached reads are invalidated by catalog events; the embedded
    mode always does).
    """
    consumed = frozenset(SERVICES if consume is None else consume)
    unknown = consumed - set(SERVICES)
    if unknown:
        raise ConfigurationError(f"unknown service(s): {', '.join(sorted(unknown))}")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.effective_database_url)
    if migrate:
        await upgrade(engine)
    bus = _bus(settings, consumed)
    cache = _cache(settings)
    store = SqlCatalogStore(engine)
    events = SqlEventStore(engine)
    analyses = SqlAnalysisStore(engine)
    outbox = SqlOutbox(engine)
    relay = OutboxRelay(outbox, bus)
    catalog = CatalogService(store, analyses, relay.publish)
    metrics = PipelineMetrics()
    subscribe = _subscriber(bus, metrics)
    subscribe("catalog" in consumed, "audit", "#", events.append)
    subscribe("catalog" in consumed, CatalogService.CONSUMER, "file.*", catalog.handle)
    subscribe(
        "catalog" in consumed,
        f"{CatalogService.CONSUMER}.analysis",
        "analysis.*",
        catalog.handle_analysis,
    )
    runner = service = None
    if analysis and "analysis" in consumed:
        runner = AnalysisRunner(
            settings.analysis_workers,
            timeout_s=settings.analysis_timeout_s,
            with_tags=settings.analysis_tags,
            tempo_ranges=settings.tempo_ranges,
            on_analysed=metrics.analysis_done,
        )
        service = AnalysisService(bus, analyses, runner)
        subscribe(True, AnalysisService.CONSUMER, "catalog.track_updated", service.handle)
        subscribe(
            True, AnalysisService.REQUESTS, EventType.ANALYSIS_REQUESTED, service.handle_requests
        )
    else:
        bus.declare(AnalysisService.CONSUMER, "catalog.track_updated")
        bus.declare(AnalysisService.REQUESTS, EventType.ANALYSIS_REQUESTED)
    jobs = SqlJobStore(engine)
    if api or consume is None:
        subscribe_cache_invalidation(bus, cache)
        subscribe(True, JOB_RESULTS, "analysis.*", job_finisher(jobs))
    await bus.start()
    relay_task = relay.start()
    registry = SqlWorkerRegistry(engine)
    housekeeping = Housekeeping(store, jobs, registry).start() if "catalog" in consumed else None
    return App(
        settings=settings,
        engine=engine,
        bus=bus,
        cache=cache,
        store=store,
        events=events,
        analyses=analyses,
        outbox=outbox,
        relay=relay,
        relay_task=relay_task,
        housekeeping=housekeeping,
        workers=registry,
        users=SqlUserStore(engine),
        refresh_tokens=SqlRefreshTokenStore(engine),
        jobs=jobs,
        metrics=metrics,
        catalog=catalog,
        analysis=service,
        runner=runner,
        tracklist_store=SqlTracklistStore(engine),
    )


def _subscriber(
    bus: EventBus, metrics: PipelineMetrics
) -> Callable[[bool, str, str, EventHandler], None]:
    """``subscribe(consumed, name, pattern, handler)``: consume here, or only keep the queue.

    On a broker, a subscription this process does not consume is still declared (its durable
    queue collects events for the worker that will); the in-process bus has nothing to keep.
    """

    def subscribe(consumed: bool, name: str, pattern: str, handler: EventHandler) -> None:
        if consumed:

            async def counted(events: Sequence[Event]) -> None:
                # Log lines of the handler carry the correlation id of what it handles.
                with bound_contextvars(subscription=name, **_correlation(events)):
                    await handler(events)
                metrics.handled(name, events)

            bus.subscribe(name, pattern, counted)
            return
        bus.declare(name, pattern)

    return subscribe


def _correlation(events: Sequence[Event]) -> dict[str, object]:
    """``correlation_id`` when a batch has one, ``correlation_ids`` (up to 5) when several."""
    ids = sorted({event.correlation_id for event in events if event.correlation_id})
    if len(ids) == 1:
        return {"correlation_id": ids[0]}
    return {"correlation_ids": ids[:5]} if ids else {}
