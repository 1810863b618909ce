"""AnalysisService: analyses each new content hash once, publishes analysis.completed/failed.

It consumes ``catalog.track_updated``; a hash already analysed by the current analyser version
(a moved, renamed or duplicated file) is never analysed again. :meth:`backfill` finds present
tracks without a current analysis (after a crash, or a new analyser version).
:meth:`handle_requests` consumes ``analysis.requested`` and analyses that content again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

from tracktion.core.events import Event, EventType
from tracktion.core.models import TrackStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from tracktion.core.analysis import AnalysisRecord
    from tracktion.core.ports import AnalysisStore, Analyzer, EventBus

logger = logging.getLogger(__name__)

BACKFILL_CHUNK = 256
DONE_MEMORY = 50_000
"""Content hashes this process remembers as analysed (the store is the truth beyond that)."""


class _RecentHashes:
    """A bounded set: the most recently added hashes, oldest forgotten first."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._items: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, sha256: object) -> bool:
        return sha256 in self._items

    def add(self, sha256: str) -> None:
        self._items[sha256] = None
        self._items.move_to_end(sha256)
        if len(self._items) > self._limit:
            self._items.popitem(last=False)


Causes = list[Event]
"""The events a content hash is analysed for; each gets its own result event."""


class AnalysisService:
    """Subscribe :meth:`handle` to ``catalog.track_updated``, :meth:`handle_requests` to
    ``analysis.requested``."""

    CONSUMER = "analysis"
    REQUESTS = "analysis.requests"
    """The subscription of :meth:`handle_requests`."""

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
        self._done = _RecentHashes(DONE_MEMORY)
        self.on_result = on_result

    async def handle(self, events: Sequence[Event]) -> None:
        """Analyse the new content among these track updates, all at once (the pool queues)."""
        wanted: dict[str, tuple[str, str | None, Causes]] = {}
        for event in events:
            payload = event.payload
            sha256 = payload.get("sha256")
            if payload.get("status") != TrackStatus.OK.value or not sha256:
                continue
            if sha256 not in self._done and sha256 not in wanted:
                wanted[sha256] = (payload["path"], payload.get("genre"), [event])
        if not wanted:
            return
        already = await self._store.analysed(list(wanted))
        for sha256 in already:
            self._done.add(sha256)
        jobs = {sha: job for sha, job in wanted.items() if sha not in already}
        await self._run(jobs)

    async def handle_requests(self, events: Sequence[Event]) -> None:
        """Analyse the requested content even when it was analysed before; every request gets
        its own ``analysis.completed``/``failed`` (caused by it), one analysis per hash."""
        wanted: dict[str, tuple[str, str | None, Causes]] = {}
        for event in events:
            payload = event.payload
            sha256, path = payload.get("sha256"), payload.get("path")
            if event.type != EventType.ANALYSIS_REQUESTED or not sha256 or not path:
                logger.warning("analysis skipped malformed request %s", event.id)
                continue
            wanted.setdefault(sha256, (path, payload.get("genre"), []))[2].append(event)
        await self._run(wanted)

    async def backfill(self) -> int:
        """Queue every present track whose content lacks a current analysis; returns how many."""
        missing = [item for item in await self._store.missing() if item[0] not in self._done]
        for start in range(0, len(missing), BACKFILL_CHUNK):
            await self._run(
                {
                    sha256: (
                        path,
                        genre,
                        [Event(EventType.TRACK_UPDATED, {"sha256": sha256, "path": path})],
                    )
                    for sha256, path, genre in missing[start : start + BACKFILL_CHUNK]
                }
            )
        return len(missing)

    async def _run(self, jobs: dict[str, tuple[str, str | None, Causes]]) -> None:
        if not jobs:
            return
        records = await asyncio.gather(
            *(self._analyzer.analyze(path, sha, genre) for sha, (path, genre, _) in jobs.items())
        )
        results: list[Event] = []
        for record in records:
            _, _, causes = jobs[record.sha256 or ""]
            self._done.add(record.sha256 or "")
            kind = EventType.ANALYSIS_FAILED if record.error else EventType.ANALYSIS_COMPLETED
            if record.error:
                logger.warning("analysis failed for %s: %s", record.path, record.error)
            payload = record.to_json()
            results.extend(cause.caused(kind, payload) for cause in causes)
            if self.on_result is not None:
                self.on_result(record)
        await self._bus.publish(results)
