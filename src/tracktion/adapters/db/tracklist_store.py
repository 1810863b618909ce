"""SqlTracklistStore: the TracklistStore port over SQLAlchemy (SQLite or PostgreSQL)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from tracktion.core.errors import NotFoundError, StorageError
from tracktion.core.ids import new_id
from tracktion.core.text import fold
from tracktion.core.tracklist import CuePrecision, EntryKind, Tracklist, TracklistEntry

from .schema import tracklist_entries, tracklists

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

_ID_PART = re.compile(r"^[0-9a-f-]{6,36}$")
_KEY_SEPARATOR = " / "


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _tracklist_values(tracklist: Tracklist) -> dict[str, Any]:
    return {
        "title": tracklist.title,
        "djs": list(tracklist.djs),
        "date": tracklist.date,
        "source": tracklist.source,
        "source_kind": tracklist.source_kind,
        "duration_s": tracklist.duration_s,
        "styles": list(tracklist.styles),
        "title_key": fold(tracklist.title),
        "djs_key": fold(_KEY_SEPARATOR.join(tracklist.djs)) or None,
        "styles_key": fold(_KEY_SEPARATOR.join(tracklist.styles)) or None,
    }


def _entry_row(tracklist_id: str, ordinal: int, entry: TracklistEntry) -> dict[str, Any]:
    return {
        "tracklist_id": tracklist_id,
        "ordinal": ordinal,
        "position": entry.position,
        "kind": entry.kind.value,
        "cue_s": entry.cue_s,
        "cue_precision": entry.cue_precision.value,
        "artists": list(entry.artists),
        "title": entry.title,
        "remix": entry.remix,
        "label": entry.label,
        "catalog_number": entry.catalog_number,
        "featured": list(entry.featured),
        "unconfirmed": entry.unconfirmed,
        "section": entry.section,
        "note": entry.note,
        "raw": entry.raw,
        "artist_key": fold(" & ".join(entry.artists)) or None,
        "title_key": fold(entry.title),
        "matched_track_id": None,
        "match_score": None,
    }


def _row_to_entry(row: Mapping[Any, Any]) -> TracklistEntry:
    return TracklistEntry(
        position=row["position"],
        kind=EntryKind(row["kind"]),
        cue_s=row["cue_s"],
        cue_precision=CuePrecision(row["cue_precision"]),
        artists=tuple(row["artists"] or ()),
        title=row["title"],
        remix=row["remix"],
        label=row["label"],
        catalog_number=row["catalog_number"],
        featured=tuple(row["featured"] or ()),
        unconfirmed=bool(row["unconfirmed"]),
        section=row["section"],
        note=row["note"],
        raw=row["raw"],
    )


def _row_to_tracklist(
    row: Mapping[Any, Any], entries: tuple[TracklistEntry, ...] = ()
) -> Tracklist:
    return Tracklist(
        id=row["id"],
        title=row["title"],
        djs=tuple(row["djs"] or ()),
        date=row["date"],
        source=row["source"],
        source_kind=row["source_kind"],
        duration_s=row["duration_s"],
        styles=tuple(row["styles"] or ()),
        entries=entries,
    )


class SqlTracklistStore:
    """Tracklists and their entries; saving a known ``source`` again updates it in place."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def save(self, tracklist: Tracklist) -> Tracklist:
        """Upsert by ``source`` (else by ``id``); entries are replaced, and an entry whose
        ordinal, artists and title are unchanged keeps its recorded match."""
        now = self._clock()
        values = _tracklist_values(tracklist)
        try:
            async with self._engine.begin() as conn:
                existing = await self._existing_id(conn, tracklist)
                if existing is None:
                    tracklist_id = tracklist.id or new_id()
                    await conn.execute(
                        insert(tracklists).values(
                            id=tracklist_id, imported_at=now, updated_at=now, **values
                        )
                    )
                    kept: dict[tuple[int, str | None, str | None], tuple[Any, Any]] = {}
                else:
                    tracklist_id = existing
                    await conn.execute(
                        update(tracklists)
                        .where(tracklists.c.id == tracklist_id)
                        .values(updated_at=now, **values)
                    )
                    kept = await self._old_matches(conn, tracklist_id)
                    await conn.execute(
                        delete(tracklist_entries).where(
                            tracklist_entries.c.tracklist_id == tracklist_id
                        )
                    )
                rows = [
                    _entry_row(tracklist_id, ordinal, entry)
                    for ordinal, entry in enumerate(tracklist.entries)
                ]
                for row in rows:
                    match = kept.get((row["ordinal"], row["artist_key"], row["title_key"]))
                    if match is not None:
                        row["matched_track_id"], row["match_score"] = match
                if rows:
                    await conn.execute(insert(tracklist_entries), rows)
        except SQLAlchemyError as exc:
            raise StorageError(f"could not save tracklist {tracklist.title!r}: {exc}") from exc
        return replace(tracklist, id=tracklist_id)

    async def get(self, ref: str) -> Tracklist | None:
        """A tracklist with its entries, by id or a unique start of its id."""
        try:
            async with self._engine.connect() as conn:
                row = await self._find(conn, ref)
                if row is None:
                    return None
                entries = await conn.execute(
                    select(tracklist_entries)
                    .where(tracklist_entries.c.tracklist_id == row["id"])
                    .order_by(tracklist_entries.c.ordinal)
                )
                return _row_to_tracklist(row, tuple(_row_to_entry(e) for e in entries.mappings()))
        except SQLAlchemyError as exc:
            raise StorageError(f"could not read tracklist {ref!r}: {exc}") from exc

    async def list_tracklists(
        self, limit: int = 50, offset: int = 0, query: str | None = None
    ) -> list[Tracklist]:
        """Tracklists newest import first, without entries; ``query`` filters title/DJs."""
        statement = select(tracklists).order_by(
            tracklists.c.imported_at.desc(), tracklists.c.id.desc()
        )
        if query:
            pattern = f"%{_like_escape(fold(query) or '')}%"
            statement = statement.where(
                or_(
                    tracklists.c.title_key.like(pattern, escape="\\"),
                    tracklists.c.djs_key.like(pattern, escape="\\"),
                )
            )
        statement = statement.limit(limit).offset(offset)
        try:
            async with self._engine.connect() as conn:
                rows = (await conn.execute(statement)).mappings().all()
        except SQLAlchemyError as exc:
            raise StorageError(f"could not list tracklists: {exc}") from exc
        return [_row_to_tracklist(row) for row in rows]

    async def delete(self, ref: str) -> bool:
        """Delete a tracklist (its entries go with it); False when there is none."""
        try:
            async with self._engine.begin() as conn:
                row = await self._find(conn, ref)
                if row is None:
                    return False
                await conn.execute(
                    delete(tracklist_entries).where(tracklist_entries.c.tracklist_id == row["id"])
                )
                await conn.execute(delete(tracklists).where(tracklists.c.id == row["id"]))
        except SQLAlchemyError as exc:
            raise StorageError(f"could not delete tracklist {ref!r}: {exc}") from exc
        return True

    async def set_matches(
        self, ref: str, matches: Sequence[tuple[int, str | None, float | None]]
    ) -> None:
        """Record each entry's library match; raises NotFoundError for an unknown tracklist
        and ValueError for an ordinal the tracklist does not have."""
        try:
            async with self._engine.begin() as conn:
                row = await self._find(conn, ref)
                if row is None:
                    raise NotFoundError(f"no tracklist {ref!r}")
                ordinals = set(
                    (
                        await conn.execute(
                            select(tracklist_entries.c.ordinal).where(
                                tracklist_entries.c.tracklist_id == row["id"]
                            )
                        )
                    ).scalars()
                )
                unknown = sorted({ordinal for ordinal, _, _ in matches} - ordinals)
                if unknown:
                    raise ValueError(f"tracklist {row['id']} has no entries {unknown}")
                for ordinal, track_id, score in matches:
                    await conn.execute(
                        update(tracklist_entries)
                        .where(
                            tracklist_entries.c.tracklist_id == row["id"],
                            tracklist_entries.c.ordinal == ordinal,
                        )
                        .values(matched_track_id=track_id, match_score=score)
                    )
        except SQLAlchemyError as exc:
            raise StorageError(f"could not record matches of {ref!r}: {exc}") from exc

    async def matches(self, ref: str) -> dict[int, tuple[str | None, float | None]]:
        """Every entry's recorded match ``(track id, score)``, by ordinal."""
        try:
            async with self._engine.connect() as conn:
                row = await self._find(conn, ref)
                if row is None:
                    raise NotFoundError(f"no tracklist {ref!r}")
                result = await conn.execute(
                    select(
                        tracklist_entries.c.ordinal,
                        tracklist_entries.c.matched_track_id,
                        tracklist_entries.c.match_score,
                    )
                    .where(tracklist_entries.c.tracklist_id == row["id"])
                    .order_by(tracklist_entries.c.ordinal)
                )
                return {ordinal: (track_id, score) for ordinal, track_id, score in result}
        except SQLAlchemyError as exc:
            raise StorageError(f"could not read matches of {ref!r}: {exc}") from exc

    async def _existing_id(self, conn: AsyncConnection, tracklist: Tracklist) -> str | None:
        if tracklist.source is not None:
            found = await conn.execute(
                select(tracklists.c.id).where(tracklists.c.source == tracklist.source)
            )
            existing = found.scalar_one_or_none()
            if existing is not None:
                return str(existing)
        if tracklist.id is not None:
            found = await conn.execute(
                select(tracklists.c.id).where(tracklists.c.id == tracklist.id)
            )
            existing = found.scalar_one_or_none()
            return str(existing) if existing is not None else None
        return None

    async def _old_matches(
        self, conn: AsyncConnection, tracklist_id: str
    ) -> dict[tuple[int, str | None, str | None], tuple[Any, Any]]:
        result = await conn.execute(
            select(
                tracklist_entries.c.ordinal,
                tracklist_entries.c.artist_key,
                tracklist_entries.c.title_key,
                tracklist_entries.c.matched_track_id,
                tracklist_entries.c.match_score,
            ).where(
                tracklist_entries.c.tracklist_id == tracklist_id,
                tracklist_entries.c.matched_track_id.is_not(None),
            )
        )
        return {(o, a, t): (track, score) for o, a, t, track, score in result}

    async def _find(self, conn: AsyncConnection, ref: str) -> Mapping[Any, Any] | None:
        """The tracklist row whose id is ``ref`` or uniquely starts with it."""
        exact = (
            (await conn.execute(select(tracklists).where(tracklists.c.id == ref)))
            .mappings()
            .first()
        )
        if exact is not None or not _ID_PART.match(ref):
            return exact
        pattern = f"{_like_escape(ref)}%"
        rows = (
            (
                await conn.execute(
                    select(tracklists).where(tracklists.c.id.like(pattern, escape="\\")).limit(2)
                )
            )
            .mappings()
            .all()
        )
        if len(rows) > 1:
            raise NotFoundError(f"{ref!r} matches several tracklists: give more of the id")
        return rows[0] if rows else None
