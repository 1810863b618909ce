"""AnalysisService: analyses each new content hash once, publishes analysis.completed/failed.

It consumes ``catalog.track_updated``; a hash already analysed by the current analyser version
(a moved, renamed or duplicated file) is never analysed again. :meth:`backfill` finds present
tracks without a current analysis (after a crash, or a new analyser version).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from tracktion.core.events import Event, EventType
from tracktion.core.models import TrackStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from tracktion.core.analysis import AnalysisRecord
    from tracktion.core.ports import AnalysisStore, Analyzer, EventBus

logger = logging.getLogger(__name__)

BACKFILL_CHUNK = 256


class AnalysisService:
    """Subscribe :meth:`handle` to ``catalog.track_updated``."""

    CONSUMER = "analysis"

    def __init__(
        self,
        bus: EventBus,
        store: AnalysisStore,
        analyzer: Analyzer,
        *,
        on_result: Callable[[AnalysisRecord], None] | None = None,
    ) -> None:
        self._bus = bus
        self._store = store
        self._analyzer = analyzer
        self._done: set[str] = set()
        self.on_result = on_result

    async def handle(self, events: Sequence[Event]) -> None:
        """Analyse the new content among these track updates, all at once (the pool queues)."""
        wanted: dict[str, tuple[str, str | None, Event]] = {}
        for event in events:
            payload = event.payload
            sha256 = payload.get("sha256")
            if payload.get("status") != TrackStatus.OK.value or not sha256:
                continue
            if sha256 not in self._done and sha256 not in wanted:
                wanted[sha256] = (payload["path"], payload.get("genre"), event)
        if not wanted:
            return
        already = await self._store.analysed(list(wanted))
        self._done.update(already)
        jobs = {sha: job for sha, job in wanted.items() if sha not in already}
        await self._run(jobs)

    async def backfill(self) -> int:
        """Queue every present track whose content lacks a current analysis; returns how many."""
        missing = [item for item in await self._store.missing() if item[0] not in self._done]
        for start in range(0, len(missing), BACKFILL_CHUNK):
            await self._run(
                {
                    sha256: (
                        path,
                        genre,
                        Event(EventType.TRACK_UPDATED, {"sha256": sha256, "path": path}),
                    )
                    for sha256, path, genre in missing[start : start + BACKFILL_CHUNK]
                }
            )
        return len(missing)

    async def _run(self, jobs: dict[str, tuple[str, str | None, Event]]) -> None:
        if not jobs:
            return
        records = await asyncio.gather(
            *(self._analyzer.analyze(path, sha, genre) for sha, (path, genre, _) in jobs.items())
        )
        results = []
        for record in records:
            _, _, cause = jobs[record.sha256 or ""]
            self._done.add(record.sha256 or "")
            kind = EventType.ANALYSIS_FAILED if record.error else EventType.ANALYSIS_COMPLETED
            if record.error:
                logger.warning("analysis failed for %s: %s", record.path, record.error)
            results.append(cause.caused(kind, record.to_json()))
            if self.on_result is not None:
                self.on_result(record)
        await self._bus.publish(results)
