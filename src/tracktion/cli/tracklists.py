"""Commands for DJ mixes: tracklist import/show/list, search, cue generate/parse."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tracktion.cli.common import EXIT_ERROR, JsonOption, err_console, print_json, run_app
from tracktion.core.errors import CueSheetError, TracklistBlockedError, TracktionError
from tracktion.core.keys import parse_key
from tracktion.core.search import ALL_KINDS, SearchFilters, SearchKind, SearchQuery
from tracktion.core.tracklist import CuePrecision, EntryKind
from tracktion.tracklists.cue_reader import parse_cue
from tracktion.tracklists.cue_time import format_cue
from tracktion.tracklists.cue_writer import render_cue
from tracktion.tracklists.mix_cue import mix_cue_sheets

if TYPE_CHECKING:
    from tracktion.bootstrap import App
    from tracktion.core.search import SearchResults
    from tracktion.core.tracklist import Tracklist
    from tracktion.tracklists.cue_reader import IndexFormat
    from tracktion.tracklists.cue_sheet import CueSheet
    from tracktion.tracklists.service import TracklistMatches

EXIT_BLOCKED = 4
"""``tracklist import``: the site served a challenge/captcha page instead of the tracklist."""

tracklist_app = typer.Typer(help="Import and show DJ mix tracklists.", no_args_is_help=True)
cue_app = typer.Typer(help="Write and read CUE sheets.", no_args_is_help=True)


def _fail(message: str, code: int = EXIT_ERROR) -> typer.Exit:
    err_console().print(message, highlight=False)
    return typer.Exit(code)


def _report(tracklist: Tracklist, found: TracklistMatches) -> dict[str, Any]:
    return {**tracklist.to_dict(), **found.to_dict()}


@tracklist_app.command("import")
def tracklist_import(
    source: Annotated[str, typer.Argument(help="A 1001Tracklists/MixesDB URL or a file.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="Force the parser: 1001tracklists, mixesdb or text."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a tracklist, match its entries to the library and store it."""

    async def work(application: App) -> tuple[Tracklist, TracklistMatches] | str:
        try:
            tracklist = await application.tracklists.import_(source, hint=fmt)
        except TracklistBlockedError as exc:
            return str(exc)
        return tracklist, await application.tracklists.matches(tracklist.id or "")

    result = run_app(work)
    if isinstance(result, str):
        raise _fail(
            f"[red]blocked:[/] {escape(result)}. Nothing was imported. Open the page in a "
            "browser, save it (.html) and run: tracktion tracklist import page.html",
            EXIT_BLOCKED,
        )
    tracklist, found = result
    if as_json:
        print_json(_report(tracklist, found))
    else:
        _show(Console(), tracklist, found)


@tracklist_app.command("show")
def tracklist_show(
    ref: Annotated[str, typer.Argument(help="Tracklist id (or a unique start, 6+).")],
    as_json: JsonOption = False,
) -> None:
    """A tracklist's entries, cue times with their precision, and library matches."""

    async def work(application: App) -> TracklistMatches:
        return await application.tracklists.matches(ref)

    found = run_app(work)
    if as_json:
        print_json(_report(found.tracklist, found))
    else:
        _show(Console(), found.tracklist, found)


@tracklist_app.command("list")
def tracklist_list(
    query: Annotated[str | None, typer.Option("--search", "-q", help="Title/DJ contains.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """Imported tracklists, newest first."""
    found = run_app(
        lambda application: application.tracklists.list_tracklists(limit, offset, query)
    )
    if as_json:
        print_json([{k: v for k, v in t.to_dict().items() if k != "entries"} for t in found])
        return
    table = Table(title=f"{len(found)} tracklists")
    table.add_column("id", overflow="fold")
    for column in ("date", "DJs", "title", "from"):
        table.add_column(column)
    for tracklist in found:
        table.add_row(
            tracklist.id or "",
            tracklist.date or "",
            escape(", ".join(tracklist.djs)),
            escape(tracklist.title),
            tracklist.source_kind,
        )
    Console().print(table)


def _show(console: Console, tracklist: Tracklist, found: TracklistMatches) -> None:
    head = f"{', '.join(tracklist.djs)} - {tracklist.title}" if tracklist.djs else tracklist.title
    console.print(f"[bold]{escape(head)}[/]  {tracklist.date or ''}", highlight=False)
    console.print(f"id {tracklist.id}  source {escape(tracklist.source or '')}", highlight=False)
    table = Table()
    for column in ("#", "cue", "precision", "track", "label", "library match"):
        table.add_column(column)
    for entry, match in zip(tracklist.entries, found.matches, strict=True):
        track = found.tracks.get(match.track_id or "")
        if track is not None:
            name = " - ".join(str(part) for part in (track["artist"], track["title"]) if part)
            shown = f"[green]{escape(name or Path(track['path']).name)}[/] ({match.score:.0f})"
        else:
            shown = f"[dim]{match.reason}[/]"
        table.add_row(
            str(entry.position) if entry.kind.value in ("track", "unknown") else "w/",
            format_cue(entry.cue_s, entry.cue_precision),
            entry.cue_precision.value,
            escape(entry.display),
            escape(entry.label or ""),
            shown,
        )
    console.print(table)
    cover = found.coverage
    line = f"library coverage: {cover.matched}/{cover.identified} identified entries"
    line += f" ({cover.ratio:.0%})"
    if cover.matched_s is not None and cover.timed_s:
        line += f", {cover.matched_s / 60:.1f} of {cover.timed_s / 60:.1f} timed minutes"
    console.print(line, highlight=False)


def _bpm_filter(text: str | None) -> tuple[float | None, float | None]:
    if not text:
        return None, None
    low, _, high = text.partition("-")
    try:
        return (float(low), float(high)) if high else (float(low) - 0.5, float(low) + 0.5)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: use 120-130 or 124", param_hint="--bpm") from exc


def search(
    text: Annotated[str, typer.Argument(help="What to look for; typos are fine.")],
    kind: Annotated[
        list[SearchKind] | None, typer.Option("--kind", help="track, artist or tracklist.")
    ] = None,
    bpm: Annotated[str | None, typer.Option(help="BPM range '120-130' or value '124'.")] = None,
    key: Annotated[str | None, typer.Option(help="Key: '8A', 'A minor', 'Am', '1m'.")] = None,
    genre: Annotated[str | None, typer.Option(help="Genre (or tracklist style) contains.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Date from (ISO).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Date to (ISO).")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 20,
    as_json: JsonOption = False,
) -> None:
    """Search tracks, artists and tracklists, ranked best first."""
    if key is not None and parse_key(key) is None:
        raise typer.BadParameter(f"{key!r} is not a key (8A, A minor, Am, 1m)", param_hint="--key")
    bpm_min, bpm_max = _bpm_filter(bpm)
    try:
        filters = SearchFilters(bpm_min, bpm_max, key, genre, date_from, date_to)
        query = SearchQuery(text, frozenset(kind) if kind else ALL_KINDS, limit, filters)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc

    async def work(application: App) -> SearchResults | str:
        try:
            return await application.search.search(query)
        except ValueError as exc:
            return str(exc)

    results = run_app(work)
    if isinstance(results, str):
        raise typer.BadParameter(results, param_hint="TEXT")
    if as_json:
        print_json(results.to_dict())
        return
    table = Table(title=f"{len(results.hits)} results for {escape(text)!r}")
    for column in ("score", "kind", "result", "details"):
        table.add_column(column)
    table.add_column("id", overflow="fold")
    for hit in results.hits:
        fields = hit.fields
        if hit.kind is SearchKind.TRACK:
            details = " ".join(
                str(v)
                for v in (
                    fields.get("bpm") and f"{fields['bpm']:.0f} BPM",
                    fields.get("camelot"),
                    fields.get("genre"),
                )
                if v
            )
        elif hit.kind is SearchKind.ARTIST:
            details = f"{fields.get('track_count', 0)} tracks"
        else:
            details = " ".join(str(v) for v in (fields.get("date"), fields.get("source_kind")) if v)
        hit_id = "" if hit.kind is SearchKind.ARTIST else hit.id
        table.add_row(
            f"{hit.score:.0f}", hit.kind.value, escape(hit.label), escape(details), hit_id
        )
    Console().print(table)


def _aligned(found: TracklistMatches, audio: Path) -> Tracklist:
    """The tracklist with its played entries' cues moved to the transitions heard in the mix.

    Entries found in the audio get an exact cue; the others keep theirs (or get an estimate).
    """
    from tracktion.analysis.alignment import AlignMethod, CueHint, align_cues

    tracklist = found.tracklist
    if not audio.is_file():
        raise _fail(f"[red]error:[/] --align needs the mix audio: {escape(str(audio))} not found")
    played = [
        (ordinal, entry)
        for ordinal, entry in enumerate(tracklist.entries)
        if entry.kind in (EntryKind.TRACK, EntryKind.UNKNOWN)
    ]
    hints = []
    for ordinal, entry in played:
        track = found.tracks.get(found.matches[ordinal].track_id or "")
        path = str(track["path"]) if track else None
        hints.append(CueHint(entry.position, path, entry.cue_s, entry.cue_precision))
    try:
        aligned = align_cues(str(audio), hints)
    except TracktionError as exc:
        raise _fail(
            f"[red]error:[/] cannot align {escape(str(audio))}: {escape(str(exc))}"
        ) from exc
    entries = list(tracklist.entries)
    for (ordinal, entry), cue in zip(played, aligned, strict=True):
        precision = CuePrecision.EXACT if cue.method is AlignMethod.AUDIO else entry.cue_precision
        if cue.method is not AlignMethod.KEPT:
            entries[ordinal] = replace(entry, cue_s=cue.cue_s, cue_precision=precision)
    return replace(tracklist, entries=tuple(entries))


@cue_app.command("generate")
def cue_generate(
    tracklist_ref: Annotated[str, typer.Option("--tracklist", help="Tracklist id.")],
    audio: Annotated[Path, typer.Option("--audio", help="The mix's audio file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The CUE sheet to write.")],
    split: Annotated[
        bool, typer.Option("--split", help="Over 99 tracks: several sheets (x.part1.cue...).")
    ] = False,
    truncate: Annotated[
        bool, typer.Option("--truncate", help="Over 99 tracks: keep the first 99.")
    ] = False,
    skip_unknown: Annotated[
        bool, typer.Option("--skip-unknown", help="Leave out entries without a cue time.")
    ] = False,
    bom: Annotated[bool, typer.Option("--bom", help="Start with a UTF-8 BOM.")] = False,
    crlf: Annotated[bool, typer.Option("--crlf", help="Windows line ends.")] = False,
    align: Annotated[
        bool, typer.Option("--align", help="Refine cues to the real transitions in the audio.")
    ] = False,
) -> None:
    """Write the CUE sheet of a mix from its tracklist."""
    if split and truncate:
        raise typer.BadParameter("choose --split or --truncate, not both")
    found = run_app(lambda application: application.tracklists.matches(tracklist_ref))
    tracklist = _aligned(found, audio) if align else found.tracklist
    name = os.path.relpath(audio.absolute(), output.absolute().parent)
    try:
        sheets = mix_cue_sheets(
            tracklist, audio, name, split=split, truncate=truncate, skip_unknown=skip_unknown
        )
    except CueSheetError as exc:
        raise _fail(f"[red]error:[/] {escape(str(exc))}") from exc
    paths = _write_sheets(sheets, output, bom=bom, crlf=crlf)
    console = err_console()
    for warning in sheets[0].warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    for path, sheet in zip(paths, sheets, strict=True):
        Console().print(f"wrote {escape(str(path))} ({len(sheet.tracks)} tracks)", highlight=False)


def _write_sheets(sheets: list[CueSheet], output: Path, *, bom: bool, crlf: bool) -> list[Path]:
    if len(sheets) == 1:
        paths = [output]
    else:
        paths = [output.with_suffix(f".part{n}{output.suffix}") for n in range(1, len(sheets) + 1)]
    for path, sheet in zip(paths, sheets, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render_cue(sheet, bom=bom, crlf=crlf))
    return paths


@cue_app.command("parse")
def cue_parse(
    path: Annotated[Path, typer.Argument(help="A CUE sheet.", exists=True, dir_okay=False)],
    index_format: Annotated[
        str, typer.Option("--index-format", help="INDEX times: auto, msf (mm:ss:ff) or hms.")
    ] = "auto",
    as_json: JsonOption = False,
) -> None:
    """Read any real-world CUE sheet into normalised form."""
    if index_format not in ("auto", "msf", "hms"):
        raise typer.BadParameter("use auto, msf or hms", param_hint="--index-format")
    try:
        reading = cast("IndexFormat", index_format)
        sheet = parse_cue(path.read_bytes(), name=path.name, index_format=reading)
    except CueSheetError as exc:
        raise _fail(f"[red]error:[/] {escape(str(exc))}") from exc
    if as_json:
        print_json(sheet.to_dict())
        return
    console = Console()
    title = " - ".join(part for part in (sheet.performer, sheet.title) if part)
    console.print(f"[bold]{escape(title)}[/]  ({sheet.encoding})", highlight=False)
    table = Table()
    for column in ("#", "file", "start", "pregap", "performer", "title"):
        table.add_column(column)
    for track in sheet.tracks:
        table.add_row(
            str(track.number),
            escape(track.file),
            format_cue(track.index01_s, CuePrecision.EXACT),
            "" if track.index00_s is None else format_cue(track.index00_s, CuePrecision.EXACT),
            escape(track.performer or ""),
            escape(track.title or ""),
        )
    console.print(table)
    for warning in sheet.warnings:
        err_console().print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
