"""SqlEventStore: the append-only ``events`` table (the audit trail)."""

from __future__ import annotations

import json
from datetime import UTC
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from tracktion.core.errors import StorageError
from tracktion.core.events import Event, topic_matches

from .bulk_insert import insert_new_rows
from .schema import events

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine


class SqlEventStore:
    """Every event, once (re-delivered ids are ignored)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def append(self, batch: Sequence[Event]) -> None:
        """Store events; duplicates by id are skipped (big batches COPY on PostgreSQL)."""
        if not batch:
            return
        rows = [
            {
                "id": event.id,
                "type": event.type,
                "occurred_at": event.occurred_at,
                "correlation_id": event.correlation_id,
                "causation_id": event.causation_id,
                "schema_version": event.schema_version,
                "payload": json.dumps(event.payload, ensure_ascii=True),
            }
            for event in batch
        ]
        try:
            async with self._engine.begin() as conn:
                await insert_new_rows(conn, events, rows, ["id"])
        except SQLAlchemyError as exc:
            raise StorageError(f"could not append {len(rows)} event(s): {exc}") from exc

    async def recent(self, limit: int, type_pattern: str = "#") -> list[Event]:
        """Newest first; the topic pattern is applied while reading."""
        found: list[Event] = []
        query = select(events).order_by(events.c.id.desc()).execution_options(yield_per=500)
        async with self._engine.connect() as conn:
            result = await conn.stream(query)
            async for row in result.mappings():
                if not topic_matches(type_pattern, row["type"]):
                    continue
                occurred_at = row["occurred_at"]
                if occurred_at.tzinfo is None:
                    occurred_at = occurred_at.replace(tzinfo=UTC)
                found.append(
                    Event.from_dict(
                        {
                            **row,
                            "occurred_at": occurred_at.isoformat(),
                            "payload": json.loads(row["payload"]),
                        }
                    )
                )
                if len(found) >= limit:
                    break
        return found

    async def count(self) -> int:
        """How many events are stored."""
        async with self._engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(events))).scalar_one())
