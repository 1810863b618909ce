"""Catalog changes: what a file event asks the catalog to do, as plain commands.

The catalog service turns each file event into one change; the catalog store applies a batch of
them in one transaction, idempotently (an event id already handled is skipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracktion.core.models import FileObservation, FileStat


class HistoryAction(StrEnum):
    """What happened to a track, as its history shows it."""

    DISCOVERED = "discovered"
    CREATED = "created"
    MODIFIED = "modified"
    RESTORED = "restored"
    MOVED = "moved"
    MISSING = "missing"
    DISPLACED = "displaced"


@dataclass(frozen=True, slots=True)
class RecordObservation:
    """A file was seen at ``observation.path``: insert or update the track at that path."""

    event_id: str
    action: HistoryAction
    observation: FileObservation


@dataclass(frozen=True, slots=True)
class MoveTrack:
    """The track at ``old_path`` now lives at ``stat.path``.

    ``observation`` is None when the bytes are known unchanged (a plain rename): only the path
    and stat change then.
    """

    event_id: str
    old_path: str
    stat: FileStat
    observation: FileObservation | None


@dataclass(frozen=True, slots=True)
class MarkMissing:
    """The file at ``path`` is gone: keep the track, mark it missing."""

    event_id: str
    path: str


TrackChange = RecordObservation | MoveTrack | MarkMissing
