"""Jobs as reported: a job running past its kind's bound reads as failed, interrupted."""

from datetime import UTC, datetime, timedelta

import pytest

from tracktion.core.jobs import INTERRUPTED, INTERRUPTED_AFTER, Job, JobKind, JobOutcome, JobStatus

START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("kind", list(JobKind))
def test_a_running_job_is_interrupted_only_past_its_bound(kind: JobKind) -> None:
    job = Job("j1", kind, "target", "corr", START)
    bound = INTERRUPTED_AFTER[kind]

    assert job.as_of(START + bound) == job
    late = job.as_of(START + bound + timedelta(seconds=1))
    assert (late.status, late.error, late.finished_at) == (JobStatus.FAILED, INTERRUPTED, None)


def test_a_finished_job_is_never_interrupted() -> None:
    job = Job("j1", JobKind.SCAN, "/m", "corr", START, status=JobStatus.COMPLETED, result={})

    assert job.as_of(START + timedelta(days=30)) == job


def test_an_outcome_with_an_error_is_a_failure() -> None:
    assert JobOutcome(result={"found": 1}).status is JobStatus.COMPLETED
    assert JobOutcome(result={"bpm": None}, error="cannot decode").status is JobStatus.FAILED
