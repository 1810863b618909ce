"""Search candidates on PostgreSQL: tsvector prefix queries and pg_trgm similarity (0003).

Every query word as a prefix (``daft:* & punk:*``) against a ``simple`` tsvector of the folded
keys (expression GIN index) finds exact, prefix and word-order matches, short words included.
When that gives too few rows, pg_trgm's ``<%`` (word similarity of the query and the best
matching stretch of a folded key, GIN ``gin_trgm_ops``) finds typos, in long titles too; the
thresholds are set per transaction with
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
TEXT_WORD_SIMILARITY = 0.6
"""pg_trgm.word_similarity_threshold (the ``<%`` operator) for track and tracklist keys: how
well the query matches the best stretch of words of a title ("hollow avnue" in "hollow avenue
original mix" = 0.69, while whole-string similarity is 0.38). Typos in artist names are found
through the artists."""

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


async def _similarity(conn: AsyncConnection, threshold: float, *, word: bool = False) -> None:
    """Set ``pg_trgm.similarity_threshold`` (``%``), or the word one (``<%``) with ``word``,
    for this transaction."""
    setting = "pg_trgm.word_similarity_threshold" if word else "pg_trgm.similarity_threshold"
    await conn.execute(
        text("SELECT set_config(:setting, :value, true)"),
        {"setting": setting, "value": str(threshold)},
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
            + conditions.where(":query <% t.title_key")
            + " ORDER BY word_similarity(:query, t.title_key) DESC LIMIT :limit"
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
            + conditions.where(":query <% l.title_key OR :query <% l.djs_key")
            + " ORDER BY greatest(word_similarity(:query, l.title_key),"
            " word_similarity(:query, l.djs_key)) DESC LIMIT :limit"
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
        await _similarity(conn, TEXT_WORD_SIMILARITY, word=True)
        return rows + list(await conn.execute(text(similar), {**params, "query": query}))
