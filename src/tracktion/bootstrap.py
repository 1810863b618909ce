"""Composition root: Settings -> adapters -> services -> bus subscriptions.

The only module that imports adapters. Everything is built inside :func:`bootstrap`, never at
import time, so tests pass their own settings (or fakes) through the same root.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracktion.adapters.bus.inprocess import InProcessBus
from tracktion.adapters.cache.memory import MemoryCache
from tracktion.adapters.db.analysis_store import SqlAnalysisStore
from tracktion.adapters.db.catalog_store import SqlCatalogStore
from tracktion.adapters.db.engine import create_engine, schema_state, upgrade
from tracktion.adapters.db.event_store import SqlEventStore
from tracktion.analysis.runner import AnalysisRunner
from tracktion.analysis.service import AnalysisService
from tracktion.catalog.service import CatalogService
from tracktion.core.errors import ConfigurationError
from tracktion.watcher.live import LiveWatcher
from tracktion.watcher.scanner import Scanner

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

    from tracktion.config import Settings
    from tracktion.watcher.file_events import FileIndex


logger = logging.getLogger(__name__)


@dataclass
class App:
    """The wired application: ports, services and the settings they were built from."""

    settings: Settings
    engine: AsyncEngine
    bus: InProcessBus
    cache: MemoryCache
    store: SqlCatalogStore
    events: SqlEventStore
    analyses: SqlAnalysisStore
    catalog: CatalogService
    analysis: AnalysisService | None
    runner: AnalysisRunner | None

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

    async def schema_state(self) -> tuple[str | None, str]:
        """(database revision, newest shipped revision)."""
        return await schema_state(self.engine)

    async def close(self) -> None:
        """Let in-flight events finish, then release everything."""
        await self.bus.wait_idle()
        await self.bus.close()
        if self.runner is not None:
            await self.runner.close()
        await self.engine.dispose()


async def bootstrap(settings: Settings, *, migrate: bool = True, analysis: bool = False) -> App:
    """Build the app for ``settings``; ``migrate`` brings the schema up to date first.

    ``analysis`` starts the analysis service and its worker processes (scan and watch do;
    read-only commands do not).
    """
    if settings.bus_url != "memory://":
        raise ConfigurationError(
            f"TRACKTION_BUS_URL={settings.bus_url!r}: "
            "only the in-process bus (memory://) exists yet"
        )
    if settings.cache_url != "memory://":
        raise ConfigurationError(
            f"TRACKTION_CACHE_URL={settings.cache_url!r}: "
            "only the memory cache (memory://) exists yet"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.effective_database_url)
    if migrate:
        await upgrade(engine)
    bus = InProcessBus()
    store = SqlCatalogStore(engine)
    events = SqlEventStore(engine)
    analyses = SqlAnalysisStore(engine)
    catalog = CatalogService(store, analyses, bus)
    bus.subscribe("audit", "#", events.append)
    bus.subscribe(CatalogService.CONSUMER, "file.*", catalog.handle)
    bus.subscribe(f"{CatalogService.CONSUMER}.analysis", "analysis.*", catalog.handle_analysis)
    runner = service = None
    if analysis:
        runner = AnalysisRunner(
            settings.analysis_workers,
            timeout_s=settings.analysis_timeout_s,
            with_tags=settings.analysis_tags,
            tempo_ranges=settings.tempo_ranges,
        )
        service = AnalysisService(bus, analyses, runner)
        bus.subscribe(AnalysisService.CONSUMER, "catalog.track_updated", service.handle)
    await bus.start()
    return App(
        settings=settings,
        engine=engine,
        bus=bus,
        cache=MemoryCache(default_ttl_s=settings.cache_ttl_s),
        store=store,
        events=events,
        analyses=analyses,
        catalog=catalog,
        analysis=service,
        runner=runner,
    )
