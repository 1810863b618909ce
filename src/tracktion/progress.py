"""Scan progress bars (rich): files found, files read with files/s and ETA."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:
    from types import TracebackType

    from rich.console import Console

    from tracktion.core.analysis import AnalysisRecord
    from tracktion.core.models import FileObservation


class RichScanProgress:
    """Implements the scanner's ScanProgress with two rich progress bars."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>9}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._walk: TaskID | None = None
        self._read: TaskID | None = None
        self._analysed: TaskID | None = None

    def __enter__(self) -> RichScanProgress:
        self._progress.start()
        self._walk = self._progress.add_task("finding files", total=None, rate="")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def walked(self, count: int) -> None:
        """Advance the walk counter."""
        if self._walk is not None:
            self._progress.advance(self._walk, count)

    def planned(self, to_read: int, unchanged: int) -> None:
        """Close the walk bar; open the read bar."""
        if self._walk is not None:
            done = self._progress.tasks[self._walk].completed
            self._progress.update(
                self._walk,
                total=done,
                completed=done,
                description=f"found ({unchanged} unchanged)",
            )
        self._read = self._progress.add_task("reading files", total=to_read, rate="")

    def read(self, observation: FileObservation) -> None:
        """Advance the read bar and refresh files/s."""
        if self._read is None:
            return
        self._progress.advance(self._read)
        task = self._progress.tasks[self._read]
        speed = task.finished_speed or task.speed
        if speed:
            self._progress.update(self._read, rate=f"{speed:,.0f} f/s")

    def analysed(self, record: AnalysisRecord) -> None:
        """Count an analysed file (the total is not known in advance)."""
        if self._analysed is None:
            self._analysed = self._progress.add_task("analysing", total=None, rate="")
        self._progress.advance(self._analysed)
        task = self._progress.tasks[self._analysed]
        if task.speed:
            self._progress.update(self._analysed, rate=f"{task.speed * 60:,.0f} f/min")
