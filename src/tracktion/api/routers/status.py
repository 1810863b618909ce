"""Pipeline status, liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import TYPE_CHECKING, Annotated, Final

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from tracktion.api.read_route import CachedReadRoute, cached_read, read_key
from tracktion.api.routers import API_PREFIX
from tracktion.api.schemas.common import problems
from tracktion.api.schemas.status import (
    CheckOut,
    HealthOut,
    OutboxOut,
    QueueOut,
    ReadyOut,
    StatusOut,
    WorkerOut,
)
from tracktion.api.security import VIEWER
from tracktion.api.state import ApiState, api_state
from tracktion.pipeline_status import pipeline_status

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable


logger = logging.getLogger(__name__)
router = APIRouter(tags=["status"], route_class=CachedReadRoute)
State = Annotated[ApiState, Depends(api_state)]
CHECK_TIMEOUT_S: Final = 2.0
_PENDING_LIMIT: Final = 1_000_000
STATUS_TTL_S: Final = 2.0


@router.get("/health", response_model=HealthOut)
async def health() -> HealthOut:
    """Liveness: the process answers (no I/O)."""
    return HealthOut(status="ok")


@router.get("/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
async def ready(state: State) -> JSONResponse:
    """Readiness: the database, the bus and the cache answer (503 names what failed)."""
    container = state.container
    probe_key = f"api:ready:{uuid.uuid4().hex}"

    async def cache_roundtrip() -> None:
        await container.cache.set(probe_key, "1", 5.0)
        if await container.cache.get(probe_key) != "1":
            raise RuntimeError("cache did not return what was stored")
        await container.cache.delete(probe_key)

    checks = dict(
        zip(
            ("database", "bus", "cache"),
            await asyncio.gather(
                _check("database", container.store.status_counts),
                _check("bus", lambda: container.bus.publish([])),
                _check("cache", cache_roundtrip),
            ),
            strict=True,
        )
    )
    ok = all(check.ok for check in checks.values())
    body = ReadyOut(status="ready" if ok else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ok else 503)


async def _check(name: str, probe: Callable[[], Awaitable[object]]) -> CheckOut:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe(), CHECK_TIMEOUT_S)
    except Exception as exc:  # the endpoint is public: the kind of failure only, details logged
        logger.warning("readiness check %s failed: %s", name, exc)
        return CheckOut(ok=False, detail=type(exc).__name__, duration_ms=_ms(started))
    return CheckOut(ok=True, duration_ms=_ms(started))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, **problems(401, 403)},
    dependencies=[VIEWER],
)
async def metrics(state: State) -> Response:
    """Prometheus metrics (send a token or the service secret)."""
    return Response(await state.metrics.render(state.container), media_type=CONTENT_TYPE_LATEST)


@router.get(
    f"{API_PREFIX}/status",
    response_model=StatusOut,
    responses=problems(401, 403, 429),
    dependencies=[VIEWER],
)
@cached_read
async def status(request: Request, state: State) -> Response:
    """Tracks by status, analyses pending, events stored, broker queues, outbox and workers.

    Cached for at most a few seconds (queue depths and heartbeats change without events).
    """
    container = state.container

    async def build() -> bytes:
        counts = await container.store.status_counts()
        pipeline = await pipeline_status(container)
        workers = [
            WorkerOut.model_validate(worker, from_attributes=True) for worker in pipeline.workers
        ]
        queues = None
        if pipeline.queues is not None:
            queues = [
                QueueOut(
                    queue=q.name,
                    messages=q.messages,
                    consumers=q.consumers,
                    retrying=q.retrying,
                    parked=q.parked,
                )
                for q in pipeline.queues
            ]
        return (
            StatusOut(
                tracks=counts,
                total_tracks=sum(counts.values()),
                analysis_pending=len(await container.analyses.missing(_PENDING_LIMIT)),
                events_stored=await container.events.count(),
                queues=queues,
                queues_error=pipeline.queues_error,
                outbox=OutboxOut.model_validate(pipeline.outbox),
                workers=workers,
                workers_alive=sum(worker.alive for worker in workers),
            )
            .model_dump_json()
            .encode()
        )

    body = await state.reads.get_or_build(read_key(request), build, ttl_s=STATUS_TTL_S)
    return Response(body, media_type="application/json")
