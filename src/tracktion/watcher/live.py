"""LiveWatcher: inotify (watchdog) events -> debounced, content-checked ``file.*`` events.

Start it before the initial scan (:meth:`start`), so nothing that happens during the scan is
missed; hand it the scan's FileIndex and :meth:`run` it until stopped.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from tracktion.core.events import Event, EventType
from tracktion.core.models import FileObservation, FileStat, KnownFile, TrackStatus
from tracktion.watcher import file_events
from tracktion.watcher.debounce import Debouncer
from tracktion.watcher.file_events import FileIndex
from tracktion.watcher.probe import probe_file
from tracktion.watcher.walk import Walk, is_candidate, stat_path

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from tracktion.core.ports import EventBus

logger = logging.getLogger(__name__)

CLOSED_SETTLE_S = 0.05
"""A file closed after writing only needs to hold still this long."""

DELETE_GRACE_S = 1.0
"""A vanished file waits this long for a twin (same hash) to reappear: then it was a move.

inotify reports a move into a folder created a moment earlier as delete + create, because the
new folder's watch did not exist yet; the grace turns that pair back into one move.
"""


_WANTED = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileMovedEvent,
    FileDeletedEvent,
    DirCreatedEvent,
    DirMovedEvent,
    DirDeletedEvent,
]


class _Forwarder(FileSystemEventHandler):
    """Hands watchdog's thread events to the asyncio loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[FileSystemEvent]):
        self._loop = loop
        self._queue = queue

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._loop.call_soon_threadsafe(self._queue.put_nowait, event)


def _text(path: bytes | str) -> str:
    return os.fsdecode(path)


class LiveWatcher:
    """Watches roots recursively; publishes created/modified/moved/deleted file events."""

    def __init__(
        self,
        bus: EventBus,
        roots: Sequence[str],
        *,
        settle_s: float,
        rescan: Callable[[], Awaitable[FileIndex]] | None = None,
        rescan_every_s: float = 0.0,
    ) -> None:
        """``rescan`` (every ``rescan_every_s``, 0 = never) is a safety net for lost inotify
        events (queue overflow, network file systems): it runs inside the event loop of
        :meth:`run`, so live events simply wait for it."""
        self._bus = bus
        self._rescan = rescan
        self._rescan_every_s = rescan_every_s
        self._next_rescan = time.monotonic() + rescan_every_s
        self._roots = tuple(os.path.join(root, "") for root in roots)
        self._debouncer = Debouncer(settle_s)
        self._queue: asyncio.Queue[FileSystemEvent] = asyncio.Queue()
        self._observer: Observer | None = None  # type: ignore[valid-type]
        self._executor = ThreadPoolExecutor(2, "tracktion-live")
        self._vanishing: dict[str, tuple[float, KnownFile]] = {}
        self.index = FileIndex({})

    def start(self) -> None:
        """Start observing (events queue up until :meth:`run`)."""
        observer = Observer()
        forwarder = _Forwarder(asyncio.get_running_loop(), self._queue)
        for root in self._roots:
            observer.schedule(forwarder, root, recursive=True, event_filter=_WANTED)
        observer.start()
        self._observer = observer

    async def run(self, stop: asyncio.Event) -> None:
        """Process events until ``stop`` is set; then stop observing."""
        try:
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(self._queue.get(), self._next_timeout())
                except TimeoutError:
                    raw = None
                if raw is not None:
                    await self._dispatch(raw)
                    while not self._queue.empty():
                        await self._dispatch(self._queue.get_nowait())
                for stat in self._debouncer.ready():
                    await self._settled(stat)
                await self._flush_vanished(time.monotonic())
                await self._maybe_rescan()
            await self._flush_vanished(float("inf"))
        finally:
            self.close()

    async def _maybe_rescan(self) -> None:
        if self._rescan is None or self._rescan_every_s <= 0:
            return
        if time.monotonic() < self._next_rescan:
            return
        await self._flush_vanished(float("inf"))
        self.index = await self._rescan()
        self._next_rescan = time.monotonic() + self._rescan_every_s

    def _next_timeout(self) -> float:
        timeouts = [0.5]
        debounce = self._debouncer.next_due()
        if debounce is not None:
            timeouts.append(debounce)
        if self._vanishing:
            due = min(due for due, _ in self._vanishing.values())
            timeouts.append(max(0.0, due - time.monotonic()))
        return min(timeouts)

    async def _flush_vanished(self, now: float) -> None:
        for path, (due, _) in list(self._vanishing.items()):
            if due <= now:
                del self._vanishing[path]
                await self._publish(file_events.deleted(path))

    def close(self) -> None:
        """Stop the observer and the probe threads."""
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _inside(self, path: str) -> bool:
        return path.startswith(self._roots) and is_candidate(os.path.basename(path))

    async def _dispatch(self, raw: FileSystemEvent) -> None:
        src = _text(raw.src_path)
        if isinstance(raw, FileMovedEvent):
            await self._file_moved(src, _text(raw.dest_path))
        elif isinstance(raw, FileDeletedEvent):
            self._debouncer.cancel(src)
            await self._gone(src)
        elif isinstance(raw, FileClosedEvent):
            if self._inside(src):
                self._debouncer.touch(src, settle_s=CLOSED_SETTLE_S)
        elif isinstance(raw, FileCreatedEvent | FileModifiedEvent):
            if self._inside(src):
                self._debouncer.touch(src)
        elif isinstance(raw, DirMovedEvent):
            await self._dir_moved(src, _text(raw.dest_path))
        elif isinstance(raw, DirDeletedEvent):
            for known in list(self.index.under(src)):
                await self._gone(known.stat.path)
        elif isinstance(raw, DirCreatedEvent):
            for stat in await asyncio.to_thread(list, Walk((src,))):
                self._debouncer.touch(stat.path)

    async def _gone(self, path: str) -> None:
        known = self.index.get(path)
        if known is not None and known.status != TrackStatus.MISSING:
            self._vanishing[path] = (time.monotonic() + DELETE_GRACE_S, known)

    def _vanished_twin(self, observation: FileObservation) -> str | None:
        """The known path this new file was moved from: same bytes, gone from disk.

        The source's delete may be pending in the grace period, or not even reported yet
        (watchdog holds an unpaired move-out for a while).
        """
        if observation.fingerprint is None:
            return None
        for known in self.index.with_sha256(observation.fingerprint.sha256):
            path = known.stat.path
            if path != observation.path and not os.path.lexists(path):
                self._vanishing.pop(path, None)
                return path
        return None

    async def _file_moved(self, src: str, dest: str) -> None:
        self._debouncer.cancel(src)
        known = self.index.get(src)
        if known is None or known.status == TrackStatus.MISSING:
            if self._inside(dest):
                self._debouncer.touch(dest)
            return
        if not self._inside(dest):
            await self._gone(src)
            return
        stat = stat_path(dest)
        if stat is None:
            await self._gone(src)
            return
        if stat.same_as(known.stat):
            await self._publish(file_events.moved(src, stat, None))
            return
        observation = await self._probe(stat)
        if observation is None:
            await self._gone(src)
            return
        await self._publish(file_events.moved(src, observation.stat, observation))

    async def _dir_moved(self, src: str, dest: str) -> None:
        inside = dest.startswith(self._roots)
        for known in list(self.index.under(src)):
            old = known.stat.path
            if inside:
                await self._file_moved(old, os.path.join(dest, os.path.relpath(old, src)))
            else:
                await self._gone(old)
        if inside:
            for stat in await asyncio.to_thread(list, Walk((dest,))):
                if self.index.get(stat.path) is None:
                    self._debouncer.touch(stat.path)

    async def _settled(self, stat: FileStat) -> None:
        self._vanishing.pop(stat.path, None)
        known = self.index.get(stat.path)
        if known is not None and known.status != TrackStatus.MISSING and known.stat.same_as(stat):
            return
        observation = await self._probe(stat)
        if observation is None:
            return
        twin = self._vanished_twin(observation) if known is None else None
        if twin is not None:
            await self._publish(file_events.moved(twin, observation.stat, observation))
        elif known is None or known.status == TrackStatus.MISSING:
            await self._publish(file_events.observed(EventType.FILE_CREATED, observation))
        else:
            await self._publish(file_events.observed(EventType.FILE_MODIFIED, observation))

    async def _probe(self, stat: FileStat) -> FileObservation | None:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, probe_file, stat)

    async def _publish(self, event: Event) -> None:
        self.index.record(event)
        logger.info("%s %s", event.type, event.payload["path"])
        await self._bus.publish([event])
