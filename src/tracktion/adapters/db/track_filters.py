"""Translate a TrackQuery into a SELECT on ``tracks`` (portable SQL, folded text columns)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select

from tracktion.core.analysis import ANALYSER_VERSION
from tracktion.core.query import SortField, TrackQuery
from tracktion.core.text import fold

from .rows import path_key
from .schema import analyses, tracks

_SORT_COLUMNS: dict[SortField, Any] = {
    SortField.PATH: tracks.c.path,
    SortField.TITLE: tracks.c.title_key,
    SortField.ARTIST: tracks.c.artist_key,
    SortField.ALBUM: tracks.c.album_key,
    SortField.YEAR: tracks.c.year,
    SortField.GENRE: tracks.c.genre_key,
    SortField.DURATION: tracks.c.duration_s,
    SortField.FORMAT: tracks.c.format,
    SortField.ADDED: tracks.c.first_seen_at,
    SortField.UPDATED: tracks.c.updated_at,
    SortField.BPM: analyses.c.bpm,
    SortField.KEY: analyses.c.camelot,
    SortField.ENERGY: analyses.c.energy,
}


def track_select() -> Select[Any]:
    """``tracks`` with the current analysis of each track's content (column ``analysis_record``)."""
    joined = tracks.outerjoin(
        analyses,
        and_(
            analyses.c.sha256 == tracks.c.sha256,
            analyses.c.analyser_version == ANALYSER_VERSION,
        ),
    )
    return select(tracks, analyses.c.record.label("analysis_record")).select_from(joined)


def _contains(term: str) -> str:
    folded = fold(term) or ""
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(columns: tuple[Any, ...], term: str) -> ColumnElement[bool]:
    pattern = _contains(term)
    return or_(*(column.like(pattern, escape="\\") for column in columns))


def build(query: TrackQuery) -> Select[Any]:
    """The SELECT for ``query``: filters ANDed, sorted (nulls last), then by path."""
    statement = track_select()
    if query.bpm_min is not None:
        statement = statement.where(analyses.c.bpm >= query.bpm_min)
    if query.bpm_max is not None:
        statement = statement.where(analyses.c.bpm <= query.bpm_max)
    if query.camelot:
        statement = statement.where(analyses.c.camelot.in_(query.camelot))
    if query.moods:
        statement = statement.where(analyses.c.mood.in_([mood.value for mood in query.moods]))
    if query.energy_min is not None:
        statement = statement.where(analyses.c.energy >= query.energy_min)
    if query.energy_max is not None:
        statement = statement.where(analyses.c.energy <= query.energy_max)
    if query.needs_review is not None:
        statement = statement.where(analyses.c.needs_review.is_(query.needs_review))
    if query.text:
        statement = statement.where(
            or_(
                _matches((tracks.c.title_key, tracks.c.artist_key, tracks.c.album_key), query.text),
                tracks.c.path.like(f"%{query.text}%"),
            )
        )
    if query.artist:
        statement = statement.where(
            _matches((tracks.c.artist_key, tracks.c.albumartist_key), query.artist)
        )
    if query.title:
        statement = statement.where(_matches((tracks.c.title_key,), query.title))
    if query.album:
        statement = statement.where(_matches((tracks.c.album_key,), query.album))
    if query.genre:
        statement = statement.where(_matches((tracks.c.genre_key,), query.genre))
    if query.formats:
        statement = statement.where(tracks.c.format.in_([fmt.value for fmt in query.formats]))
    if query.statuses:
        statement = statement.where(
            tracks.c.status.in_([status.value for status in query.statuses])
        )
    if query.path_prefix:
        prefix = path_key(query.path_prefix.rstrip("/") + "/")
        upper = prefix[:-1] + bytes([prefix[-1] + 1])
        statement = statement.where(tracks.c.path_bytes >= prefix, tracks.c.path_bytes < upper)
    column = _SORT_COLUMNS[query.sort]
    order = column.desc() if query.descending else column.asc()
    statement = statement.order_by(column.is_(None), order, tracks.c.path)
    if query.limit is not None:
        statement = statement.limit(query.limit)
    return statement.offset(query.offset) if query.offset else statement
