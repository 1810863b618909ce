"""create_app: the FastAPI application over a wired container."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from tracktion.api.caching import ReadCache
from tracktion.api.docs import install_docs
from tracktion.api.jobs import Jobs
from tracktion.api.metrics import ApiMetrics
from tracktion.api.middleware import RequestPipeline
from tracktion.api.passwords import Passwords
from tracktion.api.problems import install_problem_handlers
from tracktion.api.ratelimit import RateLimiter
from tracktion.api.routers import (
    API_PREFIX,
    auth,
    duplicates,
    events,
    jobs,
    library,
    search,
    status,
    tracklists,
    tracks,
    users,
)
from tracktion.api.state import ApiState
from tracktion.api.tokens import TokenCodec, codec_for

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tracktion.api.container import ApiContainer

DESCRIPTION = """Tracktion's catalog over HTTP.

Sign in with `POST /api/v1/auth/token` (form: username, password), then send
`Authorization: Bearer <access_token>`. Errors are `application/problem+json` (RFC 9457) with a
stable `code`: not_found, validation_error, unauthorized, forbidden, rate_limited,
payload_too_large, conflict, unavailable, internal; tracklist imports also answer 502 with
blocked (the site served a challenge page) or upstream_error (the fetch failed).
"""


def create_app(
    container: ApiContainer,
    *,
    codec: TokenCodec | None = None,
    passwords: Passwords | None = None,
) -> FastAPI:
    """The API over ``container`` (which the caller keeps and closes).

    ``codec`` defaults to the one the settings describe (secret from settings or ``data_dir``).
    """
    settings = container.settings
    metrics = ApiMetrics()
    state = ApiState(
        container=container,
        codec=codec or codec_for(settings),
        passwords=passwords or Passwords(),
        user_limiter=RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst),
        metrics=metrics,
        reads=ReadCache(container.cache, settings.api_cache_ttl_s, metrics),
        jobs=Jobs(container.jobs),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await state.jobs.cancel()

    app = FastAPI(
        title="Tracktion API",
        version="1",
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.api = state
    install_problem_handlers(app)
    # probes first: /health and /ready are matched without walking every API route
    routers = (status, tracks, duplicates, search, tracklists, events, library, jobs, auth, users)
    for module in routers:
        app.include_router(module.router)
    install_docs(app)
    app.add_middleware(
        RequestPipeline,
        metrics=metrics,
        ip_limiter=RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst),
        max_body_bytes=settings.max_body_bytes,
    )
    return app
