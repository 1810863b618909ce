"""Catalog database backends for the contract suite: SQLite always, PostgreSQL when reachable
(a scratch database per test, see ``tests/integration/conftest.py``)."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tracktion.adapters.db.engine import create_engine, upgrade


async def _migrated(url: str) -> str:
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, scratch_postgres: Any
) -> AsyncIterator[str]:
    """An empty database (no schema) of each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"
        return
    async with scratch_postgres("tracktion_test") as url:
        yield url


@pytest.fixture
async def database_url(empty_database_url: str) -> str:
    """A migrated, empty catalog database of each backend."""
    return await _migrated(empty_database_url)
