"""File events as the watcher publishes them, and the in-memory index of what is known.

Payloads: ``file.discovered`` / ``file.created`` / ``file.modified`` carry ``observation``;
``file.moved`` carries ``old_path``, ``path``, ``stat`` and ``observation`` (null when the
content is known to be unchanged); ``file.deleted`` carries ``path``.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from tracktion.core.events import Event, EventType
from tracktion.core.ids import TrackId
from tracktion.core.models import FileObservation, FileStat, KnownFile, TrackStatus

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping


def observed(type_: str, observation: FileObservation) -> Event:
    """A discovered/created/modified event for an observation."""
    return Event(type_, {"path": observation.path, "observation": observation.to_dict()})


def moved(old_path: str, stat: FileStat, observation: FileObservation | None) -> Event:
    """A moved event; ``observation`` None means same bytes, known tags."""
    return Event(
        EventType.FILE_MOVED,
        {
            "old_path": old_path,
            "path": stat.path,
            "stat": {
                "path": stat.path,
                "size": stat.size,
                "mtime_ns": stat.mtime_ns,
                "inode": stat.inode,
            },
            "observation": observation.to_dict() if observation else None,
        },
    )


def deleted(path: str) -> Event:
    """A deleted event."""
    return Event(EventType.FILE_DELETED, {"path": path})


class FileIndex:
    """What the watcher believes the catalog knows, kept current as it publishes events."""

    def __init__(self, known: Mapping[str, KnownFile]) -> None:
        self._known: dict[str, KnownFile] = {}
        self._paths_by_sha: dict[str, set[str]] = defaultdict(set)
        for entry in known.values():
            self._put(entry)

    def get(self, path: str) -> KnownFile | None:
        """The known state of a path, if any."""
        return self._known.get(path)

    def with_sha256(self, sha256: str) -> list[KnownFile]:
        """Known, present files with these bytes."""
        found = (self._known[path] for path in self._paths_by_sha.get(sha256, ()))
        return sorted(
            (entry for entry in found if entry.status != TrackStatus.MISSING),
            key=lambda entry: entry.stat.path,
        )

    def _put(self, entry: KnownFile) -> None:
        self._drop(entry.stat.path)
        self._known[entry.stat.path] = entry
        if entry.sha256:
            self._paths_by_sha[entry.sha256].add(entry.stat.path)

    def _drop(self, path: str) -> KnownFile | None:
        entry = self._known.pop(path, None)
        if entry is not None and entry.sha256:
            self._paths_by_sha[entry.sha256].discard(path)
        return entry

    def under(self, directory: str) -> Iterator[KnownFile]:
        """Known, present files below ``directory``."""
        prefix = os.path.join(directory, "")
        for path, known in list(self._known.items()):
            if path.startswith(prefix) and known.status != TrackStatus.MISSING:
                yield known

    def record(self, event: Event) -> None:
        """Update the index with an event about to be published."""
        payload = event.payload
        if event.type == EventType.FILE_DELETED:
            known = self._known.get(payload["path"])
            if known is not None:
                self._put(KnownFile(known.track_id, known.stat, known.sha256, TrackStatus.MISSING))
            return
        if event.type == EventType.FILE_MOVED:
            previous = self._drop(payload["old_path"])
            sha256 = previous.sha256 if previous else None
            if payload["observation"]:
                sha256 = _sha256_of(payload["observation"])
            track_id = previous.track_id if previous else TrackId("")
            self._put(KnownFile(track_id, FileStat(**payload["stat"]), sha256, TrackStatus.OK))
            return
        observation = payload["observation"]
        stat = FileStat(**observation["stat"])
        previous = self._known.get(stat.path)
        self._put(
            KnownFile(
                previous.track_id if previous else TrackId(""),
                stat,
                _sha256_of(observation),
                TrackStatus.ERROR if observation["error"] else TrackStatus.OK,
            )
        )


def _sha256_of(observation: dict[str, Any]) -> str | None:
    fingerprint = observation.get("fingerprint")
    return fingerprint["sha256"] if fingerprint else None
