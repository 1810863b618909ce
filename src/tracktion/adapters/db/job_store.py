"""SqlJobStore: the API's background jobs in the ``jobs`` table (the JobStore port)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from tracktion.core.errors import StorageError
from tracktion.core.jobs import Job, JobKind, JobOutcome, JobStatus

from .schema import jobs

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

_CHUNK = 400


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _job(row: Mapping[Any, Any]) -> Job:
    return Job(
        id=row["id"],
        kind=JobKind(row["kind"]),
        target=row["target"],
        correlation_id=row["correlation_id"],
        started_at=_aware(row["started_at"]) or _utcnow(),
        request_event_id=row["request_event_id"],
        status=JobStatus(row["status"]),
        finished_at=_aware(row["finished_at"]),
        result=row["result"],
        error=row["error"],
    )


class SqlJobStore:
    """One row per job; finishing updates only a running row, so redeliveries change nothing."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def create(self, job: Job) -> None:
        """Record a job that has just started."""
        row = {
            "id": job.id,
            "kind": job.kind.value,
            "target": job.target,
            "correlation_id": job.correlation_id,
            "request_event_id": job.request_event_id,
            "status": job.status.value,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "result": job.result,
            "error": job.error,
        }
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(jobs), [row])
        except SQLAlchemyError as exc:
            raise StorageError(f"could not record {job.kind} job {job.id}: {exc}") from exc

    async def get(self, job_id: str) -> Job | None:
        """A job by id, as of now (a running job past its bound reads as failed, interrupted)."""
        try:
            async with self._engine.connect() as conn:
                row = (await conn.execute(select(jobs).where(jobs.c.id == job_id))).mappings()
                found = row.first()
        except SQLAlchemyError as exc:
            raise StorageError(f"could not read job {job_id}: {exc}") from exc
        return _job(found).as_of(self._clock()) if found is not None else None

    async def finish(self, job_id: str, outcome: JobOutcome) -> None:
        """Complete or fail a running job (a finished one stays as it was)."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    update(jobs)
                    .where(jobs.c.id == job_id, jobs.c.status == JobStatus.RUNNING.value)
                    .values(
                        status=outcome.status.value,
                        finished_at=self._clock(),
                        result=outcome.result,
                        error=outcome.error,
                    )
                )
        except SQLAlchemyError as exc:
            raise StorageError(f"could not finish job {job_id}: {exc}") from exc

    async def forget(self, older_than_s: float) -> int:
        """Delete jobs started more than ``older_than_s`` seconds ago; returns how many."""
        cutoff = self._clock() - timedelta(seconds=older_than_s)
        try:
            async with self._engine.begin() as conn:
                result = await conn.execute(delete(jobs).where(jobs.c.started_at < cutoff))
        except SQLAlchemyError as exc:
            raise StorageError(f"could not forget old jobs: {exc}") from exc
        return int(result.rowcount or 0)

    async def waiting_for(self, request_event_ids: Sequence[str]) -> dict[str, Job]:
        """The running jobs whose ``request_event_id`` is among these, by that event id."""
        ids = list(dict.fromkeys(request_event_ids))
        found: dict[str, Job] = {}
        try:
            async with self._engine.connect() as conn:
                for start in range(0, len(ids), _CHUNK):
                    rows = await conn.execute(
                        select(jobs).where(
                            jobs.c.request_event_id.in_(ids[start : start + _CHUNK]),
                            jobs.c.status == JobStatus.RUNNING.value,
                        )
                    )
                    for row in rows.mappings():
                        found[row["request_event_id"]] = _job(row)
        except SQLAlchemyError as exc:
            raise StorageError(f"could not read jobs waiting for events: {exc}") from exc
        return found
