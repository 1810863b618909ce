"""Rate limits (per IP and per user) and body size limits."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tracktion.api.app import create_app
from tracktion.bootstrap import App

from .conftest import FAST_PASSWORDS, api_settings, scanned_app, viewer_from_addresses
from .test_auth import assert_problem

pytestmark = pytest.mark.integration


@pytest.fixture
async def strict(tmp_path: Path, database_url: str, music: Path) -> AsyncIterator[App]:
    settings = api_settings(
        tmp_path,
        database_url,
        music,
        rate_limit_per_s=0.5,
        rate_limit_burst=4,
        max_body_bytes=2048,
    )
    app = await scanned_app(settings, music)
    yield app
    await app.close()


async def test_an_address_gets_429_with_retry_after(
    strict: App, make_client: Callable[[FastAPI], httpx.AsyncClient]
) -> None:
    async with make_client(create_app(strict, passwords=FAST_PASSWORDS)) as client:
        answers = [await client.get("/api/v1/tracks") for _ in range(5)]
        health = await client.get("/health")

    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert_problem(answers[-1], 429, "rate_limited")
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert health.status_code == 200  # probes are never limited


async def test_a_user_gets_429_from_any_address(strict: App) -> None:
    api = create_app(strict, passwords=FAST_PASSWORDS)
    answers = await viewer_from_addresses(api, "/api/v1/status", 5)

    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert answers[-1].json()["detail"] == "too many requests for this user"
    assert int(answers[-1].headers["retry-after"]) >= 1


async def test_large_bodies_are_413(
    strict: App, make_client: Callable[[FastAPI], httpx.AsyncClient]
) -> None:
    async with make_client(create_app(strict, passwords=FAST_PASSWORDS)) as client:
        declared = await client.post(
            "/api/v1/auth/token",
            content=b"username=a&password=" + b"x" * 4000,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"x" * 1000

        streamed = await client.post(
            "/api/v1/auth/refresh",
            content=chunks(),
            headers={"content-type": "application/json"},
        )

    assert_problem(declared, 413, "payload_too_large")
    assert_problem(streamed, 413, "payload_too_large")
