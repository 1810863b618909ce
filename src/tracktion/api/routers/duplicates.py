"""Duplicates: groups of byte-identical files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import TypeAdapter

from tracktion.api.dto import duplicate_group_out
from tracktion.api.read_route import CachedReadRoute, cached_read, read_key
from tracktion.api.routers import API_PREFIX
from tracktion.api.schemas.common import problems
from tracktion.api.schemas.tracks import DuplicateGroupOut
from tracktion.api.security import VIEWER
from tracktion.api.state import ApiState, api_state

router = APIRouter(
    prefix=f"{API_PREFIX}/duplicates",
    tags=["duplicates"],
    responses=problems(401, 403, 429),
    route_class=CachedReadRoute,
)
_GROUPS = TypeAdapter(list[DuplicateGroupOut])


@router.get("", response_model=list[DuplicateGroupOut], dependencies=[VIEWER])
@cached_read
async def list_duplicates(
    request: Request, state: Annotated[ApiState, Depends(api_state)]
) -> Response:
    """Groups of present tracks with identical bytes, largest first."""

    async def build() -> bytes:
        groups = await state.container.store.duplicates()
        return _GROUPS.dump_json([duplicate_group_out(group) for group in groups])

    body = await state.reads.get_or_build(read_key(request), build)
    return Response(body, media_type="application/json")
