"""SQL pieces the search backends share: candidate columns, joins and filter conditions.

Search queries are written as SQL text (both dialects run these pieces as written); each
backend adds its own text-matching condition (FTS5 MATCH on SQLite, pg_trgm / tsvector on
PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from tracktion.core.analysis import ANALYSER_VERSION
from tracktion.core.text import fold

if TYPE_CHECKING:
    from tracktion.core.search import SearchFilters

TRACK_COLUMNS = (
    "t.id, t.artist, t.artist_key, t.title, t.album, t.genre, t.year, t.path, t.status,"
    " a.bpm, a.camelot"
)
ANALYSIS_JOIN = (
    "LEFT JOIN analyses a ON a.sha256 = t.sha256 AND a.analyser_version = :analyser_version"
)
TRACK_FROM = f"tracks t {ANALYSIS_JOIN}"
TRACKLIST_COLUMNS = "l.id, l.title, l.djs, l.date, l.source, l.source_kind"


@dataclass(frozen=True, slots=True)
class Conditions:
    """SQL conditions (ANDed) with their bind parameters."""

    clauses: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    def where(self, *extra: str) -> str:
        """``" AND ".join`` of the extra clauses and these ones (``"1 = 1"`` when none)."""
        parts = [*extra, *self.clauses]
        return " AND ".join(f"({part})" for part in parts) if parts else "1 = 1"


def _contains(text: str) -> str:
    folded = fold(text) or ""
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def track_conditions(filters: SearchFilters) -> Conditions:
    """Filters on a track row (``t``) and its current analysis (``a``)."""
    clauses: list[str] = []
    params: dict[str, Any] = {"analyser_version": ANALYSER_VERSION}
    if filters.bpm_min is not None:
        clauses.append("a.bpm >= :bpm_min")
        params["bpm_min"] = filters.bpm_min
    if filters.bpm_max is not None:
        clauses.append("a.bpm <= :bpm_max")
        params["bpm_max"] = filters.bpm_max
    if filters.camelot is not None:
        clauses.append("a.camelot = :camelot")
        params["camelot"] = filters.camelot
    if filters.genre:
        clauses.append("t.genre_key LIKE :genre ESCAPE '\\'")
        params["genre"] = _contains(filters.genre)
    if filters.date_from:
        clauses.append("t.year >= :year_from")
        params["year_from"] = date.fromisoformat(filters.date_from).year
    if filters.date_to:
        clauses.append("t.year <= :year_to")
        params["year_to"] = date.fromisoformat(filters.date_to).year
    return Conditions(tuple(clauses), params)


def tracklist_conditions(filters: SearchFilters) -> Conditions:
    """Filters on a tracklist row (``l``): styles contain the genre, date within range."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if filters.genre:
        clauses.append("l.styles_key LIKE :genre ESCAPE '\\'")
        params["genre"] = _contains(filters.genre)
    if filters.date_from:
        clauses.append("l.date >= :date_from")
        params["date_from"] = filters.date_from
    if filters.date_to:
        clauses.append("l.date <= :date_to")
        params["date_to"] = filters.date_to
    return Conditions(tuple(clauses), params)


def prefix_range(prefix: str) -> tuple[str, str]:
    """``[low, high)`` bounds of the strings starting with ``prefix`` (index-friendly)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def expanding(name: str, values: list[str]) -> tuple[str, dict[str, Any]]:
    """``:name_0, :name_1, ...`` placeholders and their parameters, for ``IN (...)``."""
    params = {f"{name}_{i}": value for i, value in enumerate(values)}
    return ", ".join(f":{key}" for key in params), params
