"""Commands that read the library: scan, up, analyze."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from contextlib import suppress
from typing import Annotated, Any

import typer
from rich.console import Console

from tracktion.analysis.runner import AnalysisRunner
from tracktion.bootstrap import App
from tracktion.cli.common import (
    JsonOption,
    current_settings,
    err_console,
    print_json,
    print_json_line,
    run_app,
    run_coroutine,
)
from tracktion.core.analysis import AnalysisRecord
from tracktion.metadata.reader import read_metadata
from tracktion.progress import RichScanProgress
from tracktion.render import (
    analysis_table,
    scan_summary,
)
from tracktion.watcher.fingerprint import HEAD_BYTES
from tracktion.watcher.scanner import ScanReport, normalise_roots
from tracktion.watcher.sniff import sniff_format


def _report_view(report: ScanReport, analysed: list[AnalysisRecord]) -> dict[str, Any]:
    return {
        "analysed": sum(record.error is None for record in analysed),
        "analysis_errors": [
            {"path": record.path, "error": record.error} for record in analysed if record.error
        ],
        "roots": list(report.roots),
        "found": report.found,
        "unchanged": report.unchanged,
        "read": report.read,
        "bytes_read": report.bytes_read,
        "events": dict(report.events),
        "errors": [{"path": path, "error": message} for path, message in report.errors],
        "warnings": [{"path": path, "warning": message} for path, message in report.warnings],
        "elapsed_s": round(report.elapsed_s, 3),
    }


def scan(
    paths: Annotated[list[str], typer.Argument(help="Music folders to scan.")],
    no_analysis: Annotated[
        bool, typer.Option("--no-analysis", help="Only catalog files; analyse later.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Scan folders once: files reach the catalog, new content is analysed (BPM, key, ...)."""

    async def work(application: App) -> tuple[ScanReport, list[AnalysisRecord]]:
        analysed: list[AnalysisRecord] = []
        with RichScanProgress(err_console()) as progress:
            if application.analysis is not None:
                application.analysis.on_result = _collect(analysed, progress)
            report, _ = await application.scanner().scan(paths, progress)
            await application.bus.wait_idle()
            if application.analysis is not None:
                await application.analysis.backfill()
                await application.bus.wait_idle()
        return report, analysed

    report, analysed = run_app(work, analysis=not no_analysis)
    if as_json:
        print_json(_report_view(report, analysed))
    else:
        scan_summary(Console(), report, analysed)


def _collect(
    into: list[AnalysisRecord], progress: RichScanProgress
) -> Callable[[AnalysisRecord], None]:
    def on_result(record: AnalysisRecord) -> None:
        into.append(record)
        progress.analysed(record)

    return on_result


def _genre_tag(path: str) -> str | None:
    """The file's genre tag (it picks the preferred tempo range), if it can be read."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(HEAD_BYTES)
    except OSError:
        return None
    return read_metadata(path, sniff_format(head)).tags.genre


def analyze(
    files: Annotated[list[str], typer.Argument(help="Audio files to analyse.")],
    as_json: JsonOption = False,
) -> None:
    """Analyse files directly (no catalog): BPM, key, loudness, mood, genre."""
    settings = current_settings()

    async def work() -> list[AnalysisRecord]:
        runner = AnalysisRunner(
            min(settings.analysis_workers, len(files)),
            timeout_s=settings.analysis_timeout_s,
            with_tags=settings.analysis_tags,
            tempo_ranges=settings.tempo_ranges,
        )
        try:
            tasks = [
                asyncio.ensure_future(runner.analyze(path, None, _genre_tag(path)))
                for path in files
            ]
            for task in tasks:
                record = await task
                if as_json:
                    print_json_line(record.to_json())
            return [task.result() for task in tasks]
        finally:
            await runner.close()

    records = run_coroutine(work())
    if not as_json:
        analysis_table(Console(), records)


def up(
    paths: Annotated[list[str], typer.Argument(help="Music folders to watch.")],
    host: Annotated[str | None, typer.Option(help="API address (default 127.0.0.1).")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="API port (default 8000).")
    ] = None,
    no_api: Annotated[bool, typer.Option("--no-api", help="Do not serve the API.")] = False,
) -> None:
    """Scan, then keep watching (changes reach the catalog within a second) and serve the API."""
    settings = current_settings()

    async def work(application: App) -> None:
        if no_api:
            await watch(application, paths, backfill=True)
            return
        from tracktion.cli.api import api_server

        bind_host, bind_port = host or settings.api_host, port or settings.api_port
        server = api_server(application, bind_host, bind_port)
        serving = asyncio.create_task(server.serve(), name="api")
        err_console().print(f"API on http://{bind_host}:{bind_port}/api/v1", highlight=False)
        try:
            await watch(application, paths, backfill=True)
        finally:
            server.should_exit = True
            await serving

    run_app(work, analysis=True)


async def watch(application: App, paths: list[str], *, backfill: bool) -> None:
    """Start watching ``paths``, scan them, then watch until SIGINT/SIGTERM.

    ``backfill`` also queues present tracks whose content has no current analysis.
    """
    roots = normalise_roots(paths)
    watcher = application.live_watcher(roots)
    watcher.start()
    console = err_console()
    with RichScanProgress(console) as progress:
        report, index = await application.scanner().scan(roots, progress)
    watcher.index = index
    scan_summary(Console(), report, [])
    pending = None
    if backfill and application.analysis is not None:
        pending = asyncio.create_task(application.analysis.backfill())
    stop = stop_on_signals()
    console.print(f"watching {', '.join(roots)} (Ctrl+C to stop)", highlight=False)
    await watcher.run(stop)
    console.print("stopping: finishing queued events", highlight=False)
    if pending is not None:
        pending.cancel()
        with suppress(asyncio.CancelledError):
            await pending


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM (installed on the running loop)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop
