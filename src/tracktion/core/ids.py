"""Identifiers: time-ordered UUIDv7 strings for events and tracks."""

from typing import NewType

import uuid6

TrackId = NewType("TrackId", str)
"""A track's stable identity: survives moves, renames and tag edits."""

EventId = NewType("EventId", str)
"""An event's unique id (UUIDv7, so ids sort by creation time)."""


def new_id() -> str:
    """Return a new UUIDv7 as a canonical string."""
    return str(uuid6.uuid7())


def new_track_id() -> TrackId:
    """Return a new track id."""
    return TrackId(new_id())


def new_event_id() -> EventId:
    """Return a new event id."""
    return EventId(new_id())
