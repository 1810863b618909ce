"""Core models -> DTOs (via ``catalog.views``, so the API and the CLI agree on field names)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tracktion.api.schemas.status import EventOut
from tracktion.api.schemas.tracks import (
    DuplicateGroupOut,
    HistoryEntryOut,
    TrackDetail,
    TrackOut,
)
from tracktion.catalog.views import duplicate_group_view, history_view, track_view
from tracktion.core.query import SortField

if TYPE_CHECKING:
    from tracktion.core.events import Event
    from tracktion.core.models import DuplicateGroup, Track, TrackHistoryEntry


def text(value: str) -> str:
    """Valid Unicode for JSON: undecodable path bytes become ``\\xNN`` escapes."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _view(track: Track) -> dict[str, Any]:
    view = track_view(track)
    view["path"] = text(view["path"])
    if view["analysis"] is not None:
        view["analysis"]["path"] = text(view["analysis"]["path"])
    return view


def track_out(track: Track) -> TrackOut:
    """A track as its DTO."""
    return TrackOut.model_validate(_view(track))


def track_detail(track: Track, history: list[TrackHistoryEntry]) -> TrackDetail:
    """A track with its history."""
    return TrackDetail.model_validate(
        {**_view(track), "history": [history_view(entry) for entry in history]}
    )


def history_out(entry: TrackHistoryEntry) -> HistoryEntryOut:
    """One history entry."""
    return HistoryEntryOut.model_validate(history_view(entry))


def duplicate_group_out(group: DuplicateGroup) -> DuplicateGroupOut:
    """A duplicate group."""
    view = duplicate_group_view(group)
    view["tracks"] = [_view(track) for track in group.tracks]
    return DuplicateGroupOut.model_validate(view)


def event_out(event: Event) -> EventOut:
    """An event envelope."""
    return EventOut.model_validate(event.to_dict())


def sort_value(track: Track, field: SortField) -> str | int | float | None:
    """The value ``track`` is sorted by under ``field`` (for cursors)."""
    tags, audio, analysis = track.observation.tags, track.observation.audio, track.analysis
    fmt = track.observation.format
    values: dict[SortField, Any] = {
        SortField.PATH: text(track.path),
        SortField.TITLE: tags.title,
        SortField.ARTIST: tags.artist,
        SortField.ALBUM: tags.album,
        SortField.YEAR: tags.year,
        SortField.GENRE: tags.genre,
        SortField.DURATION: audio.duration_s,
        SortField.FORMAT: fmt.value if fmt else None,
        SortField.ADDED: track.first_seen_at.isoformat(),
        SortField.UPDATED: track.updated_at.isoformat(),
        SortField.BPM: analysis.bpm if analysis else None,
        SortField.KEY: analysis.camelot if analysis else None,
        SortField.ENERGY: analysis.energy if analysis else None,
    }
    return values[field]  # type: ignore[no-any-return]
