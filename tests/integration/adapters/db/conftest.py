"""Catalog database backends for the contract suite: SQLite always, PostgreSQL when reachable.

PostgreSQL: ``TRACKTION_TEST_POSTGRES_URL`` (default: the local server, database ``test``);
every test gets a database of its own, dropped afterwards.
"""

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tracktion.adapters.db.engine import create_engine, upgrade

POSTGRES_URL = os.environ.get(
    "TRACKTION_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


async def _admin(statement: str) -> None:
    """Run a statement outside a transaction on the PostgreSQL server (skip if unreachable)."""
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL backend: asyncpg is not installed (pip install '.[postgres]')")
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
    except OSError as exc:
        pytest.skip(f"PostgreSQL backend: {POSTGRES_URL} not reachable ({exc})")
    finally:
        await engine.dispose()


async def _migrated(url: str) -> str:
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database (no schema) of each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"
        return
    name = f"tracktion_test_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def database_url(empty_database_url: str) -> str:
    """A migrated, empty catalog database of each backend."""
    return await _migrated(empty_database_url)
