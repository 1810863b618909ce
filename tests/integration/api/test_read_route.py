"""Cached reads served before parameter validation still authenticate, rate-limit and audit
exactly as the endpoint does, and stop serving an entry once the catalog changes."""

import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tracktion.api.app import create_app
from tracktion.bootstrap import App

from .conftest import (
    CORPUS,
    FAST_PASSWORDS,
    SignedIn,
    api_settings,
    scanned_app,
    viewer_from_addresses,
)
from .test_auth import assert_problem

pytestmark = pytest.mark.integration
LIST = "/api/v1/tracks?limit=2&sort=path"


def hits(api: FastAPI) -> float:
    registry = api.state.api.metrics.registry
    value = registry.get_sample_value("tracktion_api_cache_total", {"result": "hit"})
    return float(value or 0.0)


async def test_a_repeated_read_is_a_cache_hit_until_the_catalog_changes(
    api: FastAPI, signed_in: SignedIn, container: App, tmp_path: Path
) -> None:
    client = await signed_in("viewer")
    first = await client.get(LIST)
    before = hits(api)
    again = await client.get(LIST)
    shutil.copy(CORPUS / "rec_003.m4a", tmp_path / "Music" / "00 first by path.m4a")
    await container.scanner().scan([str(tmp_path / "Music")])
    await container.bus.wait_idle()
    changed = await client.get(LIST)

    assert first.status_code == again.status_code == changed.status_code == 200
    assert again.content == first.content
    assert hits(api) == before + 1
    assert changed.json()["items"] != first.json()["items"]


async def test_a_cached_read_still_needs_a_valid_token_and_audits_a_bad_one_once(
    signed_in: SignedIn, anonymous: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    viewer = await signed_in("viewer")
    assert (await viewer.get(LIST)).status_code == 200  # the answer is cached now
    caplog.set_level(logging.INFO, logger="tracktion.audit")

    missing = await anonymous.get(LIST)
    tampered = await anonymous.get(
        LIST, headers={"Authorization": viewer.headers["Authorization"][:-4] + "AAAA"}
    )

    assert_problem(missing, 401, "unauthorized")
    assert_problem(tampered, 401, "unauthorized")
    rejected = [r for r in caplog.records if getattr(r, "audit_action", "") == "token_rejected"]
    assert len(rejected) == 1


@pytest.fixture
async def strict(tmp_path: Path, database_url: str) -> AsyncIterator[App]:
    music = tmp_path / "Music"
    music.mkdir()
    shutil.copy(CORPUS / "rec_003.m4a", music / "one.m4a")
    settings = api_settings(
        tmp_path, database_url, music, rate_limit_per_s=0.01, rate_limit_burst=4
    )
    app = await scanned_app(settings, music)
    yield app
    await app.close()


async def test_a_cached_read_takes_one_rate_limit_token(strict: App) -> None:
    answers = await viewer_from_addresses(create_app(strict, passwords=FAST_PASSWORDS), LIST, 6)

    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429, 429]
    assert_problem(answers[-1], 429, "rate_limited")
