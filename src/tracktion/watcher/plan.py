"""Reconciliation, the pure part: what changed on disk compared with what the catalog knows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracktion.core.events import Event, EventType
from tracktion.core.models import FileObservation, FileStat, KnownFile, TrackStatus
from tracktion.watcher import file_events

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


@dataclass
class ScanPlan:
    """Files to read (new or changed), how many are unchanged, and which known files vanished."""

    to_probe: list[FileStat]
    unchanged: int
    vanished: dict[str, KnownFile]


def plan_scan(found: Iterable[FileStat], known: Mapping[str, KnownFile]) -> ScanPlan:
    """Compare a walk with the catalog: unchanged = same (size, mtime_ns, inode), not missing."""
    to_probe: list[FileStat] = []
    unchanged = 0
    seen: set[str] = set()
    for stat in found:
        seen.add(stat.path)
        previous = known.get(stat.path)
        if (
            previous is not None
            and previous.status != TrackStatus.MISSING
            and previous.stat.same_as(stat)
        ):
            unchanged += 1
        else:
            to_probe.append(stat)
    vanished = {
        path: entry
        for path, entry in known.items()
        if path not in seen and entry.status != TrackStatus.MISSING
    }
    return ScanPlan(to_probe, unchanged, vanished)


@dataclass
class Reconciler:
    """Turns probe results into events: moves are found by hash among vanished files."""

    known: Mapping[str, KnownFile]
    vanished: dict[str, KnownFile]
    _by_hash: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self._by_hash = defaultdict(list)
        for path, entry in sorted(self.vanished.items()):
            if entry.sha256:
                self._by_hash[entry.sha256].append(path)

    def event_for(self, observation: FileObservation) -> Event:
        """discovered (new or back), modified (changed in place) or moved (a vanished twin)."""
        previous = self.known.get(observation.path)
        if previous is not None and previous.status != TrackStatus.MISSING:
            return file_events.observed(EventType.FILE_MODIFIED, observation)
        sha256 = observation.fingerprint.sha256 if observation.fingerprint else None
        candidates = self._by_hash.get(sha256 or "")
        if previous is None and candidates:
            old_path = candidates.pop(0)
            del self.vanished[old_path]
            return file_events.moved(old_path, observation.stat, observation)
        return file_events.observed(EventType.FILE_DISCOVERED, observation)

    def deletions(self) -> list[Event]:
        """Deleted events for vanished files that no move claimed."""
        return [file_events.deleted(path) for path in sorted(self.vanished)]
