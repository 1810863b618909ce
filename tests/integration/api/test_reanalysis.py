"""Re-analysis over HTTP with real analysis workers (SQLite; the genre/mood model off)."""

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tracktion.api.app import create_app
from tracktion.bootstrap import App

from .conftest import FAST_PASSWORDS, api_settings, scanned_app, sign_in
from .test_auth import assert_problem

pytestmark = pytest.mark.integration


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
        job = response.json()
        for _ in range(1200):
            job = (await client.get(f"/api/v1/jobs/{job['id']}")).json()
            if job["status"] != "running":
                break
            await asyncio.sleep(0.05)
        await analysing.bus.wait_idle()
        detail = (await client.get(f"/api/v1/tracks/{track['id']}")).json()
        missing = await client.post("/api/v1/tracks/0123456789abcdef/analysis")

    assert job["status"] == "completed", job
    assert job["result"]["error"] is None
    assert job["result"]["bpm"] == pytest.approx(detail["analysis"]["bpm"])
    assert detail["analysis"]["algorithms"]  # every algorithm's own answer
    completed = await analysing.events.recent(50, "analysis.completed")
    assert any(e.correlation_id == "again-1" for e in completed)
    assert_problem(missing, 404, "not_found")
