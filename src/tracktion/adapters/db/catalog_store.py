"""SqlCatalogStore: the CatalogStore port over SQLAlchemy (SQLite or PostgreSQL)."""

from __future__ import annotations

import logging
import os
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from tracktion.core.changes import MarkMissing, MoveTrack, TrackChange
from tracktion.core.errors import NotFoundError, StorageError
from tracktion.core.ids import TrackId
from tracktion.core.models import (
    DuplicateGroup,
    FileStat,
    KnownFile,
    Track,
    TrackHistoryEntry,
    TrackStatus,
)

from . import track_filters
from .bulk_insert import insert_new_rows, insert_rows
from .change_batch import ChangeBatch, Row
from .outbox_store import write_outbox
from .rows import inode_from_db, path_key, row_to_track
from .schema import handled_events, track_history, tracks

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from tracktion.core.ports import Announcer
    from tracktion.core.query import TrackQuery

logger = logging.getLogger(__name__)

_CHUNK = 400
_FIRST_ANALYZE_AT = 1_000
"""New tracks this store inserts before it first refreshes PostgreSQL's statistics."""
_KNOWN_FILES_SQL = (
    "SELECT id, path_bytes, size, mtime_ns, inode, sha256, status FROM tracks"
    " WHERE path_bytes IS NOT NULL"
)
_ID_PART = re.compile(r"^[0-9a-f-]{6,36}$")
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SqlCatalogStore:
    """Catalog persistence; every write is one transaction and idempotent per event id."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._engine = engine
        self._clock = clock
        self._inserted = 0
        self._analyze_at = _FIRST_ANALYZE_AT

    async def known_files(self, roots: Sequence[str] = ()) -> dict[str, KnownFile]:
        """Tracks with a current path, optionally only those under ``roots``.

        This runs before every scan over the whole library, so it reads plain driver rows.
        """
        prefixes = tuple(os.fsencode(os.path.join(root, "")) for root in roots)
        statuses = {status.value: status for status in TrackStatus}
        known: dict[str, KnownFile] = {}
        try:
            async with self._engine.connect() as conn:
                result = await conn.exec_driver_sql(_KNOWN_FILES_SQL)
                rows = result.all()
        except SQLAlchemyError as exc:
            raise StorageError(f"could not read known files: {exc}") from exc
        for row in rows:
            track_id, raw_path, size, mtime_ns, inode, sha256, status = tuple(row)
            raw = bytes(raw_path)
            if prefixes and not raw.startswith(prefixes):
                continue
            path = os.fsdecode(raw)
            stat = FileStat(path, size or 0, mtime_ns or 0, inode_from_db(inode))
            known[path] = KnownFile(TrackId(track_id), stat, sha256, statuses[status])
        return known

    async def apply(
        self, consumer: str, changes: Sequence[TrackChange], announce: Announcer | None = None
    ) -> list[Track]:
        """Apply a batch of changes in one transaction; already-handled events are skipped.

        The events ``announce`` builds from the touched tracks (and their duplicate groups)
        are written to the outbox in the same transaction.
        """
        if not changes:
            return []
        try:
            async with self._engine.begin() as conn:
                now = self._clock()
                claimed = set(await self._claim(conn, consumer, changes, now))
                pending = [change for change in changes if change.event_id in claimed]
                if not pending:
                    return []
                batch = ChangeBatch(now, await self._prefetch(conn, pending))
                for change in pending:
                    batch.apply(change)
                await self._write(conn, batch)
                touched = [row_to_track(batch.rows[track_id]) for track_id in batch.dirty_ids]
                if announce is not None and touched:
                    shas = [
                        t.observation.fingerprint.sha256
                        for t in touched
                        if t.status == TrackStatus.OK and t.observation.fingerprint
                    ]
                    groups = await self._duplicate_groups(conn, shas) if shas else []
                    await write_outbox(conn, announce(touched, groups), now)
        except SQLAlchemyError as exc:
            raise StorageError(f"could not apply {len(changes)} catalog change(s): {exc}") from exc
        await self._refresh_statistics(len(batch.new_ids))
        return touched

    async def forget_handled(self, older_than_s: float) -> int:
        """Delete handled-event ids older than ``older_than_s`` seconds; returns how many."""
        cutoff = self._clock() - timedelta(seconds=older_than_s)
        try:
            async with self._engine.begin() as conn:
                result = await conn.execute(
                    delete(handled_events).where(handled_events.c.handled_at < cutoff)
                )
        except SQLAlchemyError as exc:
            raise StorageError(f"could not forget handled events: {exc}") from exc
        return int(result.rowcount or 0)

    async def _refresh_statistics(self, inserted: int) -> None:
        """ANALYZE the catalog on PostgreSQL each time the tracks this store inserted double.

        A first scan grows the tables from empty faster than autovacuum re-analyses them, and
        with empty-table statistics every lookup by path, hash or event id scans the whole table.
        """
        self._inserted += inserted
        if self._engine.dialect.name != "postgresql" or self._inserted < self._analyze_at:
            return
        self._analyze_at = 2 * self._inserted
        try:
            async with self._engine.begin() as conn:
                await conn.exec_driver_sql("ANALYZE tracks, track_history, handled_events")
        except SQLAlchemyError as exc:  # an optimisation: the batch is already committed
            logger.warning("could not refresh the catalog's statistics: %s", exc)

    async def get(self, ref: str) -> Track | None:
        """A track by id, by a unique start or end of its id (6+ characters), or by path."""
        async with self._engine.connect() as conn:
            if _ID_PART.match(ref):
                rows = (
                    (
                        await conn.execute(
                            track_filters.track_select()
                            .where(or_(tracks.c.id.startswith(ref), tracks.c.id.endswith(ref)))
                            .limit(2)
                        )
                    )
                    .mappings()
                    .all()
                )
                if len(rows) == 1:
                    return row_to_track(rows[0])
                if len(rows) > 1:
                    raise NotFoundError(f"{ref!r} matches several tracks: give more of the id")
            for candidate in dict.fromkeys((ref, os.path.abspath(ref))):
                row = (
                    (
                        await conn.execute(
                            track_filters.track_select().where(
                                tracks.c.path_bytes == path_key(candidate)
                            )
                        )
                    )
                    .mappings()
                    .first()
                )
                if row is not None:
                    return row_to_track(row)
        return None

    async def list_tracks(self, query: TrackQuery) -> list[Track]:
        """Tracks matching the query's filters, in its sort order."""
        statement = track_filters.build(query)
        try:
            async with self._engine.connect() as conn:
                rows = (await conn.execute(statement)).mappings().all()
        except SQLAlchemyError as exc:
            raise StorageError(f"track query failed: {exc}") from exc
        return [row_to_track(row) for row in rows]

    async def duplicates(self, sha256s: Sequence[str] = ()) -> list[DuplicateGroup]:
        """Groups of present tracks sharing identical bytes, largest groups first."""
        async with self._engine.connect() as conn:
            return await self._duplicate_groups(conn, sha256s, every=not sha256s)

    async def _duplicate_groups(
        self, conn: AsyncConnection, sha256s: Sequence[str], *, every: bool = False
    ) -> list[DuplicateGroup]:
        present = tracks.c.status == TrackStatus.OK.value
        grouped = (
            select(tracks.c.sha256)
            .where(present, tracks.c.sha256.is_not(None))
            .group_by(tracks.c.sha256)
            .having(func.count() > 1)
        )
        shas: list[str] = []
        if every:
            shas = list((await conn.execute(grouped)).scalars())
        else:
            for chunk in _chunks(list(dict.fromkeys(sha256s))):
                result = await conn.execute(grouped.where(tracks.c.sha256.in_(chunk)))
                shas.extend(result.scalars())
        members: dict[str, list[Track]] = {sha: [] for sha in shas}
        for chunk in _chunks(shas):
            rows = await conn.execute(
                select(tracks).where(present, tracks.c.sha256.in_(chunk)).order_by(tracks.c.path)
            )
            for row in rows.mappings():
                members[row["sha256"]].append(row_to_track(row))
        groups = [DuplicateGroup(sha, tuple(group)) for sha, group in members.items()]
        return sorted(groups, key=lambda group: (-len(group.tracks), group.tracks[0].path))

    async def history(self, track_id: str) -> list[TrackHistoryEntry]:
        """A track's history, oldest first."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(track_history)
                .where(track_history.c.track_id == track_id)
                .order_by(track_history.c.id)
            )
            return [
                TrackHistoryEntry(
                    occurred_at=row["occurred_at"].replace(tzinfo=row["occurred_at"].tzinfo or UTC),
                    action=row["action"],
                    detail=dict(row["detail"]),
                    event_id=row["event_id"],
                )
                for row in rows.mappings()
            ]

    async def status_counts(self) -> dict[str, int]:
        """Number of tracks per status (every status present, zero included)."""
        counts = {status.value: 0 for status in TrackStatus}
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(tracks.c.status, func.count()).group_by(tracks.c.status)
            )
            for status, count in rows:
                counts[status] = count
        return counts

    async def _claim(
        self,
        conn: AsyncConnection,
        consumer: str,
        changes: Sequence[TrackChange],
        now: datetime,
    ) -> list[str]:
        """Record the batch's event ids as handled; those already recorded are not returned.

        Claiming first (rather than looking the ids up) needs no read of a growing table, and a
        concurrent transaction claiming the same id waits for this one, then skips it.
        """
        rows = [
            {"consumer": consumer, "event_id": event_id, "handled_at": now}
            for event_id in dict.fromkeys(change.event_id for change in changes)
        ]
        return await insert_new_rows(
            conn, handled_events, rows, ["consumer", "event_id"], returning="event_id"
        )

    async def _prefetch(
        self, conn: AsyncConnection, changes: Sequence[TrackChange]
    ) -> dict[bytes, Row]:
        keys: set[bytes] = set()
        for change in changes:
            if isinstance(change, MarkMissing):
                keys.add(path_key(change.path))
                continue
            if isinstance(change, MoveTrack):
                keys.add(path_key(change.old_path))
                keys.add(path_key(change.stat.path))
                continue
            keys.add(path_key(change.observation.path))
        rows: dict[bytes, Row] = {}
        for chunk in _chunks(sorted(keys)):
            result = await conn.execute(select(tracks).where(tracks.c.path_bytes.in_(chunk)))
            for row in result.mappings():
                rows[bytes(row["path_bytes"])] = dict(row)
        return rows

    async def _write(self, conn: AsyncConnection, batch: ChangeBatch) -> None:
        relocated = batch.ids_with_new_path()
        for chunk in _chunks(relocated):
            await conn.execute(update(tracks).where(tracks.c.id.in_(chunk)).values(path_bytes=None))
        await insert_rows(conn, tracks, [batch.rows[track_id] for track_id in batch.new_ids])
        changed = [batch.rows[track_id] for track_id in batch.dirty_ids - batch.new_ids]
        if changed:
            columns = [column.name for column in tracks.columns if column.name != "id"]
            statement = (
                update(tracks)
                .where(tracks.c.id == bindparam("_id"))
                .values({name: bindparam(name) for name in columns})
            )
            params: list[dict[str, Any]] = [
                {"_id": row["id"], **{name: row[name] for name in columns}} for row in changed
            ]
            await conn.execute(statement, params)
        await insert_rows(conn, track_history, batch.history)
