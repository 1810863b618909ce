"""Track DTOs: the field names of ``catalog.views.track_view`` (the CLI's ``--json``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from tracktion.api.schemas.common import StrictModel
from tracktion.core.analysis import ENERGY_MAX, ENERGY_MIN, Mood
from tracktion.core.models import AudioFormat, TrackStatus
from tracktion.core.query import SortField

TRACK_ID_PATTERN = r"^[0-9a-f-]{6,36}$"
KEY_PATTERN = (
    r"^\s*(?:(?:1[0-2]|[1-9])\s*[ABabdmDM]|[A-Ga-g]\s*[#♯b♭]?\s*(?:maj(?:or)?|min(?:or)?|m|M)?)\s*$"
)
"""Camelot (8A), Open Key (1m) or a key name (A minor, Am, F#, Bbm)."""


class TagScore(BaseModel):
    """A genre or mood tag and its probability."""

    name: str
    probability: float


class Moods(BaseModel):
    """Mood tags with valence and arousal."""

    tags: list[TagScore]
    valence: float | None
    arousal: float | None


class AnalysisOut(BaseModel):
    """Everything one analysis produced, with each algorithm's own answer in ``algorithms``."""

    path: str
    sha256: str | None
    analyser_version: str
    bpm: float | None
    bpm_confidence: float
    beat_offset_s: float | None
    key: str | None
    camelot: str | None
    open_key: str | None
    key_confidence: float
    tuning_cents: float | None
    loudness_lufs: float | None
    true_peak_db: float | None
    replaygain_db: float | None
    energy: int | None
    genres: list[TagScore]
    moods: Moods
    duration_s: float | None
    sample_rate: int | None
    algorithms: dict[str, dict[str, Any]]
    needs_review: bool
    error: str | None
    warnings: list[str]


class TrackOut(BaseModel):
    """A track as a flat object (tags, audio facts, identity, status, analysis)."""

    id: str
    path: str
    status: TrackStatus
    format: AudioFormat | None
    codec: str | None
    title: str | None
    artist: str | None
    artists: list[str]
    album: str | None
    albumartist: str | None
    track_number: int | None
    track_total: int | None
    disc_number: int | None
    disc_total: int | None
    year: int | None
    date: str | None
    genre: str | None
    tagged_bpm: float | None
    tagged_key: str | None
    duration_s: float | None
    bitrate: int | None
    sample_rate: int | None
    channels: int | None
    bits_per_sample: int | None
    size: int
    mtime_ns: int
    sha256: str | None
    xxh128: str | None
    error: str | None
    warnings: list[str]
    first_seen_at: datetime
    updated_at: datetime
    missing_since: datetime | None
    analysis: AnalysisOut | None


class HistoryEntryOut(BaseModel):
    """One thing that happened to a track."""

    occurred_at: datetime
    action: str
    detail: dict[str, Any]
    event_id: str | None


class TrackDetail(TrackOut):
    """A track with its history."""

    history: list[HistoryEntryOut]


class TrackPage(BaseModel):
    """One page of tracks; pass ``next_cursor`` as ``cursor`` for the next (null: last page)."""

    items: list[TrackOut]
    next_cursor: str | None
    limit: int


class DuplicateGroupOut(BaseModel):
    """Present tracks with identical bytes."""

    sha256: str
    xxh128: str | None
    size: int
    count: int
    wasted_bytes: int
    tracks: list[TrackOut]


class TrackFilters(StrictModel):
    """Filters (ANDed), sort and page of a track list; text filters ignore case and accents."""

    q: str | None = Field(None, max_length=200, description="Title, artist, album or path")
    artist: str | None = Field(None, max_length=200)
    title: str | None = Field(None, max_length=200)
    album: str | None = Field(None, max_length=200)
    genre: str | None = Field(None, max_length=200)
    format: list[AudioFormat] = Field(default_factory=list, max_length=20)
    status: list[TrackStatus] = Field(default_factory=list, max_length=3)
    path: str | None = Field(
        None, max_length=4096, pattern="^/", description="Only tracks under this (absolute) folder"
    )
    bpm_min: float | None = Field(None, ge=0, le=1000)
    bpm_max: float | None = Field(None, ge=0, le=1000)
    key: str | None = Field(None, max_length=16, description="Analysed key: 8A, A minor, Am, 1m...")
    compatible: bool = Field(False, description="With key: also its harmonic neighbours")
    mood: list[Mood] = Field(
        default_factory=list, max_length=8, description="Most probable mood is one of these"
    )
    energy_min: int | None = Field(None, ge=ENERGY_MIN, le=ENERGY_MAX)
    energy_max: int | None = Field(None, ge=ENERGY_MIN, le=ENERGY_MAX)
    needs_review: bool | None = None
    sort: SortField = SortField.PATH
    order: Literal["asc", "desc"] = "asc"
    limit: int = Field(50, ge=1, le=500)
    cursor: str | None = Field(None, max_length=2048)

    @model_validator(mode="after")
    def _consistent(self) -> TrackFilters:
        if self.bpm_min is not None and self.bpm_max is not None and self.bpm_min > self.bpm_max:
            raise ValueError("bpm_min is above bpm_max")
        if (
            self.energy_min is not None
            and self.energy_max is not None
            and self.energy_min > self.energy_max
        ):
            raise ValueError("energy_min is above energy_max")
        if self.compatible and not self.key:
            raise ValueError("compatible needs key")
        return self
