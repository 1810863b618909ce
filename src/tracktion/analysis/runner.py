"""AnalysisRunner: analyses in worker processes, one crash or hang costs only its own file.

pebble's ProcessPool restarts a worker that dies (a segfault in native code) or overruns the
per-file timeout; the file then gets a record with a clear error and the rest goes on.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from concurrent.futures import TimeoutError as FutureTimeoutError
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

import pebble

from tracktion.analysis.errors import AnalysisUnavailableError
from tracktion.analysis.tempo_range import preferred_range
from tracktion.core.analysis import AnalysisRecord

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


def _timed(
    target: Callable[[str, str | None, bool, tuple[float, float]], AnalysisRecord],
    path: str,
    sha256: str | None,
    with_tags: bool,
    preferred: tuple[float, float],
) -> tuple[AnalysisRecord, float]:
    """Runs ``target`` in a worker; returns its record and how long it took there."""
    started = time.perf_counter()
    record = target(path, sha256, with_tags, preferred)
    return record, time.perf_counter() - started


def _analyze(
    path: str, sha256: str | None, with_tags: bool, preferred: tuple[float, float]
) -> AnalysisRecord:
    """Runs in a worker (whose fork server pre-imported the heavy analysis modules)."""
    from tracktion.analysis.analyzer import analyze_file  # imported here: keeps the CLI light

    return analyze_file(path, sha256, with_tags=with_tags, preferred=preferred)


class AnalysisRunner:
    """The Analyzer port over a pool of ``workers`` processes."""

    def __init__(
        self,
        workers: int,
        *,
        timeout_s: float,
        with_tags: bool = True,
        tempo_ranges: Mapping[str, tuple[float, float]] | None = None,
        target: Callable[[str, str | None, bool, tuple[float, float]], AnalysisRecord] = _analyze,
        on_analysed: Callable[[float | None, bool], None] | None = None,
    ) -> None:
        """``target`` runs in the workers (a module-level function; tests pass their own).

        ``on_analysed(seconds, failed)`` hears of every file: the time its worker spent on it
        (None when the worker crashed or overran its time), and whether it failed.
        """
        self._target = target
        self._on_analysed = on_analysed
        self._tempo_ranges = dict(tempo_ranges or {})
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["tracktion.analysis.worker_setup"])
        self._pool = pebble.ProcessPool(max_workers=workers, max_tasks=500, context=context)
        self._timeout_s = timeout_s
        self._with_tags = with_tags

    async def analyze(
        self, path: str, sha256: str | None, genre: str | None = None
    ) -> AnalysisRecord:
        """Analyse ``path`` in a worker; crashes and timeouts come back as errors.

        ``genre`` (the track's tag) picks the preferred tempo range.
        """
        preferred = preferred_range(genre, self._tempo_ranges)
        try:
            future = self._pool.schedule(
                _timed,
                args=(self._target, path, sha256, self._with_tags, preferred),
                timeout=self._timeout_s,
            )
        except BrokenProcessPool as exc:
            raise AnalysisUnavailableError(
                "analysis workers cannot start (is the installation complete? "
                "`make install` reinstalls it); the catalog is kept, run the scan again after"
            ) from exc
        try:
            record, seconds = await asyncio.wrap_future(future)
        except FutureTimeoutError:
            error = f"analysis timed out after {self._timeout_s:.0f} s (worker restarted)"
        except pebble.ProcessExpired as exc:
            error = f"analyser crashed (worker exit code {exc.exitcode}); worker restarted"
        except Exception as exc:  # a bug in an algorithm must not stop the library
            error = f"analysis failed: {exc.__class__.__name__}: {exc}"
        else:
            if self._on_analysed is not None:
                self._on_analysed(seconds, record.error is not None)
            return record
        if self._on_analysed is not None:
            self._on_analysed(None, True)
        return AnalysisRecord(path=path, sha256=sha256, error=error)

    async def close(self) -> None:
        """Stop the workers (running analyses are abandoned; a restart redoes them)."""
        self._pool.stop()  # type: ignore[no-untyped-call]
        await asyncio.to_thread(self._pool.join)
