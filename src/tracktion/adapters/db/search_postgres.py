"""Search candidates on PostgreSQL: tsvector prefix queries and pg_trgm similarity (0003).

Every query word as a prefix (``daft:* & punk:*``) against a ``simple`` tsvector of the folded
keys (expression GIN index) finds exact, prefix and word-order matches, short words included.
When that gives too few rows, pg_trgm's ``%`` (trigram similarity of the whole query and a
folded key, GIN ``gin_trgm_ops``) finds typos; the thresholds are set per transaction with
``set_config(..., true)``. Artists are matched by similarity or substring. rapidfuzz ranks
whatever was found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from .search_sql import TRACK_COLUMNS, TRACK_FROM, TRACKLIST_COLUMNS

if TYPE_CHECKING:
    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncConnection

    from .search_sql import Conditions

ARTIST_SIMILARITY = 0.3
"""pg_trgm.similarity_threshold for artist names (a small table)."""
TEXT_SIMILARITY = 0.5
"""The same for track and tracklist keys: a lower one makes the GIN index recheck thousands
of rows at 100k tracks (60+ ms); typos in artist names are found through the artists."""

# These expressions must stay identical to the index expressions of migration 0003.
_TRACKS_TSVECTOR = (
    "to_tsvector('simple', coalesce(t.artist_key, '') || ' ' || coalesce(t.title_key, '')"
    " || ' ' || coalesce(t.album_key, '') || ' ' || coalesce(t.albumartist_key, '')"
    " || ' ' || coalesce(t.genre_key, ''))"
)
_TRACKLISTS_TSVECTOR = (
    "to_tsvector('simple', coalesce(l.title_key, '') || ' ' || coalesce(l.djs_key, ''))"
)


def _prefix_tsquery(query: str) -> str:
    """``daft:* & punk:*`` (the words are letters and digits only, see ``normalise``)."""
    return " & ".join(f"{word}:*" for word in dict.fromkeys(query.split()))


async def _similarity(conn: AsyncConnection, threshold: float) -> None:
    """Set ``pg_trgm.similarity_threshold`` (the ``%`` operator) for this transaction."""
    await conn.execute(
        text("SELECT set_config('pg_trgm.similarity_threshold', :value, true)"),
        {"value": str(threshold)},
    )


class PostgresCandidates:
    """Candidate rows from the tsvector and pg_trgm GIN indexes."""

    async def prepare(self, conn: AsyncConnection) -> None:
        """Nothing to prepare: thresholds are set per query."""

    async def artists(self, conn: AsyncConnection, query: str, limit: int) -> list[Row[Any]]:
        """``artist_names`` rows similar to the query, or containing it."""
        await _similarity(conn, ARTIST_SIMILARITY)
        sql = (
            "SELECT artist_key, name, track_count FROM artist_names"
            " WHERE artist_key % :query OR artist_key LIKE :contains"
            " ORDER BY similarity(artist_key, :query) DESC LIMIT :limit"
        )
        params = {"query": query, "contains": f"%{query}%", "limit": limit}
        return list(await conn.execute(text(sql), params))

    async def tracks(
        self, conn: AsyncConnection, query: str, conditions: Conditions, limit: int, want: int
    ) -> list[Row[Any]]:
        """Tracks with every query word as a prefix; when fewer than ``want``, tracks with a
        trigram-similar title. Artist typos are found through ``artists``: a GIN recheck of
        every track of similar artists costs tens of ms at 100k tracks."""
        words = (
            f"SELECT {TRACK_COLUMNS} FROM {TRACK_FROM} WHERE "
            + conditions.where(f"{_TRACKS_TSVECTOR} @@ to_tsquery('simple', :tsquery)")
            + " LIMIT :limit"
        )
        similar = (
            f"SELECT {TRACK_COLUMNS} FROM {TRACK_FROM} WHERE "
            + conditions.where("t.title_key % :query")
            + " ORDER BY similarity(t.title_key, :query) DESC LIMIT :limit"
        )
        return await self._words_then_similar(conn, words, similar, query, conditions, limit, want)

    async def tracklists(
        self, conn: AsyncConnection, query: str, conditions: Conditions, limit: int, want: int
    ) -> list[Row[Any]]:
        """Tracklists with every word as a prefix, else a trigram-similar title or DJ."""
        words = (
            f"SELECT {TRACKLIST_COLUMNS} FROM tracklists l WHERE "
            + conditions.where(f"{_TRACKLISTS_TSVECTOR} @@ to_tsquery('simple', :tsquery)")
            + " LIMIT :limit"
        )
        similar = (
            f"SELECT {TRACKLIST_COLUMNS} FROM tracklists l WHERE "
            + conditions.where("l.title_key % :query OR l.djs_key % :query")
            + " ORDER BY greatest(similarity(l.title_key, :query),"
            " similarity(l.djs_key, :query)) DESC LIMIT :limit"
        )
        return await self._words_then_similar(conn, words, similar, query, conditions, limit, want)

    async def _words_then_similar(
        self,
        conn: AsyncConnection,
        words: str,
        similar: str,
        query: str,
        conditions: Conditions,
        limit: int,
        want: int,
    ) -> list[Row[Any]]:
        params = {**conditions.params, "limit": limit}
        rows = list(await conn.execute(text(words), {**params, "tsquery": _prefix_tsquery(query)}))
        if len(rows) >= want:
            return rows
        await _similarity(conn, TEXT_SIMILARITY)
        return rows + list(await conn.execute(text(similar), {**params, "query": query}))
