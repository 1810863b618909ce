"""ApiState: what the routers share (container, token codec, limiters, cache, jobs, metrics)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request  # noqa: TC002 - FastAPI resolves the annotation at runtime

if TYPE_CHECKING:
    from tracktion.api.caching import ReadCache
    from tracktion.api.container import ApiContainer
    from tracktion.api.jobs import Jobs
    from tracktion.api.metrics import ApiMetrics
    from tracktion.api.passwords import Passwords
    from tracktion.api.ratelimit import RateLimiter
    from tracktion.api.tokens import TokenCodec


@dataclass
class ApiState:
    """One per app, kept in ``app.state.api``."""

    container: ApiContainer
    codec: TokenCodec
    passwords: Passwords
    user_limiter: RateLimiter
    metrics: ApiMetrics
    reads: ReadCache
    jobs: Jobs


async def api_state(request: Request) -> ApiState:
    """The state of the app serving ``request``."""
    state: ApiState = request.app.state.api
    return state
