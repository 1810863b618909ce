"""Folds a batch of catalog changes into final row states, in memory, in event order.

The store prefetches the rows the batch mentions, lets a ChangeBatch apply every change to them,
then writes the result with a handful of bulk statements. Folding first keeps the unique path
constraint satisfied whatever the order (a move onto an occupied path, a create after a move).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tracktion.core.changes import (
    HistoryAction,
    MarkMissing,
    MoveTrack,
    RecordObservation,
    TrackChange,
)
from tracktion.core.ids import new_track_id
from tracktion.core.models import FileObservation, TrackStatus

from .rows import display_path, inode_to_db, observation_columns, path_key

if TYPE_CHECKING:
    from datetime import datetime

Row = dict[str, Any]


@dataclass
class ChangeBatch:
    """Mutable working set of rows for one transaction."""

    now: datetime
    by_path: dict[bytes, Row]
    """Current rows keyed by path bytes (prefetched, then kept up to date)."""
    new_ids: set[str] = field(default_factory=set)
    dirty_ids: set[str] = field(default_factory=set)
    rows: dict[str, Row] = field(default_factory=dict)
    original_paths: dict[str, bytes | None] = field(default_factory=dict)
    history: list[Row] = field(default_factory=list)

    def __post_init__(self) -> None:
        for row in self.by_path.values():
            self.rows[row["id"]] = row
            self.original_paths[row["id"]] = row["path_bytes"]

    def apply(self, change: TrackChange) -> None:
        """Fold one change into the working set."""
        if isinstance(change, RecordObservation):
            self._record(change.event_id, change.action, change.observation)
        elif isinstance(change, MoveTrack):
            self._move(change)
        else:
            self._mark_missing(change)

    def ids_with_new_path(self) -> list[str]:
        """Ids of stored rows whose path changes (they are cleared before rows are written)."""
        return [
            track_id
            for track_id in self.dirty_ids - self.new_ids
            if self.rows[track_id]["path_bytes"] != self.original_paths[track_id]
        ]

    def _record(self, event_id: str, action: HistoryAction, observation: FileObservation) -> None:
        key = path_key(observation.path)
        row = self.by_path.get(key)
        status = TrackStatus.ERROR if observation.error else TrackStatus.OK
        values = observation_columns(observation)
        if row is None:
            row = {
                "id": new_track_id(),
                **values,
                "status": status.value,
                "first_seen_at": self.now,
                "updated_at": self.now,
                "missing_since": None,
            }
            self.rows[row["id"]] = row
            self.by_path[key] = row
            self.new_ids.add(row["id"])
            self.dirty_ids.add(row["id"])
            self._log(row["id"], action, event_id, {"path": row["path"], "sha256": row["sha256"]})
            return
        previous_sha, previous_status = row["sha256"], row["status"]
        row.update(values, status=status.value, updated_at=self.now, missing_since=None)
        self.dirty_ids.add(row["id"])
        detail: dict[str, Any] = {"path": row["path"], "sha256": row["sha256"]}
        if previous_status == TrackStatus.MISSING.value:
            self._log(row["id"], HistoryAction.RESTORED, event_id, detail)
        elif previous_sha != row["sha256"] or previous_status != row["status"]:
            detail["previous_sha256"] = previous_sha
            self._log(row["id"], HistoryAction.MODIFIED, event_id, detail)

    def _move(self, change: MoveTrack) -> None:
        source = self.by_path.get(path_key(change.old_path))
        if source is None:
            if change.observation is not None:
                self._record(change.event_id, HistoryAction.CREATED, change.observation)
            return
        new_key = path_key(change.stat.path)
        occupant = self.by_path.get(new_key)
        if occupant is not None and occupant["id"] != source["id"]:
            self._displace(occupant, change.event_id, by=source["id"])
        del self.by_path[path_key(change.old_path)]
        if change.observation is not None:
            status = TrackStatus.ERROR if change.observation.error else TrackStatus.OK
            source.update(observation_columns(change.observation), status=status.value)
        else:
            source.update(
                path=display_path(change.stat.path),
                path_bytes=new_key,
                size=change.stat.size,
                mtime_ns=change.stat.mtime_ns,
                inode=inode_to_db(change.stat.inode),
            )
        source.update(updated_at=self.now, missing_since=None)
        self.by_path[new_key] = source
        self.dirty_ids.add(source["id"])
        detail = {"from": display_path(change.old_path), "to": source["path"]}
        self._log(source["id"], HistoryAction.MOVED, change.event_id, detail)

    def _displace(self, row: Row, event_id: str, *, by: str) -> None:
        del self.by_path[row["path_bytes"]]
        row.update(
            path_bytes=None,
            status=TrackStatus.MISSING.value,
            missing_since=self.now,
            updated_at=self.now,
        )
        self.dirty_ids.add(row["id"])
        self._log(row["id"], HistoryAction.DISPLACED, event_id, {"path": row["path"], "by": by})

    def _mark_missing(self, change: MarkMissing) -> None:
        row = self.by_path.get(path_key(change.path))
        if row is None or row["status"] == TrackStatus.MISSING.value:
            return
        row.update(status=TrackStatus.MISSING.value, missing_since=self.now, updated_at=self.now)
        self.dirty_ids.add(row["id"])
        self._log(row["id"], HistoryAction.MISSING, change.event_id, {"path": row["path"]})

    def _log(self, track_id: str, action: HistoryAction, event_id: str, detail: Row) -> None:
        self.history.append(
            {
                "track_id": track_id,
                "occurred_at": self.now,
                "action": action.value,
                "detail": detail,
                "event_id": event_id,
            }
        )
