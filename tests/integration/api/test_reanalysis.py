"""Re-analysis and jobs over HTTP with real analysis workers (the genre/mood model off):
embedded, and an API process without analysis next to an analysis worker over RabbitMQ."""

import asyncio
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tracktion.api.app import create_app
from tracktion.bootstrap import App, bootstrap

from .conftest import FAST_PASSWORDS, api_settings, scanned_app, sign_in
from .test_auth import assert_problem

pytestmark = pytest.mark.integration

RABBITMQ_URL = os.environ.get("TRACKTION_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def _rabbitmqctl(*args: str) -> int:
    return subprocess.run(
        ["rabbitmqctl", "-q", *args], capture_output=True, timeout=60, check=False
    ).returncode


@pytest.fixture
def broker_url() -> Iterator[str]:
    """The test RabbitMQ with a private virtual host (skips when there is none)."""
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("RabbitMQ: rabbitmqctl not installed")
    name = f"tracktion_api_{uuid.uuid4().hex[:10]}"
    if _rabbitmqctl("add_vhost", name) != 0:
        pytest.skip("RabbitMQ is not running")
    try:
        _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        yield f"{RABBITMQ_URL.rstrip('/')}/{name}"
    finally:
        _rabbitmqctl("delete_vhost", name)


async def finished(client: httpx.AsyncClient, job: dict[str, Any]) -> dict[str, Any]:
    """Poll a job until it is no longer running (bounded by tries, not by time)."""
    for _ in range(2400):
        job = (await client.get(f"/api/v1/jobs/{job['id']}")).json()
        if job["status"] != "running":
            break
        await asyncio.sleep(0.05)
    return job


@asynccontextmanager
async def signed_in_client(
    make_client: Callable[[FastAPI], httpx.AsyncClient], api: FastAPI, role: str
) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(api) as client:
        token = (await sign_in(client, role))["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@pytest.fixture
async def analysing(tmp_path: Path, music: Path) -> AsyncIterator[App]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'tracktion.db'}"
    settings = api_settings(tmp_path, url, music, analysis_workers=1, analysis_tags=False)
    app = await scanned_app(settings, music, analysis=True)
    yield app
    await app.close()


async def test_an_editor_re_analyses_a_track(
    analysing: App, make_client: Callable[[FastAPI], httpx.AsyncClient]
) -> None:
    api = create_app(analysing, passwords=FAST_PASSWORDS)
    async with make_client(api) as client:
        token = (await sign_in(client, "editor"))["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        track = (await client.get("/api/v1/tracks", params={"format": "mp3"})).json()["items"][0]

        response = await client.post(
            f"/api/v1/tracks/{track['id']}/analysis", headers={"X-Correlation-ID": "again-1"}
        )
        assert response.status_code == 202
        job = await finished(client, response.json())
        await analysing.bus.wait_idle()
        detail = (await client.get(f"/api/v1/tracks/{track['id']}")).json()
        missing = await client.post("/api/v1/tracks/0123456789abcdef/analysis")

    assert job["status"] == "completed", job
    assert job["result"]["track_id"] == track["id"]
    assert job["result"]["error"] is None
    assert job["result"]["bpm"] == pytest.approx(detail["analysis"]["bpm"])
    assert detail["analysis"]["algorithms"]  # every algorithm's own answer
    (requested,) = await analysing.events.recent(50, "analysis.requested")
    assert requested.correlation_id == "again-1"
    completed = await analysing.events.recent(50, "analysis.completed")
    assert any(e.causation_id == requested.id for e in completed)  # forced: already analysed
    assert_problem(missing, 404, "not_found")


async def test_an_api_without_analysis_accepts_re_analysis_for_the_analysis_workers(
    tmp_path: Path,
    database_url: str,
    music: Path,
    broker_url: str,
    make_client: Callable[[FastAPI], httpx.AsyncClient],
) -> None:
    seeded = await scanned_app(api_settings(tmp_path, database_url, music), music)
    await seeded.close()
    settings = api_settings(
        tmp_path, database_url, music, bus_url=broker_url, analysis_workers=1, analysis_tags=False
    )
    serving = await bootstrap(settings, consume=(), api=True)  # `tracktion api`
    worker: App | None = None
    try:
        api = create_app(serving, passwords=FAST_PASSWORDS)
        async with signed_in_client(make_client, api, "editor") as client:
            track = (await client.get("/api/v1/tracks", params={"format": "mp3"})).json()
            track = track["items"][0]
            response = await client.post(
                f"/api/v1/tracks/{track['id']}/analysis", headers={"X-Correlation-ID": "dist-1"}
            )
            waiting = (await client.get(f"/api/v1/jobs/{response.json()['id']}")).json()
            # `tracktion worker analysis` (and catalog) start after the request was queued
            worker = await bootstrap(settings, analysis=True, consume=("catalog", "analysis"))
            job = await finished(client, response.json())
            await worker.bus.wait_idle()
            stored = await worker.analyses.get(track["sha256"])
            completed = await worker.events.recent(50, "analysis.completed")
    finally:
        if worker is not None:
            await worker.close()
        await serving.close()

    assert response.status_code == 202, response.text
    assert waiting["status"] == "running"
    assert job["status"] == "completed", job
    assert job["result"]["track_id"] == track["id"]
    assert stored is not None
    assert job["result"]["bpm"] == pytest.approx(stored.bpm)
    assert any(e.correlation_id == "dist-1" for e in completed)


async def test_a_finished_job_survives_a_restart(
    tmp_path: Path,
    database_url: str,
    music: Path,
    make_client: Callable[[FastAPI], httpx.AsyncClient],
) -> None:
    settings = api_settings(tmp_path, database_url, music)
    first = await scanned_app(settings, music)
    try:
        api = create_app(first, passwords=FAST_PASSWORDS)
        async with signed_in_client(make_client, api, "editor") as client:
            response = await client.post("/api/v1/library/scans", json={"path": str(music)})
            await api.state.api.jobs.wait()
            before = (await client.get(f"/api/v1/jobs/{response.json()['id']}")).json()
    finally:
        await first.close()

    restarted = await bootstrap(settings)
    try:
        api = create_app(restarted, passwords=FAST_PASSWORDS)
        async with signed_in_client(make_client, api, "viewer") as client:
            after = await client.get(f"/api/v1/jobs/{before['id']}")
    finally:
        await restarted.close()

    assert before["status"] == "completed", before
    assert before["result"]["found"] == 6
    assert after.status_code == 200
    assert after.json() == before
