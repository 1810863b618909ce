"""The JobStore contract on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest

from tracktion.adapters.db.engine import create_engine
from tracktion.adapters.db.job_store import SqlJobStore
from tracktion.core.errors import StorageError
from tracktion.core.jobs import INTERRUPTED, Job, JobKind, JobOutcome, JobStatus

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def scan_job(job_id: str = "00000000-0000-7000-8000-000000000001") -> Job:
    return Job(job_id, JobKind.SCAN, "/music/new", "corr-1", START)


def analysis_job(job_id: str, request_id: str) -> Job:
    return Job(job_id, JobKind.ANALYSIS, "track-1", "corr-2", START, request_event_id=request_id)


async def test_a_job_reads_back_as_recorded_and_finishes_once(database_url: str) -> None:
    engine = create_engine(database_url)
    clock = Clock()
    store = SqlJobStore(engine, clock=clock)
    job = scan_job()
    try:
        await store.create(job)
        running = await store.get(job.id)
        clock.now = START + timedelta(seconds=3)
        await store.finish(job.id, JobOutcome(result={"found": 3, "errors": [], "roots": ["/m"]}))
        clock.now = START + timedelta(seconds=9)
        await store.finish(job.id, JobOutcome(error="a late duplicate"))  # finished: no change
        finished = await store.get(job.id)
        missing = await store.get("00000000-0000-7000-8000-00000000ffff")
    finally:
        await engine.dispose()

    assert running == job
    assert finished is not None
    assert finished.status is JobStatus.COMPLETED
    assert finished.finished_at == START + timedelta(seconds=3)
    assert finished.result == {"found": 3, "errors": [], "roots": ["/m"]}
    assert finished.error is None
    assert (finished.kind, finished.target, finished.correlation_id) == (
        JobKind.SCAN,
        "/music/new",
        "corr-1",
    )
    assert missing is None


async def test_a_failed_job_keeps_its_error_and_result(database_url: str) -> None:
    engine = create_engine(database_url)
    store = SqlJobStore(engine)
    job = analysis_job("00000000-0000-7000-8000-000000000002", "request-1")
    try:
        await store.create(job)
        await store.finish(job.id, JobOutcome(result={"bpm": None}, error="cannot decode"))
        failed = await store.get(job.id)
    finally:
        await engine.dispose()

    assert failed is not None
    assert (failed.status, failed.error, failed.result) == (
        JobStatus.FAILED,
        "cannot decode",
        {"bpm": None},
    )
    assert failed.request_event_id == "request-1"


async def test_waiting_for_finds_the_running_jobs_of_request_events(database_url: str) -> None:
    engine = create_engine(database_url)
    store = SqlJobStore(engine)
    first = analysis_job("00000000-0000-7000-8000-000000000003", "request-1")
    second = analysis_job("00000000-0000-7000-8000-000000000004", "request-2")
    done = analysis_job("00000000-0000-7000-8000-000000000005", "request-3")
    try:
        for job in (first, second, done, scan_job()):
            await store.create(job)
        await store.finish(done.id, JobOutcome(result={}))
        waiting = await store.waiting_for(["request-1", "request-2", "request-3", "other"])
        nothing = await store.waiting_for([])
    finally:
        await engine.dispose()

    assert waiting == {"request-1": first, "request-2": second}
    assert nothing == {}


async def test_one_job_per_request_event(database_url: str) -> None:
    engine = create_engine(database_url)
    store = SqlJobStore(engine)
    try:
        await store.create(analysis_job("00000000-0000-7000-8000-000000000006", "request-1"))
        with pytest.raises(StorageError):
            await store.create(analysis_job("00000000-0000-7000-8000-000000000007", "request-1"))
    finally:
        await engine.dispose()


async def test_a_job_running_past_its_bound_reads_as_interrupted(database_url: str) -> None:
    engine = create_engine(database_url)
    clock = Clock()
    store = SqlJobStore(engine, clock=clock)
    job = scan_job()
    try:
        await store.create(job)
        clock.now = START + timedelta(hours=5)
        still_running = await store.get(job.id)
        clock.now = START + timedelta(hours=7)
        interrupted = await store.get(job.id)
    finally:
        await engine.dispose()

    assert still_running is not None
    assert still_running.status is JobStatus.RUNNING
    assert interrupted is not None
    assert (interrupted.status, interrupted.error) == (JobStatus.FAILED, INTERRUPTED)


async def test_jobs_started_before_the_cutoff_are_forgotten(database_url: str) -> None:
    engine = create_engine(database_url)
    clock = Clock()
    store = SqlJobStore(engine, clock=clock)
    old, recent = scan_job(), scan_job("00000000-0000-7000-8000-000000000002")
    recent = Job(
        recent.id, recent.kind, recent.target, recent.correlation_id, START + timedelta(days=20)
    )
    try:
        await store.create(old)
        await store.create(recent)
        clock.now = START + timedelta(days=31)
        forgotten = await store.forget(30 * 86_400)
        kept = await store.get(recent.id)
        gone = await store.get(old.id)
    finally:
        await engine.dispose()

    assert forgotten == 1
    assert kept is not None
    assert gone is None
