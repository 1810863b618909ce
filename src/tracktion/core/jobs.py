"""Jobs the API starts (scans, re-analyses) and what became of them, kept in the database."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final


class JobKind(StrEnum):
    """What a job does."""

    SCAN = "scan"
    """A folder scan, run as a task in the API process that accepted it."""
    ANALYSIS = "analysis"
    """A re-analysis, requested over the bus and done by whichever process runs analysis."""


class JobStatus(StrEnum):
    """Where a job is."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


INTERRUPTED_AFTER: Final = {
    JobKind.SCAN: timedelta(hours=6),
    JobKind.ANALYSIS: timedelta(hours=24),
}
"""A job still running after this long is reported failed: its process died (a scan's API
process, or the embedded process holding a re-analysis request on its in-process bus)."""

INTERRUPTED: Final = "interrupted"
"""The error of a job whose process stopped before it finished."""


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """How a job ended: ``error`` set means it failed (``result`` may still say more)."""

    result: dict[str, Any] | None = None
    error: str | None = None

    @property
    def status(self) -> JobStatus:
        """Failed when there is an error, else completed."""
        return JobStatus.FAILED if self.error is not None else JobStatus.COMPLETED


@dataclass(frozen=True, slots=True)
class Job:
    """One background job; ``result`` is set when it completes, ``error`` when it fails."""

    id: str
    kind: JobKind
    target: str
    """What it works on: a folder (scan) or a track id (analysis)."""
    correlation_id: str
    started_at: datetime
    request_event_id: str | None = None
    """The ``analysis.requested`` event whose result finishes the job (re-analyses)."""
    status: JobStatus = JobStatus.RUNNING
    finished_at: datetime | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    def as_of(self, now: datetime) -> Job:
        """This job as reported at ``now``: failed ``interrupted`` once running for too long."""
        if self.status is not JobStatus.RUNNING:
            return self
        if now - self.started_at <= INTERRUPTED_AFTER[self.kind]:
            return self
        return dataclasses.replace(self, status=JobStatus.FAILED, error=INTERRUPTED)
