"""Fixtures shared by the integration tiers: a scratch PostgreSQL database per test, and
sites served over HTTP on loopback.

PostgreSQL: ``TRACKTION_TEST_POSTGRES_URL`` (default: the local server, database ``test``);
each database is created for one test and dropped afterwards; tests skip when the server does
not answer.
"""

import os
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

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


@dataclass(frozen=True)
class Reply:
    """One answer of a loopback site."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200


Route = Reply | Callable[[Mapping[str, list[str]]], Reply]
"""A fixed reply, or a function of the request's query string (as ``parse_qs`` reads it)."""

Serve = Callable[[Mapping[str, Route]], str]

_NOT_FOUND = Reply(b"not found", "text/plain", 404)


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    routes: Mapping[str, Route]


class _SiteHandler(BaseHTTPRequestHandler):
    """Answers GET from the server's routes, by path (the query string is not part of it)."""

    server: _SiteServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        route = self.server.routes.get(parts.path, _NOT_FOUND)
        reply = route(parse_qs(parts.query)) if callable(route) else route
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def serve() -> Iterator[Serve]:
    """``serve(routes)``: a site on 127.0.0.1 answering GET ``path -> Reply``, other paths 404.

    Returns the site's ``host:port`` (what ``fetch_allowed_hosts`` takes). Module-scoped, so
    module-scoped fixtures can serve a site; every server started is shut down after the
    module's tests.
    """
    running: list[tuple[_SiteServer, threading.Thread]] = []

    def start(routes: Mapping[str, Route]) -> str:
        server = _SiteServer(("127.0.0.1", 0), _SiteHandler)
        server.routes = routes
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        running.append((server, thread))
        return f"127.0.0.1:{server.server_address[1]}"

    yield start
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join()
