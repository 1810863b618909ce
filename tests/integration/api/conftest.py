"""A bootstrapped App over a small scanned library, on SQLite and on PostgreSQL, with the API
in front of it (httpx over ASGI) and one signed-in client per role."""

import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from tracktion.api.app import create_app
from tracktion.api.passwords import Passwords
from tracktion.bootstrap import App, bootstrap
from tracktion.config import load_settings
from tracktion.core.users import Role, User

CORPUS = Path(__file__).parents[2] / "fixtures" / "corpus" / "tracks"
LIBRARY_FILES = (
    "11 - Ólöf Brandr - Neon Drive (Original Mix).flac",
    "02 ÓLÖF BRANDR - night garden (dj pelmeni remix).mp3",
    "07 - DJ Pelmeni - Golden Circuit (Extended Mix).ogg",
    "03. Night Circuit.m4a",
    "Inês Açaí - Hollow Avenue (Radio Edit).opus",
)
JWT_SECRET = "integration-tests-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
SERVICE_TOKEN = "integration-tests-service-token-0123456789-abcdef"
PASSWORD = "correct horse battery staple"
# Real argon2id with small costs: the tests sign in many times.
FAST_PASSWORDS = Passwords(PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, scratch_postgres: Any
) -> AsyncIterator[str]:
    """An empty database of each backend (bootstrap migrates it)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'data' / 'tracktion.db'}"
        return
    async with scratch_postgres("tracktion_api") as url:
        yield url


@pytest.fixture
def music(tmp_path: Path) -> Path:
    """A library root with five tracks and one byte-identical copy (a duplicate)."""
    root = tmp_path / "Music"
    (root / "copies").mkdir(parents=True)
    for name in LIBRARY_FILES:
        shutil.copy(CORPUS / name, root / name)
    shutil.copy(CORPUS / LIBRARY_FILES[0], root / "copies" / "Neon Drive copy.flac")
    return root


TEST_REDIS_URL = os.environ.get("TRACKTION_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
"""The PostgreSQL runs use Redis as the cache (the distributed pairing); this database is
flushed before each test, so use one nothing else keeps data in."""


def _fresh_redis() -> str | None:
    """The test Redis database, emptied; None (memory cache) when Redis does not answer."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        logging.getLogger(__name__).warning(
            "API suite on PostgreSQL: Redis at %s unavailable (%s): memory cache",
            TEST_REDIS_URL,
            exc,
        )
        return None
    finally:
        client.close()
    return TEST_REDIS_URL


def api_settings(tmp_path: Path, database_url: str, music: Path, **overrides: Any) -> Any:
    """Settings for the API tests: PostgreSQL runs pair with Redis, SQLite with the memory cache."""
    if database_url.startswith("postgresql") and "cache_url" not in overrides:
        redis_url = _fresh_redis()
        if redis_url is not None:
            overrides["cache_url"] = redis_url
    options: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "library_roots": [music],
        "jwt_secret": JWT_SECRET,
        "service_token": SERVICE_TOKEN,
        "scan_workers": 2,
        "rate_limit_per_s": 1000.0,
        "rate_limit_burst": 1000,
    }
    options.update(overrides)
    return load_settings(**options)


async def scanned_app(settings: Any, music: Path, *, analysis: bool = False) -> App:
    """Bootstrap, scan ``music``, add one user per role (password :data:`PASSWORD`)."""
    app = await bootstrap(settings, analysis=analysis)
    await app.scanner().scan([str(music)])
    await app.bus.wait_idle()
    for role in Role:
        await app.users.add(
            User(
                str(uuid.uuid4()),
                role.value,
                FAST_PASSWORDS.hash_sync(PASSWORD),
                role,
                datetime.now(UTC),
            )
        )
    return app


@pytest.fixture
def make_client() -> Callable[[FastAPI], httpx.AsyncClient]:
    def make(api: FastAPI) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test")

    return make


@pytest.fixture
async def container(tmp_path: Path, database_url: str, music: Path) -> AsyncIterator[App]:
    app = await scanned_app(api_settings(tmp_path, database_url, music), music)
    yield app
    await app.close()


@pytest.fixture
async def api(container: App) -> AsyncIterator[FastAPI]:
    application = create_app(container, passwords=FAST_PASSWORDS)
    yield application
    await application.state.api.jobs.wait()


@pytest.fixture
async def anonymous(
    api: FastAPI, make_client: Callable[[FastAPI], httpx.AsyncClient]
) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(api) as client:
        yield client


async def sign_in(client: httpx.AsyncClient, username: str) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


async def viewer_from_addresses(api: FastAPI, path: str, addresses: int) -> list[httpx.Response]:
    """Sign the viewer in from 10.0.0.0, then GET ``path`` once from each of ``addresses``
    other addresses (the per-address limit never applies: only the user's does)."""
    transports = [
        httpx.ASGITransport(app=api, client=(f"10.0.0.{n}", 1234)) for n in range(addresses + 1)
    ]
    async with httpx.AsyncClient(transport=transports[0], base_url="http://test") as login:
        token = (await sign_in(login, "viewer"))["access_token"]
    answers = []
    for transport in transports[1:]:
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://test",
            headers={"Authorization": f"Bearer {token}"},
        ) as client:
            answers.append(await client.get(path))
    return answers


SignedIn = Callable[[str], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def signed_in(
    api: FastAPI, make_client: Callable[[FastAPI], httpx.AsyncClient]
) -> AsyncIterator[SignedIn]:
    """``await signed_in("editor")``: a client with that role's bearer token."""
    clients: list[httpx.AsyncClient] = []

    async def make(role: str) -> httpx.AsyncClient:
        client = make_client(api)
        clients.append(client)
        tokens = await sign_in(client, role)
        client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        return client

    yield make
    for client in clients:
        await client.aclose()
