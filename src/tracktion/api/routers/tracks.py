"""Tracks: list (filters, sort, cursor pages), detail with analysis, history, re-analysis."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from tracktion.api.context import current_correlation_id
from tracktion.api.dto import history_out, track_detail
from tracktion.api.jobs import new_job
from tracktion.api.problems import ProblemError
from tracktion.api.read_route import CachedReadRoute, cached_read, read_key
from tracktion.api.routers import API_PREFIX
from tracktion.api.routers.jobs import job_out
from tracktion.api.schemas.common import problems
from tracktion.api.schemas.library import JobOut
from tracktion.api.schemas.tracks import (
    TRACK_ID_PATTERN,
    HistoryEntryOut,
    TrackDetail,
    TrackFilters,
    TrackPage,
)
from tracktion.api.security import EDITOR, VIEWER
from tracktion.api.state import ApiState, api_state
from tracktion.api.track_listing import track_page
from tracktion.core.errors import BusError
from tracktion.core.events import Event, EventType
from tracktion.core.jobs import JobKind, JobOutcome
from tracktion.core.models import Track, TrackStatus

router = APIRouter(
    prefix=f"{API_PREFIX}/tracks",
    tags=["tracks"],
    responses=problems(401, 403, 422, 429),
    route_class=CachedReadRoute,
)
State = Annotated[ApiState, Depends(api_state)]
TrackId = Annotated[str, Path(pattern=TRACK_ID_PATTERN, description="Track id (or 6+ of it)")]
JSON = "application/json"


async def _track(state: ApiState, track_id: str) -> Track:
    track = await state.container.store.get(track_id)
    if track is None:
        raise ProblemError(404, "not_found", f"no track {track_id!r}")
    fingerprint = track.observation.fingerprint
    if track.analysis is None and fingerprint is not None:
        # CatalogStore.get by id does not join the analysis (by path it does)
        analysis = await state.container.analyses.get(fingerprint.sha256)
        track = dataclasses.replace(track, analysis=analysis)
    return track


@router.get("", response_model=TrackPage, dependencies=[VIEWER])
@cached_read
async def list_tracks(
    request: Request, state: State, filters: Annotated[TrackFilters, Query()]
) -> Response:
    """Tracks matching the filters, one page at a time (``next_cursor`` -> ``cursor``)."""

    async def build() -> bytes:
        return (await track_page(state.container.store, filters)).model_dump_json().encode()

    return Response(await state.reads.get_or_build(read_key(request), build), media_type=JSON)


@router.get(
    "/{track_id}", response_model=TrackDetail, responses=problems(404), dependencies=[VIEWER]
)
@cached_read
async def get_track(request: Request, state: State, track_id: TrackId) -> Response:
    """One track with every algorithm's answer and its history."""

    async def build() -> bytes:
        track = await _track(state, track_id)
        history = await state.container.store.history(track.id)
        return track_detail(track, history).model_dump_json().encode()

    return Response(await state.reads.get_or_build(read_key(request), build), media_type=JSON)


@router.get(
    "/{track_id}/history",
    response_model=list[HistoryEntryOut],
    responses=problems(404),
    dependencies=[VIEWER],
)
async def track_history(state: State, track_id: TrackId) -> list[HistoryEntryOut]:
    """What happened to a track, oldest first."""
    track = await _track(state, track_id)
    return [history_out(entry) for entry in await state.container.store.history(track.id)]


@router.post(
    "/{track_id}/analysis",
    response_model=JobOut,
    status_code=202,
    responses=problems(404, 409, 503),
    dependencies=[EDITOR],
)
async def reanalyse(state: State, track_id: TrackId) -> JobOut:
    """Analyse the track's file again, in whichever process runs analysis; poll the job.

    Publishes ``analysis.requested``; the result arrives as ``analysis.completed``/``failed``
    (caused by the request) and finishes the job. 503 only on the in-process bus of a process
    without analysis workers, where nothing would ever take the request.
    """
    container = state.container
    track = await _track(state, track_id)
    fingerprint = track.observation.fingerprint
    if track.status != TrackStatus.OK or fingerprint is None:
        raise ProblemError(409, "conflict", f"track is {track.status.value}: nothing to analyse")
    if container.runner is None and container.settings.in_process_bus:
        raise ProblemError(
            503, "unavailable", "analysis does not run in this process (start `tracktion up`)"
        )
    correlation_id = current_correlation_id()
    request = Event(
        EventType.ANALYSIS_REQUESTED,
        {
            "sha256": fingerprint.sha256,
            "path": track.path,
            "genre": track.observation.tags.genre,
            "track_id": track.id,
        },
        correlation_id=correlation_id,
    )
    job = new_job(JobKind.ANALYSIS, track.id, correlation_id, request_event_id=request.id)
    await container.jobs.create(job)  # before publishing: the result may come back at once
    try:
        await container.bus.publish([request])
    except BusError as exc:
        await container.jobs.finish(job.id, JobOutcome(error=f"request not sent: {exc}"))
        raise ProblemError(503, "unavailable", f"could not request the analysis: {exc}") from exc
    return job_out(job)
