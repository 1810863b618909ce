"""CatalogService: consumes file events, keeps tracks, announces updates and duplicates."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from tracktion.catalog.changes import change_for
from tracktion.core.analysis import AnalysisRecord
from tracktion.core.errors import EventFormatError
from tracktion.core.events import Event, EventType

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from tracktion.core.models import DuplicateGroup, Track
    from tracktion.core.ports import AnalysisStore, CatalogStore

logger = logging.getLogger(__name__)
_RESULTS = frozenset({EventType.ANALYSIS_COMPLETED, EventType.ANALYSIS_FAILED})


class CatalogService:
    """Subscribe :meth:`handle` to ``file.*``; it is idempotent per event id.

    What a batch changes and the events it causes (``catalog.track_updated``,
    ``catalog.duplicate_found``) commit together through the store's outbox; ``publish`` (the
    outbox relay's) then sends them, and the relay's sweep sends them if this process dies first.
    """

    CONSUMER = "catalog"

    def __init__(
        self,
        store: CatalogStore,
        analyses: AnalysisStore,
        publish: Callable[[Sequence[Event]], Awaitable[object]],
    ) -> None:
        self._store = store
        self._analyses = analyses
        self._publish = publish

    async def handle_analysis(self, events: Sequence[Event]) -> None:
        """Keep ``analysis.completed`` / ``analysis.failed`` results (idempotent per hash);
        other ``analysis.*`` events (``analysis.requested``) carry no result and are passed by."""
        records = []
        for event in events:
            if event.type not in _RESULTS:
                continue
            try:
                records.append(AnalysisRecord.from_json(event.payload))
            except (KeyError, TypeError, ValueError):
                logger.exception("catalog skipped malformed analysis event %s", event.id)
        await self._analyses.save(records)

    async def handle(self, events: Sequence[Event]) -> None:
        """Apply a batch of file events in one transaction, then publish what it caused."""
        changes = []
        for event in events:
            try:
                changes.append(change_for(event))
            except EventFormatError:
                logger.exception("catalog skipped malformed event %s", event.id)
        announced: list[Event] = []

        def announce(tracks: Sequence[Track], groups: Sequence[DuplicateGroup]) -> list[Event]:
            announced[:] = _announcements(events, tracks, groups)
            return announced

        await self._store.apply(self.CONSUMER, changes, announce)
        await self._publish(announced)


def _announcements(
    causes: Sequence[Event], tracks: Sequence[Track], groups: Sequence[DuplicateGroup]
) -> list[Event]:
    """One ``track_updated`` per touched track (caused by its file event), one
    ``duplicate_found`` per group."""
    cause_by_path = {event.payload.get("path"): event for event in causes}
    first = causes[0]
    updates = [
        cause_by_path.get(t.path, first).caused(EventType.TRACK_UPDATED, _track_summary(t))
        for t in tracks
    ]
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
    return [*updates, *found]


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
