"""The ``tracktion`` command line (typer): up, scan, tracks, duplicates, events, db."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from tracktion.analysis.runner import AnalysisRunner
from tracktion.bootstrap import App, bootstrap
from tracktion.catalog.views import duplicate_group_view, history_view, track_view
from tracktion.config import Settings, load_settings
from tracktion.core.analysis import AnalysisRecord
from tracktion.core.errors import NotFoundError, ScanError, TracktionError
from tracktion.core.keys import parse_key
from tracktion.core.models import AudioFormat, TrackStatus
from tracktion.core.query import SortField, TrackQuery
from tracktion.logs import configure_logging
from tracktion.metadata.reader import read_metadata
from tracktion.progress import RichScanProgress
from tracktion.render import (
    analysis_table,
    duplicate_table,
    scan_summary,
    track_detail,
    track_table,
)
from tracktion.watcher.fingerprint import HEAD_BYTES
from tracktion.watcher.scanner import ScanReport, normalise_roots
from tracktion.watcher.sniff import sniff_format

T = TypeVar("T")

app = typer.Typer(
    name="tracktion",
    help="Tracktion: watch, fingerprint and catalog a music library.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
tracks_app = typer.Typer(help="Browse the catalog.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(tracks_app, name="tracks")
app.add_typer(db_app, name="db")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")]
EXIT_SCAN_FAILED = 2
EXIT_NOT_FOUND = 3
EXIT_ERROR = 1


class _State:
    overrides: dict[str, Any]

    def __init__(self) -> None:
        self.overrides = {}


_state = _State()


def _settings() -> Settings:
    return load_settings(**_state.overrides)


def _stdout_json(data: Any) -> None:
    """JSON to stdout; undecodable path bytes become ``\\udcXX`` escapes (valid JSON)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    sys.stdout.buffer.write(text.encode("utf-8", errors="backslashreplace"))
    sys.stdout.flush()


def _stdout_json_line(data: Any) -> None:
    """One JSON object on one line (JSON Lines)."""
    text = json.dumps(data, ensure_ascii=False) + "\n"
    sys.stdout.buffer.write(text.encode("utf-8", errors="backslashreplace"))
    sys.stdout.flush()


def _err_console() -> Console:
    return Console(stderr=True)


def _run(work: Callable[[App], Awaitable[T]], *, migrate: bool = True, analysis: bool = False) -> T:
    async def main() -> T:
        application = await bootstrap(_settings(), migrate=migrate, analysis=analysis)
        try:
            return await work(application)
        finally:
            await application.close()

    return _run_coroutine(main())


def _run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coroutine)
    except NotFoundError as exc:
        _err_console().print(f"[red]not found:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_NOT_FOUND) from exc
    except ScanError as exc:
        _err_console().print(f"[red]scan failed:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_SCAN_FAILED) from exc
    except TracktionError as exc:
        _err_console().print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_ERROR) from exc


@app.callback()
def _main(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Data directory (default: $TRACKTION_DATA_DIR)."),
    ] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True)] = 0,
    log_json: Annotated[bool, typer.Option("--log-json", help="Logs as JSON lines.")] = False,
) -> None:
    if data_dir is not None:
        _state.overrides["data_dir"] = data_dir
    settings = _settings()
    level = {0: settings.log_level, 1: "INFO"}.get(verbose, "DEBUG")
    configure_logging(level, json=log_json or settings.log_json)


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


@app.command()
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
        with RichScanProgress(_err_console()) as progress:
            if application.analysis is not None:
                application.analysis.on_result = _collect(analysed, progress)
            report, _ = await application.scanner().scan(paths, progress)
            await application.bus.wait_idle()
            if application.analysis is not None:
                await application.analysis.backfill()
                await application.bus.wait_idle()
        return report, analysed

    report, analysed = _run(work, analysis=not no_analysis)
    if as_json:
        _stdout_json(_report_view(report, analysed))
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


@app.command()
def analyze(
    files: Annotated[list[str], typer.Argument(help="Audio files to analyse.")],
    as_json: JsonOption = False,
) -> None:
    """Analyse files directly (no catalog): BPM, key, loudness, mood, genre."""
    settings = _settings()

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
                    _stdout_json_line(record.to_json())
            return [task.result() for task in tasks]
        finally:
            await runner.close()

    records = _run_coroutine(work())
    if not as_json:
        analysis_table(Console(), records)


@app.command()
def up(paths: Annotated[list[str], typer.Argument(help="Music folders to watch.")]) -> None:
    """Scan, then keep watching: changes reach the catalog within a second. Ctrl+C stops."""

    async def work(application: App) -> None:
        roots = normalise_roots(paths)
        watcher = application.live_watcher(roots)
        watcher.start()
        console = _err_console()
        with RichScanProgress(console) as progress:
            report, index = await application.scanner().scan(roots, progress)
        watcher.index = index
        scan_summary(Console(), report, [])
        backfill = None
        if application.analysis is not None:
            backfill = asyncio.create_task(application.analysis.backfill())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        console.print(f"watching {', '.join(roots)} (Ctrl+C to stop)", highlight=False)
        await watcher.run(stop)
        console.print("stopping: finishing queued events", highlight=False)
        if backfill is not None:
            backfill.cancel()
            with suppress(asyncio.CancelledError):
                await backfill

    _run(work, analysis=True)


def _parse_formats(values: list[str]) -> tuple[AudioFormat, ...]:
    try:
        return tuple(AudioFormat(value.lower().lstrip(".")) for value in values)
    except ValueError as exc:
        known = ", ".join(fmt.value for fmt in AudioFormat)
        raise typer.BadParameter(f"{exc}; known formats: {known}", param_hint="--format") from exc


def _bpm_range(text: str | None) -> dict[str, float | None]:
    if not text:
        return {}
    try:
        low, _, high = text.partition("-")
        if not high:
            return {"bpm_min": float(low) - 0.5, "bpm_max": float(low) + 0.5}
        return {"bpm_min": float(low), "bpm_max": float(high)}
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: use 122-128 or 124", param_hint="--bpm") from exc


def _camelot_codes(text: str | None, compatible: bool) -> tuple[str, ...]:
    if not text:
        if compatible:
            raise typer.BadParameter("--compatible needs --key", param_hint="--compatible")
        return ()
    parsed = parse_key(text)
    if parsed is None:
        raise typer.BadParameter(f"{text!r} is not a key (8A, A minor, Am, 1m)", param_hint="--key")
    keys = parsed.compatible() if compatible else (parsed,)
    return tuple(key.camelot for key in keys)


@tracks_app.command("list")
def tracks_list(
    artist: Annotated[str | None, typer.Option(help="Artist or album artist contains.")] = None,
    title: Annotated[str | None, typer.Option(help="Title contains.")] = None,
    album: Annotated[str | None, typer.Option(help="Album contains.")] = None,
    genre: Annotated[str | None, typer.Option(help="Genre contains.")] = None,
    search: Annotated[
        str | None, typer.Option("--search", "-q", help="Title, artist, album or path contains.")
    ] = None,
    fmt: Annotated[
        list[str] | None, typer.Option("--format", "-f", help="Format (repeatable): mp3, flac...")
    ] = None,
    status: Annotated[
        list[TrackStatus] | None,
        typer.Option("--status", help="ok, error or missing (repeatable)."),
    ] = None,
    under: Annotated[
        str | None, typer.Option("--path", help="Only tracks under this folder.")
    ] = None,
    bpm: Annotated[
        str | None, typer.Option(help="Analysed BPM: a range '122-128' or a value '124'.")
    ] = None,
    key: Annotated[
        str | None, typer.Option(help="Analysed key: '8A', 'A minor', 'Am', '1m'...")
    ] = None,
    compatible: Annotated[
        bool, typer.Option("--compatible", help="With --key: also its harmonic neighbours.")
    ] = False,
    needs_review: Annotated[
        bool, typer.Option("--needs-review", help="Only low-confidence analyses.")
    ] = False,
    sort: Annotated[SortField, typer.Option(help="Sort by.")] = SortField.PATH,
    desc: Annotated[bool, typer.Option("--desc", help="Sort descending.")] = False,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """List tracks, filtered and sorted. Text filters ignore case and accents."""
    query = TrackQuery(
        text=search,
        artist=artist,
        title=title,
        album=album,
        genre=genre,
        formats=_parse_formats(fmt or []),
        statuses=tuple(status or ()),
        path_prefix=str(Path(under).expanduser().absolute()) if under else None,
        **_bpm_range(bpm),
        camelot=_camelot_codes(key, compatible),
        needs_review=True if needs_review else None,
        sort=sort,
        descending=desc,
        limit=limit,
        offset=offset,
    )
    tracks = _run(lambda application: application.store.list_tracks(query))
    if as_json:
        _stdout_json([track_view(track) for track in tracks])
    else:
        track_table(Console(), tracks)


@tracks_app.command("show")
def tracks_show(
    ref: Annotated[str, typer.Argument(help="Track id (or a unique prefix of 6+) or file path.")],
    as_json: JsonOption = False,
) -> None:
    """Everything known about one track, with its history."""

    async def work(application: App) -> tuple[Any, Any]:
        track = await application.store.get(ref)
        if track is None:
            raise NotFoundError(f"no track with id or path {ref!r}")
        return track, await application.store.history(track.id)

    track, history = _run(work)
    if as_json:
        _stdout_json([{**track_view(track), "history": [history_view(e) for e in history]}])
    else:
        track_detail(Console(), track, history)


@app.command()
def duplicates(as_json: JsonOption = False) -> None:
    """Groups of byte-identical files (same SHA-256), largest groups first."""
    groups = _run(lambda application: application.store.duplicates())
    if as_json:
        _stdout_json([duplicate_group_view(group) for group in groups])
    else:
        duplicate_table(Console(), groups)


@app.command()
def events(
    limit: Annotated[int, typer.Option(min=1)] = 20,
    type_pattern: Annotated[
        str, typer.Option("--type", help="Topic pattern, e.g. 'file.*'.")
    ] = "#",
    as_json: JsonOption = False,
) -> None:
    """The newest events of the audit trail."""
    found = _run(lambda application: application.events.recent(limit, type_pattern))
    if as_json:
        _stdout_json([event.to_dict() for event in found])
        return
    console = Console()
    for event in found:
        path = event.payload.get("path", "")
        console.print(
            f"{event.occurred_at.isoformat(timespec='milliseconds')}  {event.type:<24} {path}",
            highlight=False,
            markup=False,
        )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the catalog schema to the newest version."""

    async def work(application: App) -> tuple[str | None, str]:
        return await application.schema_state()

    current, head = _run(work)
    Console().print(f"database at revision {current} (newest {head})", highlight=False)


@db_app.command("status")
def db_status() -> None:
    """Schema revision and track counts (changes nothing)."""

    async def work(application: App) -> tuple[tuple[str | None, str], dict[str, int] | None]:
        current, head = await application.schema_state()
        counts = await application.store.status_counts() if current is not None else None
        return (current, head), counts

    (current, head), counts = _run(work, migrate=False)
    console = Console()
    if counts is None:
        console.print(f"no catalog yet (newest schema {head}): run `tracktion db upgrade`")
        return
    state = "up to date" if current == head else "needs `tracktion db upgrade`"
    console.print(f"schema revision {current} (newest {head}): {state}", highlight=False)
    console.print(", ".join(f"{status}: {count}" for status, count in counts.items()))


def main() -> None:
    """Console-script entry point."""
    app()
