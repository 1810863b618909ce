"""Background jobs started by the API (scans, re-analyses)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Path

from tracktion.api.problems import ProblemError
from tracktion.api.routers import API_PREFIX
from tracktion.api.schemas.common import problems
from tracktion.api.schemas.library import JobOut
from tracktion.api.security import VIEWER
from tracktion.api.state import ApiState, api_state

if TYPE_CHECKING:
    from tracktion.core.jobs import Job

router = APIRouter(
    prefix=f"{API_PREFIX}/jobs", tags=["jobs"], responses=problems(401, 403, 422, 429)
)


def job_out(job: Job) -> JobOut:
    """A job as its DTO."""
    return JobOut(
        id=job.id,
        kind=job.kind.value,
        status=job.status.value,
        target=job.target,
        correlation_id=job.correlation_id,
        started_at=job.started_at,
        finished_at=job.finished_at,
        result=job.result,
        error=job.error,
    )


@router.get("/{job_id}", response_model=JobOut, responses=problems(404), dependencies=[VIEWER])
async def get_job(
    state: Annotated[ApiState, Depends(api_state)],
    job_id: Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")],
) -> JobOut:
    """A job's status and, once done, its result (any API process answers: jobs are stored)."""
    job = await state.container.jobs.get(job_id)
    if job is None:
        raise ProblemError(404, "not_found", f"no job {job_id!r}")
    return job_out(job)
