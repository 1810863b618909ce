"""Search candidates on SQLite: FTS5 tables with the trigram tokenizer (migration 0003).

The trigram tokenizer makes ``MATCH '"daft"'`` a substring search on the folded key columns.
Tracks and tracklists are found by an index range on the folded keys (whole-key prefix) plus
an FTS match of every query word (AND: exact, prefix and substring queries; words in a great
many titles, "remix", "edit", "the"..., are not required: they only lengthen the trigram lists
to intersect, 3.3 -> 1.7 ms for a five-word title at 100k tracks), unranked: FTS5's
``ORDER BY rank`` scores every match and costs 10+ ms at 100k rows. When that gives fewer rows
than asked for, they are matched with ANY word, or either half of a word of 6+ letters: a
one-edit typo leaves one half intact (``"windowlickr"`` still contains ``"windo"``). A one-edit
typo in a short word (``"pank"``) can leave no intact trigram of that word, so artists, a
table of a few thousand names, are matched (ranked by bm25) with ANY trigram of any query
word; the caller adds the tracks and mixes of the best artists. rapidfuzz ranks the rest.

The FTS tables use ``tracks.rowid`` as external-content rowid (``tracks`` has a text primary
key); SQLite 3.40's VACUUM keeps rowids, and ``INSERT INTO tracks_fts(tracks_fts) VALUES
('rebuild')`` re-syncs the index should they ever change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from .search_sql import (
    ANALYSIS_JOIN,
    TRACK_COLUMNS,
    TRACK_FROM,
    TRACKLIST_COLUMNS,
    prefix_range,
)

if TYPE_CHECKING:
    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncConnection

    from .search_sql import Conditions

_MIN_HALF = 3
_COMMON = frozenset(
    {"remix", "mix", "edit", "original", "extended", "radio", "version", "feat", "the", "and"}
)
"""Words in so many titles that requiring them narrows nothing but costs long trigram lists."""


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _words(query: str) -> list[str]:
    return [word for word in dict.fromkeys(query.split()) if len(word) >= 3]


def _distinctive(words: list[str]) -> list[str]:
    """The words worth requiring: all but the very common ones (all of them if none is left)."""
    rare = [word for word in words if word not in _COMMON]
    return rare or words


def _any_word_terms(query: str) -> list[str]:
    """Every word of 3+ letters, and both halves of words long enough to split in two."""
    terms: list[str] = []
    for word in _words(query):
        terms.append(word)
        if len(word) >= 2 * _MIN_HALF:
            middle = len(word) // 2
            terms += [word[:middle], word[middle:]]
    return list(dict.fromkeys(terms))


def _trigrams(query: str) -> list[str]:
    grams = (word[i : i + 3] for word in _words(query) for i in range(len(word) - 2))
    return list(dict.fromkeys(grams))


class SqliteCandidates:
    """Candidate rows from the FTS5 trigram tables."""

    async def prepare(self, conn: AsyncConnection) -> None:
        """Nothing to set on SQLite."""

    async def artists(self, conn: AsyncConnection, query: str, limit: int) -> list[Row[Any]]:
        """``artist_names`` rows sharing any trigram with the query (or starting with it)."""
        grams = _trigrams(query)
        if not grams:
            low, high = prefix_range(query)
            sql = (
                "SELECT artist_key, name, track_count FROM artist_names"
                " WHERE artist_key >= :low AND artist_key < :high LIMIT :limit"
            )
            return list(await conn.execute(text(sql), {"low": low, "high": high, "limit": limit}))
        sql = (
            "SELECT n.artist_key, n.name, n.track_count"
            " FROM artist_names_fts f JOIN artist_names n ON n.id = f.rowid"
            " WHERE artist_names_fts MATCH :match ORDER BY f.rank LIMIT :limit"
        )
        match = " OR ".join(_phrase(gram) for gram in grams)
        return list(await conn.execute(text(sql), {"match": match, "limit": limit}))

    async def tracks(
        self, conn: AsyncConnection, query: str, conditions: Conditions, limit: int, want: int
    ) -> list[Row[Any]]:
        """Tracks whose artist or title starts with the query, then those containing every
        query word, else any word or word half."""
        prefixed = (
            f"SELECT {TRACK_COLUMNS} FROM {TRACK_FROM} WHERE "
            + conditions.where(
                "(t.artist_key >= :low AND t.artist_key < :high)"
                " OR (t.title_key >= :low AND t.title_key < :high)"
            )
            + " LIMIT :limit"
        )
        matched = (
            f"SELECT {TRACK_COLUMNS} FROM tracks_fts f JOIN tracks t ON t.rowid = f.rowid"
            f" {ANALYSIS_JOIN} WHERE "
            + conditions.where("tracks_fts MATCH :match")
            + " LIMIT :limit"
        )
        return await self._candidates(conn, prefixed, matched, query, conditions, limit, want)

    async def tracklists(
        self, conn: AsyncConnection, query: str, conditions: Conditions, limit: int, want: int
    ) -> list[Row[Any]]:
        """Tracklists whose title or DJs start with the query, then those containing every
        query word, else any word or word half."""
        prefixed = (
            f"SELECT {TRACKLIST_COLUMNS} FROM tracklists l WHERE "
            + conditions.where(
                "(l.title_key >= :low AND l.title_key < :high)"
                " OR (l.djs_key >= :low AND l.djs_key < :high)"
            )
            + " LIMIT :limit"
        )
        matched = (
            f"SELECT {TRACKLIST_COLUMNS} FROM tracklists_fts f"
            " JOIN tracklists l ON l.rowid = f.rowid WHERE "
            + conditions.where("tracklists_fts MATCH :match")
            + " LIMIT :limit"
        )
        return await self._candidates(conn, prefixed, matched, query, conditions, limit, want)

    async def _candidates(
        self,
        conn: AsyncConnection,
        prefixed: str,
        matched: str,
        query: str,
        conditions: Conditions,
        limit: int,
        want: int,
    ) -> list[Row[Any]]:
        """Index range on the folded keys, then unranked FTS matches (ranking every match
        with ``ORDER BY rank`` costs 10 ms and more at 100k rows; rapidfuzz ranks instead)."""
        low, high = prefix_range(query)
        params = {**conditions.params, "limit": limit, "low": low, "high": high}
        words = _words(query)
        if not words:
            return list(await conn.execute(text(prefixed), params))
        every = " ".join(_phrase(word) for word in _distinctive(words))
        both = f"SELECT * FROM ({prefixed}) UNION ALL SELECT * FROM ({matched})"
        rows = list(await conn.execute(text(both), {**params, "match": every}))
        if len(rows) >= want:
            return rows
        anyone = " OR ".join(_phrase(term) for term in _any_word_terms(query))
        if anyone == every:
            return rows
        return rows + list(await conn.execute(text(matched), {**params, "match": anyone}))
