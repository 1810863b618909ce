"""Track queries: filters and sort order the catalog store understands."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracktion.core.analysis import Mood
    from tracktion.core.models import AudioFormat, TrackStatus


class SortField(StrEnum):
    """Columns tracks can be sorted by."""

    PATH = "path"
    TITLE = "title"
    ARTIST = "artist"
    ALBUM = "album"
    YEAR = "year"
    GENRE = "genre"
    DURATION = "duration"
    FORMAT = "format"
    ADDED = "added"
    UPDATED = "updated"
    BPM = "bpm"
    KEY = "key"
    ENERGY = "energy"


@dataclass(frozen=True, slots=True)
class TrackQuery:
    """Filters are combined with AND; text filters match case-insensitive substrings."""

    text: str | None = None
    """Matches title, artist, album or path."""
    artist: str | None = None
    title: str | None = None
    album: str | None = None
    genre: str | None = None
    formats: tuple[AudioFormat, ...] = ()
    statuses: tuple[TrackStatus, ...] = ()
    path_prefix: str | None = None
    bpm_min: float | None = None
    bpm_max: float | None = None
    camelot: tuple[str, ...] = ()
    """Analysed key in any of these Camelot codes."""
    moods: tuple[Mood, ...] = ()
    """Most probable mood in any of these."""
    energy_min: int | None = None
    energy_max: int | None = None
    needs_review: bool | None = None
    sort: SortField = SortField.PATH
    descending: bool = False
    limit: int | None = None
    offset: int = 0
