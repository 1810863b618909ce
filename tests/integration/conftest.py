"""Fixtures shared by the integration tiers: a scratch PostgreSQL database per test.

PostgreSQL: ``TRACKTION_TEST_POSTGRES_URL`` (default: the local server, database ``test``);
each database is created for one test and dropped afterwards; tests skip when the server does
not answer.
"""

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tracktion.adapters.db.engine import create_engine

POSTGRES_URL = os.environ.get(
    "TRACKTION_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)

ScratchPostgres = Callable[[str], AbstractAsyncContextManager[str]]


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


@asynccontextmanager
async def _scratch_database(prefix: str) -> AsyncIterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_postgres() -> ScratchPostgres:
    """``async with scratch_postgres("prefix") as url``: an empty database, dropped after."""
    return _scratch_database
