"""CatalogService: consumes file events, keeps tracks, announces updates and duplicates."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from tracktion.catalog.changes import change_for
from tracktion.core.analysis import AnalysisRecord
from tracktion.core.errors import EventFormatError
from tracktion.core.events import Event, EventType
from tracktion.core.models import Track, TrackStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracktion.core.ports import AnalysisStore, CatalogStore, EventBus

logger = logging.getLogger(__name__)


class CatalogService:
    """Subscribe :meth:`handle` to ``file.*``; it is idempotent per event id."""

    CONSUMER = "catalog"

    def __init__(self, store: CatalogStore, analyses: AnalysisStore, bus: EventBus) -> None:
        self._store = store
        self._analyses = analyses
        self._bus = bus

    async def handle_analysis(self, events: Sequence[Event]) -> None:
        """Keep ``analysis.completed`` / ``analysis.failed`` results (idempotent per hash)."""
        records = []
        for event in events:
            try:
                records.append(AnalysisRecord.from_json(event.payload))
            except (KeyError, TypeError, ValueError):
                logger.exception("catalog skipped malformed analysis event %s", event.id)
        await self._analyses.save(records)

    async def handle(self, events: Sequence[Event]) -> None:
        """Apply a batch of file events in one transaction, then publish what changed."""
        changes = []
        for event in events:
            try:
                changes.append(change_for(event))
            except EventFormatError:
                logger.exception("catalog skipped malformed event %s", event.id)
        tracks = await self._store.apply(self.CONSUMER, changes)
        if not tracks:
            return
        cause_by_path = {event.payload.get("path"): event for event in events}
        first = events[0]
        updates = [
            cause_by_path.get(t.path, first).caused(EventType.TRACK_UPDATED, _track_summary(t))
            for t in tracks
        ]
        shas = [
            t.observation.fingerprint.sha256
            for t in tracks
            if t.status == TrackStatus.OK and t.observation.fingerprint
        ]
        groups = await self._store.duplicates(shas) if shas else []
        found = [
            first.caused(
                EventType.DUPLICATE_FOUND,
                {
                    "sha256": group.sha256,
                    "track_ids": [t.id for t in group.tracks],
                    "paths": [t.path for t in group.tracks],
                },
            )
            for group in groups
        ]
        await self._bus.publish([*updates, *found])


def _track_summary(track: Track) -> dict[str, object]:
    fingerprint = track.observation.fingerprint
    return {
        "track_id": track.id,
        "path": track.path,
        "status": track.status.value,
        "sha256": fingerprint.sha256 if fingerprint else None,
        "xxh128": fingerprint.xxh128 if fingerprint else None,
        "format": track.observation.format.value if track.observation.format else None,
        "genre": track.observation.tags.genre,
    }
