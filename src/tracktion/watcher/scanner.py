"""Scanner: one pass over library folders that brings the catalog in line with the disk.

Walk (stat only) -> compare with the catalog -> read new/changed files in a thread pool ->
publish file events in batches -> publish deletions. Unchanged files are never reopened, and
every batch is committed as it goes, so an interrupted scan resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from tracktion.core.errors import ScanError
from tracktion.watcher.file_events import FileIndex
from tracktion.watcher.plan import Reconciler, plan_scan
from tracktion.watcher.probe_pool import probe_all
from tracktion.watcher.walk import Walk

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracktion.core.events import Event
    from tracktion.core.models import FileObservation, FileStat
    from tracktion.core.ports import CatalogStore, EventBus


class ScanProgress(Protocol):
    """Receives progress as a scan runs (the CLI draws bars from it)."""

    def walked(self, count: int) -> None:
        """``count`` more files were found by the walk."""

    def planned(self, to_read: int, unchanged: int) -> None:
        """The walk is done: this many files must be read, this many are unchanged."""

    def read(self, observation: FileObservation) -> None:
        """One file was read."""


@dataclass
class ScanReport:
    """What a scan did, for the summary table and ``--json``."""

    roots: tuple[str, ...]
    found: int = 0
    unchanged: int = 0
    read: int = 0
    bytes_read: int = 0
    events: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    elapsed_s: float = 0.0


class Scanner:
    """Scans roots and publishes ``file.*`` events; keeps a FileIndex for the live watcher."""

    def __init__(
        self,
        bus: EventBus,
        store: CatalogStore,
        *,
        workers: int,
        batch_size: int = 250,
    ) -> None:
        self._bus = bus
        self._store = store
        self._workers = workers
        self._batch_size = batch_size

    async def scan(
        self, roots: Sequence[str], progress: ScanProgress | None = None
    ) -> tuple[ScanReport, FileIndex]:
        """Scan ``roots``; raises ScanError only if a root cannot be scanned at all."""
        started = time.perf_counter()
        roots = normalise_roots(roots)
        report = ScanReport(roots)
        known = await self._store.known_files(roots)
        index = FileIndex(known)
        walk = Walk(roots)
        found = await asyncio.to_thread(_collect, walk, progress)
        report.found = len(found)
        report.errors.extend((message.split(": ", 1)[0], message) for message in walk.errors)
        plan = plan_scan(found, known)
        report.unchanged = plan.unchanged
        if progress is not None:
            progress.planned(len(plan.to_probe), plan.unchanged)
        reconciler = Reconciler(known, plan.vanished)
        pending: list[Event] = []
        async for observation in probe_all(plan.to_probe, self._workers):
            report.read += 1
            report.bytes_read += observation.stat.size
            if observation.error:
                report.errors.append((observation.path, observation.error))
            report.warnings.extend((observation.path, w) for w in observation.warnings)
            pending.append(reconciler.event_for(observation))
            if progress is not None:
                progress.read(observation)
            if len(pending) >= self._batch_size:
                await self._publish(pending, index, report)
                pending = []
        pending.extend(reconciler.deletions())
        await self._publish(pending, index, report)
        report.elapsed_s = time.perf_counter() - started
        return report, index

    async def _publish(self, events: list[Event], index: FileIndex, report: ScanReport) -> None:
        for event in events:
            index.record(event)
            report.events[event.type] += 1
        if events:
            await self._bus.publish(events)


def normalise_roots(roots: Sequence[str]) -> tuple[str, ...]:
    """Absolute, existing directories (ScanError names the first that is not)."""
    if not roots:
        raise ScanError("no folder given to scan")
    result: list[str] = []
    for root in roots:
        absolute = os.path.abspath(os.path.expanduser(root))
        if not os.path.isdir(absolute):
            reason = "does not exist" if not os.path.exists(absolute) else "is not a folder"
            raise ScanError(f"cannot scan {root}: {reason}")
        if not os.access(absolute, os.R_OK | os.X_OK):
            raise ScanError(f"cannot scan {root}: permission denied")
        result.append(absolute)
    return tuple(dict.fromkeys(result))


def _collect(walk: Walk, progress: ScanProgress | None) -> list[FileStat]:
    found: list[FileStat] = []
    for stat in walk:
        found.append(stat)
        if progress is not None and len(found) % 500 == 0:
            progress.walked(500)
    if progress is not None:
        progress.walked(len(found) % 500)
    return found
