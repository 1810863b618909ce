"""Background jobs the API starts (scans, re-analyses) and what became of them."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from tracktion.core.errors import TracktionError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

JobKind = Literal["scan", "analysis"]
JobStatus = Literal["running", "completed", "failed"]
_KEEP = 1000


@dataclass
class Job:
    """One background job; ``result`` is set when it completes, ``error`` when it fails."""

    id: str
    kind: JobKind
    correlation_id: str
    target: str
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    status: JobStatus = "running"
    finished_at: datetime | None = None
    result: dict[str, Any] | None = None
    error: str | None = None


class Jobs:
    """Runs jobs as tasks, keeps the newest :data:`_KEEP` for status queries."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    def start(
        self,
        kind: JobKind,
        target: str,
        correlation_id: str,
        work: Callable[[], Awaitable[dict[str, Any]]],
    ) -> Job:
        """Start ``work`` in the background; returns its job record."""
        job = Job(str(uuid.uuid4()), kind, correlation_id, target)
        self._jobs[job.id] = job
        while len(self._jobs) > _KEEP:
            self._jobs.popitem(last=False)
        task = asyncio.create_task(self._run(job, work), name=f"api-job:{kind}:{job.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    def get(self, job_id: str) -> Job | None:
        """A job by id (None once forgotten or never started)."""
        return self._jobs.get(job_id)

    async def wait(self) -> None:
        """Wait for every running job (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def cancel(self) -> None:
        """Cancel running jobs (the app is stopping)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    @staticmethod
    async def _run(job: Job, work: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        try:
            job.result = await work()
            job.status = "completed"
        except TracktionError as exc:
            job.error, job.status = str(exc), "failed"
            logger.warning("%s job %s failed: %s", job.kind, job.id, exc)
        except Exception as exc:
            job.error, job.status = "unexpected error", "failed"
            logger.exception("%s job %s failed", job.kind, job.id, exc_info=exc)
        finally:
            job.finished_at = datetime.now(UTC)
