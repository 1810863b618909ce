"""Events: the newest entries of the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tracktion.api.dto import event_out
from tracktion.api.routers import API_PREFIX
from tracktion.api.schemas.common import problems
from tracktion.api.schemas.status import EventOut
from tracktion.api.security import VIEWER
from tracktion.api.state import ApiState, api_state

router = APIRouter(
    prefix=f"{API_PREFIX}/events", tags=["events"], responses=problems(401, 403, 422, 429)
)
TOPIC_PATTERN = r"^(?:[a-z_]+|\*|#)(?:\.(?:[a-z_]+|\*|#))*$"


@router.get("", response_model=list[EventOut], dependencies=[VIEWER])
async def recent_events(
    state: Annotated[ApiState, Depends(api_state)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    type: Annotated[
        str, Query(max_length=100, pattern=TOPIC_PATTERN, description="Topic, e.g. file.*")
    ] = "#",
) -> list[EventOut]:
    """Newest events first, optionally only those whose type matches a topic pattern."""
    return [event_out(event) for event in await state.container.events.recent(limit, type)]
