"""Tracklist DTOs: the import request, list pages and a tracklist with its library matches."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from tracktion.api.schemas.common import StrictModel
from tracktion.core.tracklist import CuePrecision, EntryKind

TRACKLIST_ID_PATTERN = r"^[0-9a-f-]{6,36}$"
MAX_TEXT_CHARS = 500_000
TracklistFormat = Literal["1001tracklists", "mixesdb", "text"]


class TracklistImportIn(StrictModel):
    """Where the tracklist comes from: ``source`` (a URL on the allow-list, or a file inside
    the library roots) or ``text`` (the tracklist itself). ``format`` forces the parser."""

    source: str | None = Field(
        default=None,
        min_length=1,
        max_length=4096,
        examples=["https://www.1001tracklists.com/tracklist/2hjnqr0t/bicep-nts-radio.html"],
    )
    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_CHARS)
    format: TracklistFormat | None = None
    title: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        description="With ``text``: the mix's title when the text has no header line.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> TracklistImportIn:
        if (self.source is None) == (self.text is None):
            raise ValueError("give either source (URL or file path) or text, not both")
        if self.title is not None and self.text is None:
            raise ValueError("title goes with text (a source names its own tracklist)")
        return self


class TracklistSummaryOut(BaseModel):
    """A stored tracklist without its entries."""

    id: str
    title: str
    djs: list[str]
    date: str | None
    source: str | None
    source_kind: str
    duration_s: float | None
    styles: list[str]


class TracklistPage(BaseModel):
    """Stored tracklists, newest first; ``next_offset`` is None on the last page."""

    items: list[TracklistSummaryOut]
    limit: int
    offset: int
    next_offset: int | None


class EntryOut(BaseModel):
    """One row of a tracklist (``w/`` rows and mashup parts share their parent's position)."""

    position: int
    kind: EntryKind
    cue_s: float | None
    cue_precision: CuePrecision
    artists: list[str]
    title: str | None
    remix: str | None
    label: str | None
    catalog_number: str | None
    featured: list[str]
    unconfirmed: bool
    section: str | None
    note: str | None
    raw: str


class MatchedTrackOut(BaseModel):
    """The library track an entry matched."""

    artist: str | None
    title: str | None
    path: str


class MatchOut(BaseModel):
    """An entry's library match (``ordinal`` = index in ``entries``)."""

    ordinal: int
    track_id: str | None
    score: float | None
    reason: str = Field(examples=["matched", "not identified", "not in the library"])
    track: MatchedTrackOut | None


class CoverageOut(BaseModel):
    """How much of the mix the library holds."""

    identified: int
    matched: int
    ratio: float
    matched_s: float | None
    timed_s: float | None


class TracklistOut(TracklistSummaryOut):
    """A tracklist with its entries, their library matches (one per entry) and the coverage."""

    entries: list[EntryOut]
    matches: list[MatchOut]
    coverage: CoverageOut
