"""Search over tracks, artists and tracklists, ranked best first (cached reads)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from tracktion.api.problems import ProblemError
from tracktion.api.read_route import CachedReadRoute, cached_read, read_key
from tracktion.api.routers import API_PREFIX
from tracktion.api.schemas.common import problems
from tracktion.api.schemas.search import SearchOut, SearchParams
from tracktion.api.security import VIEWER
from tracktion.api.state import ApiState, api_state
from tracktion.core.search import ALL_KINDS, SearchFilters, SearchQuery

router = APIRouter(
    prefix=f"{API_PREFIX}/search",
    tags=["search"],
    responses=problems(401, 403, 422, 429),
    route_class=CachedReadRoute,
)
State = Annotated[ApiState, Depends(api_state)]


def search_query(params: SearchParams) -> SearchQuery:
    """The domain query for these parameters (422 when the text has nothing to search for)."""
    try:
        filters = SearchFilters(
            bpm_min=params.bpm_min,
            bpm_max=params.bpm_max,
            key=params.key,
            genre=params.genre,
            date_from=params.date_from.isoformat() if params.date_from else None,
            date_to=params.date_to.isoformat() if params.date_to else None,
        )
        return SearchQuery(params.q, frozenset(params.kind) or ALL_KINDS, params.limit, filters)
    except ValueError as exc:
        raise _invalid(str(exc)) from exc


def _invalid(detail: str) -> ProblemError:
    return ProblemError(
        422,
        "validation_error",
        detail,
        extra={"errors": [{"loc": ["query", "q"], "msg": detail, "type": "value_error"}]},
    )


@router.get("", response_model=SearchOut, dependencies=[VIEWER])
@cached_read
async def search(
    request: Request, state: State, params: Annotated[SearchParams, Query()]
) -> Response:
    """Tracks, artists and tracklists matching ``q`` (typos allowed), best first.

    Answers come from the cache until the catalog or the tracklists change.
    """
    query = search_query(params)

    async def build() -> bytes:
        try:
            results = await state.container.search.search(query)
        except ValueError as exc:  # text without letters or digits
            raise _invalid(str(exc)) from exc
        return SearchOut.model_validate(results.to_dict()).model_dump_json().encode()

    body = await state.reads.get_or_build(read_key(request), build)
    return Response(body, media_type="application/json")
