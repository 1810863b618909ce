"""Search DTOs: the query string of ``GET /api/v1/search`` and the ranked hits."""

from __future__ import annotations

from datetime import date  # noqa: TC003 - pydantic resolves the annotation at runtime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from tracktion.api.schemas.common import StrictModel
from tracktion.api.schemas.tracks import KEY_PATTERN
from tracktion.core.search import SearchKind

MAX_LIMIT = 100


class SearchParams(StrictModel):
    """Free text (typos allowed), the kinds to return and filters ANDed with the text."""

    q: str = Field(min_length=1, max_length=200, description="What to look for; typos are fine.")
    kind: list[SearchKind] = Field(
        default_factory=list,
        max_length=3,
        description="Repeat to choose several kinds; none means all (track, artist, tracklist).",
    )
    bpm_min: float | None = Field(default=None, ge=0, le=1000)
    bpm_max: float | None = Field(default=None, ge=0, le=1000)
    key: str | None = Field(
        default=None, max_length=16, pattern=KEY_PATTERN, description="8A, A minor, Am, 1m"
    )
    genre: str | None = Field(
        default=None, min_length=1, max_length=100, description="Genre or tracklist style contains."
    )
    date_from: date | None = Field(default=None, description="Tracklist date / track year from.")
    date_to: date | None = Field(default=None, description="Tracklist date / track year to.")
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)

    @model_validator(mode="after")
    def _ranges(self) -> SearchParams:
        if self.bpm_min is not None and self.bpm_max is not None and self.bpm_min > self.bpm_max:
            raise ValueError("bpm_min is above bpm_max")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self


class SearchHitOut(BaseModel):
    """One thing found; ``id`` is a track or tracklist id, or the artist's name."""

    kind: SearchKind
    id: str
    label: str
    score: float = Field(description="0-100: 100 exact, 90-99 prefix, lower fuzzy.")
    fields: dict[str, Any] = Field(
        description="artist/title/album/genre/year/bpm/camelot/path/status for tracks, "
        "track_count for artists, title/djs/date/source/source_kind for tracklists."
    )


class SearchOut(BaseModel):
    """Hits best first."""

    query: str
    took_ms: float | None
    hits: list[SearchHitOut]
