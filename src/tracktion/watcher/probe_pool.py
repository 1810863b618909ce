"""ProbePool: reads many files at once, in chunks, on every core.

mutagen is pure Python, so threads share one core (the GIL). A large scan therefore probes in
worker processes (started by a fork server that has the readers pre-imported), handing them
chunks of files so the per-task cost is paid once per chunk; a small one uses threads, which
start instantly.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING

from tracktion.watcher.probe import probe_file

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from tracktion.core.models import FileObservation, FileStat

PROCESS_POOL_MIN_FILES = 400
"""Below this many files, starting worker processes costs more than it saves."""
CHUNK_FILES = 32


def probe_files(stats: Sequence[FileStat]) -> list[FileObservation]:
    """Probe a chunk of files (runs in a worker thread or process); vanished files are left out."""
    return [observation for stat in stats if (observation := probe_file(stat)) is not None]


def _executor(workers: int, files: int) -> Executor:
    if workers > 1 and files >= PROCESS_POOL_MIN_FILES:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["tracktion.watcher.probe_pool"])
        return ProcessPoolExecutor(workers, mp_context=context)
    return ThreadPoolExecutor(workers, "tracktion-probe")


async def probe_all(stats: Sequence[FileStat], workers: int) -> AsyncIterator[FileObservation]:
    """Yield an observation per file as chunks complete (order within a chunk is kept)."""
    if not stats:
        return
    loop = asyncio.get_running_loop()
    executor = _executor(workers, len(stats))
    chunks = (stats[i : i + CHUNK_FILES] for i in range(0, len(stats), CHUNK_FILES))
    window = workers * 3
    running: set[asyncio.Future[list[FileObservation]]] = set()
    try:
        for chunk in chunks:
            running.add(loop.run_in_executor(executor, probe_files, chunk))
            if len(running) < window:
                continue
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for future in done:
                for observation in future.result():
                    yield observation
        while running:
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for future in done:
                for observation in future.result():
                    yield observation
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
