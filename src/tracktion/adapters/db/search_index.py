"""SqlSearchIndex: the SearchIndex port over the catalog database (SQLite or PostgreSQL).

The database proposes candidates (``search_sqlite`` / ``search_postgres``), then rapidfuzz
ranks them in Python (``tracktion.tracklists.ranking``), the same way on every backend:

1. artists: names from ``artist_names`` (kept by triggers on ``tracks``), scored by name;
2. tracks: the tracks of the best-scoring artists (this is how a typo in a short artist word,
   ``"daft pank"``, still finds Daft Punk's tracks), plus text candidates; the costly fuzzy
   fallback of the backend (any word / trigram similarity) runs only when nothing else was
   found, which keeps p95 latency low at 100k tracks;
3. tracklists: those with the best artists as DJs, plus text candidates over title and DJs.

Filters apply to tracks in SQL; artist counts are then the counts of matching tracks, and a
BPM or key filter leaves tracklists out (they have neither).
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tracktion.core.errors import StorageError
from tracktion.core.search import SearchHit, SearchKind, SearchQuery, SearchResults
from tracktion.tracklists.ranking import (
    best_score,
    normalise,
    rank,
    track_score,
    tracklist_score,
)

from .search_postgres import PostgresCandidates
from .search_sql import (
    TRACK_COLUMNS,
    TRACK_FROM,
    Conditions,
    expanding,
    track_conditions,
    tracklist_conditions,
)
from .search_sqlite import SqliteCandidates

if TYPE_CHECKING:
    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

logger = logging.getLogger(__name__)

ARTIST_CANDIDATES = 50
"""Artist names fetched per query (a small table; rapidfuzz ranks them)."""
EXPANDED_ARTISTS = 2
"""How many of the best artists contribute their tracks to the track candidates."""
EXPANSION_MIN_SCORE = 75.0


class _Candidates(Protocol):
    async def prepare(self, conn: AsyncConnection) -> None: ...

    async def artists(self, conn: AsyncConnection, query: str, limit: int) -> list[Row[Any]]: ...

    async def tracks(
        self, conn: AsyncConnection, query: str, conditions: Conditions, limit: int, want: int
    ) -> list[Row[Any]]: ...

    async def tracklists(
        self, conn: AsyncConnection, query: str, conditions: Conditions, limit: int, want: int
    ) -> list[Row[Any]]: ...


class SqlSearchIndex:
    """Typo-tolerant search over the catalog's tracks, artists and tracklists."""

    def __init__(self, engine: AsyncEngine, *, candidates: int = 25) -> None:
        self._engine = engine
        self._limit = candidates
        self._source: _Candidates = (
            SqliteCandidates() if engine.dialect.name == "sqlite" else PostgresCandidates()
        )

    async def search(self, query: SearchQuery) -> SearchResults:
        """Hits best first. Raises ValueError for text without letters or digits."""
        started = time.perf_counter()
        words = normalise(query.text)
        if not words:
            raise ValueError(f"nothing to search for in {query.text!r}: no letters or digits")
        try:
            async with self._engine.connect() as conn:
                await self._source.prepare(conn)
                hits = await self._search(conn, query, words)
        except SQLAlchemyError as exc:
            raise StorageError(f"search for {query.text!r} failed: {exc}") from exc
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResults(query, rank(hits, query.limit), took_ms)

    async def _search(
        self, conn: AsyncConnection, query: SearchQuery, words: str
    ) -> list[SearchHit]:
        filters = query.filters
        conditions = track_conditions(filters)
        hits: list[SearchHit] = []
        artists = await self._artists(conn, words, conditions if filters.active else None)
        if SearchKind.ARTIST in query.kinds:
            hits += artists
        best = [a.fields["key"] for a in artists if a.score >= EXPANSION_MIN_SCORE]
        best = best[:EXPANDED_ARTISTS]
        if SearchKind.TRACK in query.kinds:
            rows = await self._tracks_of(conn, best, conditions, query.limit) if best else []
            want = 0 if rows else 1
            rows += await self._source.tracks(conn, words, conditions, self._limit, want)
            hits += _track_hits(words, rows)
        if SearchKind.TRACKLIST in query.kinds and not filters.needs_analysis:
            mixes = tracklist_conditions(filters)
            rows = []
            if best:  # mixes with the best artist as a DJ
                dj = normalise(best[0])
                rows += await self._source.tracklists(conn, dj, mixes, query.limit, 0)
            want = 0 if rows else 1
            rows += await self._source.tracklists(conn, words, mixes, self._limit, want)
            hits += _tracklist_hits(words, rows)
        return hits

    async def _artists(
        self, conn: AsyncConnection, words: str, conditions: Conditions | None
    ) -> list[SearchHit]:
        """Scored artists, best first; with filters, counted over the matching tracks only."""
        rows = await self._source.artists(conn, words, ARTIST_CANDIDATES)
        counts = {row.artist_key: (row.name, row.track_count) for row in rows}
        if conditions is not None and counts:
            placeholders, params = expanding("artist", list(counts))
            sql = (
                f"SELECT t.artist_key, count(*) FROM {TRACK_FROM} WHERE "
                + conditions.where(f"t.artist_key IN ({placeholders})")
                + " GROUP BY t.artist_key"
            )
            result = await conn.execute(text(sql), {**conditions.params, **params})
            filtered: dict[str, int] = {row[0]: row[1] for row in result}
            counts = {
                key: (name, filtered[key]) for key, (name, _) in counts.items() if key in filtered
            }
        hits = [
            SearchHit(
                SearchKind.ARTIST,
                name,
                name,
                best_score(words, ((name, 1.0),)),
                {"key": key, "track_count": count},
            )
            for key, (name, count) in counts.items()
        ]
        return list(rank(hits, len(hits)))

    async def _tracks_of(
        self, conn: AsyncConnection, artist_keys: list[str], conditions: Conditions, each: int
    ) -> list[Row[Any]]:
        placeholders, params = expanding("artist", artist_keys)
        sql = (
            f"SELECT {TRACK_COLUMNS} FROM {TRACK_FROM} WHERE "
            + conditions.where(f"t.artist_key IN ({placeholders})")
            + " LIMIT :limit"
        )
        limit = each * len(artist_keys)
        return list(await conn.execute(text(sql), {**conditions.params, **params, "limit": limit}))


def _track_hits(words: str, rows: list[Row[Any]]) -> list[SearchHit]:
    hits: dict[str, SearchHit] = {}
    for row in rows:
        if row.id in hits:
            continue
        label = " - ".join(part for part in (row.artist, row.title) if part) or row.path
        fields = {
            "artist": row.artist,
            "title": row.title,
            "album": row.album,
            "genre": row.genre,
            "year": row.year,
            "bpm": row.bpm,
            "camelot": row.camelot,
            "path": row.path,
            "status": row.status,
        }
        score = track_score(words, row.artist, row.title, row.album)
        hits[row.id] = SearchHit(SearchKind.TRACK, row.id, label, score, fields)
    return list(hits.values())


def _tracklist_hits(words: str, rows: list[Row[Any]]) -> list[SearchHit]:
    hits: dict[str, SearchHit] = {}
    for row in rows:
        if row.id in hits:
            continue
        djs = list((json.loads(row.djs) if isinstance(row.djs, str) else row.djs) or ())
        label = f"{' & '.join(djs)} - {row.title}" if djs else row.title
        fields = {
            "title": row.title,
            "djs": djs,
            "date": row.date,
            "source": row.source,
            "source_kind": row.source_kind,
        }
        score = tracklist_score(words, row.title, djs)
        hits[row.id] = SearchHit(SearchKind.TRACKLIST, row.id, label, score, fields)
    return list(hits.values())
