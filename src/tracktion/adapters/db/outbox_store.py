"""SqlOutbox: the transactional outbox table (the Outbox port) and the in-transaction writer.

A service's state change and the events it causes are committed in one transaction
(:func:`write_outbox` runs on the caller's connection); the relay publishes pending rows and marks
them sent once the bus has confirmed them. A crash between commit and publish loses nothing: the
rows stay pending until a relay publishes them (consumers absorb the odd duplicate by event id).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from tracktion.core.errors import StorageError
from tracktion.core.events import Event

from .bulk_insert import insert_rows
from .schema import outbox

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

_CHUNK = 400


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def write_outbox(conn: AsyncConnection, events: Sequence[Event], now: datetime) -> None:
    """Insert ``events`` as pending rows inside the caller's transaction."""
    if not events:
        return
    await insert_rows(
        conn,
        outbox,
        [
            {
                "event_id": event.id,
                "type": event.type,
                "body": event.to_json().decode(),
                "created_at": now,
                "sent_at": None,
            }
            for event in events
        ],
    )


class SqlOutbox:
    """The Outbox port over the ``outbox`` table."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def pending(self, limit: int = 500, min_age_s: float = 0.0) -> list[Event]:
        """Unsent events in commit order, optionally only those older than ``min_age_s``."""
        query = select(outbox.c.body).where(outbox.c.sent_at.is_(None))
        if min_age_s > 0:
            cutoff = self._clock() - timedelta(seconds=min_age_s)
            query = query.where(outbox.c.created_at <= cutoff)
        try:
            async with self._engine.connect() as conn:
                rows = await conn.execute(query.order_by(outbox.c.seq).limit(limit))
                return [Event.from_json(body) for body in rows.scalars()]
        except SQLAlchemyError as exc:
            raise StorageError(f"could not read the outbox: {exc}") from exc

    async def mark_sent(self, event_ids: Sequence[str]) -> None:
        """Stamp these events as published."""
        ids = list(dict.fromkeys(event_ids))
        if not ids:
            return
        now = self._clock()
        try:
            async with self._engine.begin() as conn:
                for start in range(0, len(ids), _CHUNK):
                    await conn.execute(
                        update(outbox)
                        .where(outbox.c.event_id.in_(ids[start : start + _CHUNK]))
                        .values(sent_at=now)
                    )
        except SQLAlchemyError as exc:
            raise StorageError(f"could not mark {len(ids)} outbox event(s) sent: {exc}") from exc

    async def prune(self, sent_before_s: float) -> int:
        """Forget events published more than ``sent_before_s`` seconds ago."""
        cutoff = self._clock() - timedelta(seconds=sent_before_s)
        try:
            async with self._engine.begin() as conn:
                result = await conn.execute(
                    delete(outbox).where(outbox.c.sent_at.is_not(None), outbox.c.sent_at < cutoff)
                )
                return int(result.rowcount or 0)
        except SQLAlchemyError as exc:
            raise StorageError(f"could not prune the outbox: {exc}") from exc

    async def counts(self) -> dict[str, int]:
        """How many events are pending and how many sent ones are still kept."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(outbox.c.sent_at.is_(None), func.count()).group_by(
                    outbox.c.sent_at.is_(None)
                )
            )
            counts = {"pending": 0, "sent": 0}
            for is_pending, count in rows:
                counts["pending" if is_pending else "sent"] += int(count)
            return counts
