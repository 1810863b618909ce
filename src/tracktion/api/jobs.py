"""Background jobs the API starts: scans run here as tasks, re-analyses finish by event.

Every job is recorded in the :class:`JobStore`, so any API process answers for it and a
restart keeps finished jobs.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from tracktion.core.errors import TracktionError
from tracktion.core.events import EventType
from tracktion.core.ids import new_id
from tracktion.core.jobs import INTERRUPTED, Job, JobKind, JobOutcome

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from tracktion.core.events import Event
    from tracktion.core.ports import EventHandler, JobStore

logger = logging.getLogger(__name__)

JOB_RESULTS: Final = "api.jobs"
"""The API's subscription (``analysis.*``) that finishes re-analysis jobs; on a broker one
queue shared by every API process: whichever gets an event writes the shared job row."""


def new_job(
    kind: JobKind, target: str, correlation_id: str, request_event_id: str | None = None
) -> Job:
    """A job starting now."""
    return Job(new_id(), kind, target, correlation_id, datetime.now(UTC), request_event_id)


class Jobs:
    """Runs in-process jobs (scans) as tasks; their start and end are recorded in ``store``."""

    def __init__(self, store: JobStore) -> None:
        self._store = store
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(
        self,
        kind: JobKind,
        target: str,
        correlation_id: str,
        work: Callable[[], Awaitable[dict[str, Any]]],
    ) -> Job:
        """Record a job and run ``work`` in the background; returns the job."""
        job = new_job(kind, target, correlation_id)
        await self._store.create(job)
        task = asyncio.create_task(
            self._run(self._store, job, work), name=f"api-job:{kind}:{job.id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def wait(self) -> None:
        """Wait for every running job (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def cancel(self) -> None:
        """Cancel running jobs (the app is stopping); they are recorded as interrupted."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    @staticmethod
    async def _run(
        store: JobStore, job: Job, work: Callable[[], Awaitable[dict[str, Any]]]
    ) -> None:
        try:
            outcome = JobOutcome(result=await work())
        except asyncio.CancelledError:
            await _record(store, job, JobOutcome(error=INTERRUPTED))
            raise
        except TracktionError as exc:
            outcome = JobOutcome(error=str(exc))
            logger.warning("%s job %s failed: %s", job.kind, job.id, exc)
        except Exception as exc:
            outcome = JobOutcome(error="unexpected error")
            logger.exception("%s job %s failed", job.kind, job.id, exc_info=exc)
        await _record(store, job, outcome)


async def _record(store: JobStore, job: Job, outcome: JobOutcome) -> None:
    try:
        await store.finish(job.id, outcome)
    except TracktionError as exc:  # the job reads as interrupted once past its bound
        logger.error("%s job %s: could not record its end: %s", job.kind, job.id, exc)


def job_finisher(store: JobStore) -> EventHandler:
    """A handler of ``analysis.*`` that finishes the jobs waiting for the causing requests."""

    async def handle(events: Sequence[Event]) -> None:
        results = {
            event.causation_id: event
            for event in events
            if event.causation_id
            and event.type in (EventType.ANALYSIS_COMPLETED, EventType.ANALYSIS_FAILED)
        }
        if not results:
            return
        for request_id, job in (await store.waiting_for(list(results))).items():
            await store.finish(job.id, _analysis_outcome(job, results[request_id]))

    return handle


def _analysis_outcome(job: Job, event: Event) -> JobOutcome:
    """What a re-analysis job reports for its result event."""
    payload = event.payload
    error = payload.get("error")
    if event.type == EventType.ANALYSIS_FAILED and not error:
        error = "analysis failed"
    result = {
        "track_id": job.target,
        "bpm": payload.get("bpm"),
        "key": payload.get("key"),
        "error": error,
    }
    return JobOutcome(result=result, error=error)
