"""SqlWorkerRegistry: worker heartbeats in the ``workers`` table (the WorkerRegistry port)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from tracktion.core.errors import StorageError
from tracktion.core.ids import new_id
from tracktion.core.workers import ALIVE_WITHIN_S, WorkerInfo, WorkerState

from .schema import workers

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.ext.asyncio import AsyncEngine


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SqlWorkerRegistry:
    """Each worker registers once, then beats every few seconds; status reads the table."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def register(self, service: str, host: str, pid: int) -> str:
        """Record a starting worker; returns its id."""
        worker_id = str(new_id())
        now = self._clock()
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(workers).values(
                        id=worker_id,
                        service=service,
                        host=host,
                        pid=pid,
                        state=WorkerState.RUNNING.value,
                        started_at=now,
                        last_seen_at=now,
                        processed=0,
                    )
                )
        except SQLAlchemyError as exc:
            raise StorageError(f"could not register the {service} worker: {exc}") from exc
        return worker_id

    async def beat(self, worker_id: str, processed: int, state: WorkerState) -> None:
        """Refresh a worker's heartbeat, its processed-event count and its state."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    update(workers)
                    .where(workers.c.id == worker_id)
                    .values(last_seen_at=self._clock(), processed=processed, state=state.value)
                )
        except SQLAlchemyError as exc:
            raise StorageError(f"could not record worker {worker_id}'s heartbeat: {exc}") from exc

    async def workers(self, alive_within_s: float = ALIVE_WITHIN_S) -> list[WorkerInfo]:
        """Every known worker, newest first; ``alive`` when seen within ``alive_within_s``."""
        now = self._clock()
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(workers).order_by(workers.c.started_at.desc()))
            found = []
            for row in rows.mappings():
                last_seen = _aware(row["last_seen_at"])
                state = WorkerState(row["state"])
                found.append(
                    WorkerInfo(
                        id=row["id"],
                        service=row["service"],
                        host=row["host"],
                        pid=row["pid"],
                        state=state,
                        started_at=_aware(row["started_at"]),
                        last_seen_at=last_seen,
                        processed=row["processed"],
                        alive=state != WorkerState.STOPPED
                        and now - last_seen <= timedelta(seconds=alive_within_s),
                    )
                )
            return found

    async def forget(self, older_than_s: float) -> int:
        """Delete workers not seen for ``older_than_s`` seconds; returns how many."""
        cutoff = self._clock() - timedelta(seconds=older_than_s)
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(workers).where(workers.c.last_seen_at < cutoff))
            return int(result.rowcount or 0)
