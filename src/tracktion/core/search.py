"""Search over the library: what is asked (SearchQuery), what is found (SearchHit, SearchResults).

Three kinds of things are searched: tracks, artists (aggregated from the tracks' artist names,
with track counts) and tracklists. Scores run from 0 to 100: 100 is an exact match of a field,
90-99 a field that starts with the query, below that fuzzy (typo-tolerant) matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from tracktion.core.keys import parse_key


class SearchKind(StrEnum):
    """What a hit is."""

    TRACK = "track"
    ARTIST = "artist"
    TRACKLIST = "tracklist"


ALL_KINDS: frozenset[SearchKind] = frozenset(SearchKind)


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Restrictions ANDed with the text match.

    ``bpm_min``/``bpm_max`` and ``key`` need an analysed track: with either set, only tracks
    (and artists, counted over the matching tracks) are returned. ``genre`` matches a track's
    genre or a tracklist's styles (case/accent-insensitive substring). ``date_from``/``date_to``
    (ISO ``YYYY-MM-DD``, inclusive) match a tracklist's date and a track's year.
    """

    bpm_min: float | None = None
    bpm_max: float | None = None
    key: str | None = None
    """A key in any notation ``parse_key`` reads: ``A minor``, ``Am``, ``8A``, ``1m``."""
    genre: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def __post_init__(self) -> None:
        if self.key is not None and parse_key(self.key) is None:
            raise ValueError(f"not a musical key: {self.key!r}")
        for value in (self.date_from, self.date_to):
            if value is not None:
                date.fromisoformat(value)
        if self.bpm_min is not None and self.bpm_max is not None and self.bpm_min > self.bpm_max:
            raise ValueError(f"bpm_min {self.bpm_min} is above bpm_max {self.bpm_max}")

    @property
    def camelot(self) -> str | None:
        """The key filter as a Camelot code (``8A``), or None."""
        parsed = parse_key(self.key)
        return parsed.camelot if parsed else None

    @property
    def needs_analysis(self) -> bool:
        """True when a filter only a track's analysis can satisfy is set."""
        return self.bpm_min is not None or self.bpm_max is not None or self.key is not None

    @property
    def active(self) -> bool:
        """True when any filter is set."""
        return self.needs_analysis or any((self.genre, self.date_from, self.date_to))


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Free text (typos allowed) plus which kinds to return, how many, and filters.

    Raises ValueError for empty text, no kinds or a limit below 1.
    """

    text: str
    kinds: frozenset[SearchKind] = ALL_KINDS
    limit: int = 20
    filters: SearchFilters = field(default_factory=SearchFilters)

    def __post_init__(self) -> None:
        if not self.text or not self.text.strip():
            raise ValueError("search text is empty: give at least one character to search for")
        if not self.kinds:
            raise ValueError("no kinds to search: choose among track, artist, tracklist")
        if self.limit < 1:
            raise ValueError(f"limit must be at least 1, not {self.limit}")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One thing found: its kind, id (track/tracklist id, or the artist's name), a label."""

    kind: SearchKind
    id: str
    label: str
    score: float
    """0-100: 100 exact, 90-99 prefix, lower fuzzy."""
    fields: dict[str, Any] = field(default_factory=dict)
    """Details for display: artist/title/album/bpm/camelot for tracks, track_count for
    artists, djs/date/source for tracklists."""

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of a hit."""
        return {
            "kind": self.kind.value,
            "id": self.id,
            "label": self.label,
            "score": round(self.score, 1),
            "fields": dict(self.fields),
        }


@dataclass(frozen=True, slots=True)
class SearchResults:
    """Hits best first (score descending, then artists, tracks, tracklists, then label)."""

    query: SearchQuery
    hits: tuple[SearchHit, ...]
    took_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the results."""
        return {
            "query": self.query.text,
            "took_ms": self.took_ms,
            "hits": [hit.to_dict() for hit in self.hits],
        }
