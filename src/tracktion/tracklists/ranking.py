"""Ranking of search candidates: typo-tolerant scores from 0 to 100 (pure, rapidfuzz).

Databases only propose candidates (trigram FTS5 or pg_trgm); this module decides the order,
the same way on every backend. Text is folded (case, accents: ``"Beyoncé"`` = ``"beyonce"``)
and reduced to words of letters and digits. A field then scores:

- 100 when it equals the query;
- 90-99 when it starts with the query (longer coverage scores higher);
- 80-89 when every query word starts a word of the field (``"punk daft"``, ``"aphex tw"``);
- otherwise rapidfuzz's WRatio (edit distance, partial and token ratios) scaled to 0-89, so
  one-edit typos (``"daft pank"``) score in the high 70s and unrelated text far lower, and a
  closer name always outscores a farther one.

A hit scores its best field times the field's weight. Hits are ordered by score, then kind
(artist, track, tracklist), then for artists by track count, then by label.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from tracktion.core.search import SearchHit, SearchKind
from tracktion.core.text import fold

if TYPE_CHECKING:
    from collections.abc import Iterable

MIN_SCORE = 50.0
"""Hits scoring below this are dropped: they share little more than a few letters."""
FUZZY_SCALE = 0.89
"""WRatio (0-100) is scaled by this: a fuzzy match never reaches the prefix tiers."""
_FUZZY_CUTOFF = MIN_SCORE / FUZZY_SCALE
_KIND_ORDER = {SearchKind.ARTIST: 0, SearchKind.TRACK: 1, SearchKind.TRACKLIST: 2}


@lru_cache(maxsize=65_536)
def normalise(text: str | None) -> str:
    """Folded letters-and-digits words: ``"Beyoncé!  Live"`` -> ``"beyonce live"``."""
    if not text:
        return ""
    return " ".join(default_process(fold(text) or "").split())


@lru_cache(maxsize=16_384)
def field_score(query: str, value: str) -> float:
    """How well a normalised field matches a normalised query (0-100)."""
    if not query or not value:
        return 0.0
    if value == query:
        return 100.0
    if value.startswith(query):
        return 90.0 + 9.0 * len(query) / len(value)
    spaced = f" {value}"
    if all(f" {part}" in spaced for part in query.split()):
        return 80.0 + 9.0 * len(query) / len(value)
    return float(fuzz.WRatio(query, value, score_cutoff=_FUZZY_CUTOFF)) * FUZZY_SCALE


def best_score(query: str, fields: Iterable[tuple[str | None, float]]) -> float:
    """The best weighted score over ``(text, weight)`` pairs, for a normalised query."""
    best = 0.0
    for text, weight in fields:
        if weight * 100.0 <= best:
            continue
        value = normalise(text)
        if value:
            best = max(best, field_score(query, value) * weight)
    return best


def track_score(query: str, artist: str | None, title: str | None, album: str | None) -> float:
    """A track's score: its artist, title, ``artist title`` together (for queries of several
    words), or (a little less) its album."""
    both = f"{artist or ''} {title or ''}" if " " in query else None
    return best_score(query, ((artist, 1.0), (title, 1.0), (both, 1.0), (album, 0.9)))


def tracklist_score(query: str, title: str, djs: Iterable[str]) -> float:
    """A tracklist's score: its title, any DJ, or the DJs and title together."""
    names = list(djs)
    both = f"{' '.join(names)} {title}"
    return best_score(query, [(title, 1.0), (both, 1.0), *((name, 0.95) for name in names)])


def rank(hits: Iterable[SearchHit], limit: int) -> tuple[SearchHit, ...]:
    """The best ``limit`` hits scoring at least :data:`MIN_SCORE`, best first."""
    kept = [hit for hit in hits if hit.score >= MIN_SCORE]
    kept.sort(
        key=lambda hit: (
            -hit.score,
            _KIND_ORDER[hit.kind],
            -int(hit.fields.get("track_count") or 0),
            hit.label.casefold(),
            hit.id,
        )
    )
    return tuple(kept[:limit])
