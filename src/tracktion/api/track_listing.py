"""Track lists: API filters -> TrackQuery, and cursor pages that survive catalog changes."""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

from tracktion.api.dto import sort_value, track_out
from tracktion.api.pagination import Cursor, InvalidCursorError, query_fingerprint
from tracktion.api.problems import ProblemError
from tracktion.api.schemas.tracks import TrackPage
from tracktion.core.keys import camelot_codes
from tracktion.core.query import TrackQuery

if TYPE_CHECKING:
    from tracktion.api.schemas.tracks import TrackFilters
    from tracktion.core.models import Track
    from tracktion.core.ports import CatalogStore

WINDOW = 100
"""How far (in items) a cursor's last track is looked for when the catalog changed."""


def _invalid(detail: str, field: str) -> ProblemError:
    return ProblemError(
        422,
        "validation_error",
        detail,
        extra={"errors": [{"loc": ["query", field], "msg": detail, "type": "value_error"}]},
    )


def to_query(filters: TrackFilters) -> TrackQuery:
    """The catalog query for these filters (no paging)."""
    camelot: tuple[str, ...] = ()
    if filters.key:
        try:
            camelot = camelot_codes(filters.key, compatible=filters.compatible)
        except ValueError as exc:
            raise _invalid(str(exc), "key") from exc
    return TrackQuery(
        text=filters.q,
        artist=filters.artist,
        title=filters.title,
        album=filters.album,
        genre=filters.genre,
        formats=tuple(dict.fromkeys(filters.format)),
        statuses=tuple(dict.fromkeys(filters.status)),
        path_prefix=os.path.normpath(filters.path) if filters.path else None,
        bpm_min=filters.bpm_min,
        bpm_max=filters.bpm_max,
        camelot=camelot,
        moods=tuple(dict.fromkeys(filters.mood)),
        energy_min=filters.energy_min,
        energy_max=filters.energy_max,
        needs_review=filters.needs_review,
        sort=filters.sort,
        descending=filters.order == "desc",
    )


async def track_page(store: CatalogStore, filters: TrackFilters) -> TrackPage:
    """One page of tracks and the cursor of the next."""
    query = to_query(filters)
    fingerprint = query_fingerprint(dataclasses.asdict(query))
    limit = filters.limit
    if filters.cursor is None:
        start, items = 0, await _fetch(store, query, 0, limit + 1)
    else:
        try:
            cursor = Cursor.decode(filters.cursor, fingerprint)
        except InvalidCursorError as exc:
            raise _invalid(str(exc), "cursor") from exc
        start, items = await _after(store, query, cursor, limit)
    page = items[:limit]
    next_cursor = None
    if len(items) > limit:
        last = page[-1]
        next_cursor = Cursor(
            fingerprint, start + len(page), last.id, sort_value(last, query.sort)
        ).encode()
    return TrackPage(items=[track_out(t) for t in page], next_cursor=next_cursor, limit=limit)


async def _fetch(store: CatalogStore, query: TrackQuery, offset: int, limit: int) -> list[Track]:
    return await store.list_tracks(dataclasses.replace(query, offset=offset, limit=limit))


async def _after(
    store: CatalogStore, query: TrackQuery, cursor: Cursor, limit: int
) -> tuple[int, list[Track]]:
    """(offset of the first item, items) following the cursor's last track."""

    def is_anchor(track: Track) -> bool:
        return track.id == cursor.last_id and sort_value(track, query.sort) == cursor.last_key

    anchor = cursor.offset - 1
    near = await _fetch(store, query, anchor, limit + 2)
    if near and is_anchor(near[0]):
        return cursor.offset, near[1:]
    low = max(0, anchor - WINDOW)
    window = await _fetch(store, query, low, 2 * WINDOW + 1)
    for index, track in enumerate(window):
        if is_anchor(track):
            start = low + index + 1
            return start, await _fetch(store, query, start, limit + 1)
    return cursor.offset, await _fetch(store, query, cursor.offset, limit + 1)
