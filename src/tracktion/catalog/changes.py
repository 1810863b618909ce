"""Translate file events into catalog changes (pure)."""

from __future__ import annotations

from tracktion.core.changes import (
    HistoryAction,
    MarkMissing,
    MoveTrack,
    RecordObservation,
    TrackChange,
)
from tracktion.core.errors import EventFormatError
from tracktion.core.events import Event, EventType
from tracktion.core.models import FileObservation, FileStat

_OBSERVATION_ACTIONS = {
    EventType.FILE_DISCOVERED: HistoryAction.DISCOVERED,
    EventType.FILE_CREATED: HistoryAction.CREATED,
    EventType.FILE_MODIFIED: HistoryAction.MODIFIED,
}


def change_for(event: Event) -> TrackChange:
    """The catalog change a ``file.*`` event asks for."""
    payload = event.payload
    try:
        if event.type in _OBSERVATION_ACTIONS:
            return RecordObservation(
                event.id,
                _OBSERVATION_ACTIONS[event.type],
                FileObservation.from_dict(payload["observation"]),
            )
        if event.type == EventType.FILE_MOVED:
            observation = payload.get("observation")
            return MoveTrack(
                event.id,
                payload["old_path"],
                FileStat(**payload["stat"]),
                FileObservation.from_dict(observation) if observation else None,
            )
        if event.type == EventType.FILE_DELETED:
            return MarkMissing(event.id, payload["path"])
    except (KeyError, TypeError, ValueError) as exc:
        raise EventFormatError(f"{event.type} event {event.id} has a bad payload: {exc!r}") from exc
    raise EventFormatError(f"not a file event: {event.type}")
