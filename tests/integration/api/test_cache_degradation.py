"""Redis down: cached reads are served from the database, the outage is logged and counted."""

import logging
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tracktion.api.app import create_app
from tracktion.bootstrap import App

from .conftest import FAST_PASSWORDS, api_settings, scanned_app, sign_in

pytestmark = pytest.mark.integration

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"
"""Nothing listens on port 1: every connection is refused."""


@pytest.fixture
async def redis_down_app(tmp_path: Path, database_url: str, music: Path) -> AsyncIterator[App]:
    settings = api_settings(tmp_path, database_url, music, cache_url=CLOSED_PORT_REDIS)
    app = await scanned_app(settings, music)
    yield app
    await app.close()


@pytest.fixture
async def viewer(
    redis_down_app: App, make_client: Callable[[FastAPI], httpx.AsyncClient]
) -> AsyncIterator[httpx.AsyncClient]:
    api = create_app(redis_down_app, passwords=FAST_PASSWORDS)
    async with make_client(api) as client:
        tokens = await sign_in(client, "viewer")
        client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        yield client
    await api.state.api.jobs.wait()


def _counter(text: str, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert found is not None, f"{name} missing from /metrics"
    return float(found.group(1))


async def test_cached_reads_come_from_the_database_and_metrics_count_the_outage(
    viewer: httpx.AsyncClient, redis_down_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    listing = (await viewer.get("/api/v1/tracks", params={"sort": "path"})).json()
    track_id = listing["items"][0]["id"]
    expected = await redis_down_app.store.get(track_id)
    assert expected is not None

    first = await viewer.get(f"/api/v1/tracks/{track_id}")
    second = await viewer.get(f"/api/v1/tracks/{track_id}")
    status = await viewer.get("/api/v1/status")
    text = (await viewer.get("/metrics")).text

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["id"] == expected.id
    assert first.json()["path"] == expected.path
    assert status.json()["total_tracks"] == 6
    assert _counter(text, "tracktion_cache_degraded_total") > 0
    assert _counter(text, "tracktion_cache_outages_total") >= 1
    assert _counter(text, "tracktion_cache_hits_total") == 0
    assert _counter(text, "tracktion_cache_misses_total") > 0
    assert 'tracktion_api_cache_total{result="miss"}' in text
    assert 'tracktion_api_cache_total{result="hit"}' not in text  # nothing cached
    warnings = [
        record
        for record in [*caplog.get_records("setup"), *caplog.records]
        if record.name == "tracktion.adapters.cache.redis" and record.levelno == logging.WARNING
    ]
    assert len(warnings) == 1  # one warning per outage, not one per call
    assert "unreachable" in warnings[0].getMessage()
