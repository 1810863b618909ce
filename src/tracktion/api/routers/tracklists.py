"""Tracklists: import (URL, library file or pasted text), list, detail with matches, CUE sheet."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from tracktion.api.caching import invalidate
from tracktion.api.dto import text
from tracktion.api.problems import ProblemError
from tracktion.api.read_route import CachedReadRoute, cached_read, read_key
from tracktion.api.routers import API_PREFIX
from tracktion.api.routers.library import inside_roots, invalid_path
from tracktion.api.schemas.common import problems
from tracktion.api.schemas.tracklists import (
    TRACKLIST_ID_PATTERN,
    TracklistImportIn,
    TracklistOut,
    TracklistPage,
    TracklistSummaryOut,
)
from tracktion.api.security import EDITOR, VIEWER
from tracktion.api.state import ApiState, api_state
from tracktion.api.tracklist_sources import import_source
from tracktion.core.errors import CueSheetError
from tracktion.tracklists.cue_writer import render_cue
from tracktion.tracklists.mix_cue import mix_cue_sheets

if TYPE_CHECKING:
    from tracktion.core.tracklist import Tracklist
    from tracktion.tracklists.service import TracklistMatches

router = APIRouter(
    prefix=f"{API_PREFIX}/tracklists",
    tags=["tracklists"],
    responses=problems(401, 403, 422, 429),
    route_class=CachedReadRoute,
)
State = Annotated[ApiState, Depends(api_state)]
TracklistId = Annotated[
    str, Path(pattern=TRACKLIST_ID_PATTERN, description="Tracklist id (or 6+ of it)")
]
JSON: Final = "application/json"
CUE: Final = "application/x-cue"
_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9 ._()&,+-]+")


def _summary(tracklist: Tracklist) -> dict[str, Any]:
    data = tracklist.to_dict()
    data.pop("entries")
    return data


def tracklist_out(found: TracklistMatches) -> TracklistOut:
    """A tracklist with its entries, matches and coverage."""
    data: dict[str, Any] = {**found.tracklist.to_dict(), **found.to_dict()}
    for match in data["matches"]:
        if match["track"] is not None:
            match["track"] = {**match["track"], "path": text(match["track"]["path"])}
    return TracklistOut.model_validate(data)


@router.post(
    "",
    response_model=TracklistOut,
    status_code=201,
    responses=problems(502, 503),
    dependencies=[EDITOR],
)
async def import_tracklist(
    state: State, body: TracklistImportIn, response: Response
) -> TracklistOut:
    """Import a tracklist, match its entries to the library and store it.

    ``source``: a 1001Tracklists or MixesDB URL (hosts on the fetch allow-list; 422 otherwise)
    or a file inside the library roots; or ``text`` pasted (``format`` forces the parser). A
    challenge page answers 502 ``blocked`` (nothing is stored), a failed fetch 502
    ``upstream_error``. The same source imported again updates the same tracklist.
    """
    container = state.container
    source = await import_source(body, container.settings)
    tracklist = await container.tracklists.import_(source, hint=body.format)
    await invalidate(container.cache)  # searches and lists see it now, not when the event lands
    found = await container.tracklists.matches(tracklist.id or "")
    response.headers["Location"] = f"{router.prefix}/{found.tracklist.id}"
    return tracklist_out(found)


@router.get("", response_model=TracklistPage, dependencies=[VIEWER])
@cached_read
async def list_tracklists(
    request: Request,
    state: State,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Title/DJ contains.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Imported tracklists, newest first, without their entries."""

    async def build() -> bytes:
        found = await state.container.tracklists.list_tracklists(limit + 1, offset, q)
        page = TracklistPage(
            items=[TracklistSummaryOut.model_validate(_summary(t)) for t in found[:limit]],
            limit=limit,
            offset=offset,
            next_offset=offset + limit if len(found) > limit else None,
        )
        return page.model_dump_json().encode()

    return Response(await state.reads.get_or_build(read_key(request), build), media_type=JSON)


@router.get(
    "/{tracklist_id}", response_model=TracklistOut, responses=problems(404), dependencies=[VIEWER]
)
@cached_read
async def get_tracklist(request: Request, state: State, tracklist_id: TracklistId) -> Response:
    """A tracklist's entries (cue times with their precision), library matches and coverage."""

    async def build() -> bytes:
        found = await state.container.tracklists.matches(tracklist_id)
        return tracklist_out(found).model_dump_json().encode()

    body = await state.reads.get_or_build(read_key(request), build)
    return Response(body, media_type=JSON)


@router.get(
    "/{tracklist_id}/cue",
    response_class=Response,
    responses={
        200: {
            "description": "The CUE sheet (UTF-8); X-Cue-Part / X-Cue-Parts tell which of how many",
            "content": {
                CUE: {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        },
        **problems(404),
    },
    dependencies=[VIEWER],
)
async def tracklist_cue(
    state: State,
    request: Request,
    tracklist_id: TracklistId,
    audio: Annotated[
        str,
        Query(min_length=1, max_length=4096, description="The mix's audio file (library roots)."),
    ],
    bom: Annotated[bool, Query(description="Start with a UTF-8 BOM.")] = False,
    crlf: Annotated[bool, Query(description="Windows line ends.")] = False,
    split: Annotated[bool, Query(description="Over 99 tracks: sheets of 99 (see part).")] = False,
    part: Annotated[int, Query(ge=1, le=100, description="With split: which sheet.")] = 1,
    truncate: Annotated[bool, Query(description="Over 99 tracks: keep the first 99.")] = False,
    skip_unknown: Annotated[
        bool, Query(description="Leave out entries without a cue time (else estimated).")
    ] = False,
) -> Response:
    """The CUE sheet of the mix in ``audio`` (its ``FILE`` line names the file, so save the sheet
    next to it). Over 99 tracks: 422 unless ``split`` or ``truncate``."""
    loc = ("query", "audio")
    path = inside_roots(audio, state.container.settings.library_roots, loc)
    if not path.is_file():
        raise invalid_path(audio, "is not a file", loc)
    if split and truncate:
        raise _invalid_query("choose split or truncate, not both", "split")
    found = await state.container.tracklists.matches(tracklist_id)
    try:
        sheets = await asyncio.to_thread(
            mix_cue_sheets,
            found.tracklist,
            path,
            path.name,
            split=split,
            truncate=truncate,
            skip_unknown=skip_unknown,
        )
    except CueSheetError as exc:
        raise _invalid_query(f"{exc} (use split=true or truncate=true)", "split") from exc
    if part > len(sheets):
        raise _invalid_query(f"part {part} asked for, the sheet has {len(sheets)}", "part")
    suffix = f".part{part}.cue" if len(sheets) > 1 else ".cue"
    fallback = (_NOT_ASCII_NAME.sub("_", path.stem).strip() or "mix") + suffix
    name = quote(text(path.stem) + suffix, safe="")
    accept = request.headers.get("accept", "")
    media = "text/plain" if "text/plain" in accept and CUE not in accept else CUE
    return Response(
        render_cue(sheets[part - 1], bom=bom, crlf=crlf),
        media_type=f"{media}; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{name}",
            "X-Cue-Part": str(part),
            "X-Cue-Parts": str(len(sheets)),
        },
    )


def _invalid_query(detail: str, field: str) -> ProblemError:
    return ProblemError(
        422,
        "validation_error",
        detail,
        extra={"errors": [{"loc": ["query", field], "msg": detail, "type": "value_error"}]},
    )
