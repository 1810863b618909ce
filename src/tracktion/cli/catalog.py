"""Commands that browse the catalog: tracks list/show, duplicates, events."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from tracktion.bootstrap import App
from tracktion.catalog.views import duplicate_group_view, history_view, track_view
from tracktion.cli.common import (
    JsonOption,
    print_json,
    run_app,
)
from tracktion.core.analysis import ENERGY_MAX, ENERGY_MIN, Mood
from tracktion.core.errors import NotFoundError
from tracktion.core.keys import camelot_codes
from tracktion.core.models import AudioFormat, TrackStatus
from tracktion.core.query import SortField, TrackQuery
from tracktion.render import (
    duplicate_table,
    track_detail,
    track_table,
)

tracks_app = typer.Typer(help="Browse the catalog.", no_args_is_help=True)


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


def _energy_range(text: str | None) -> tuple[int | None, int | None]:
    if not text:
        return None, None
    low, _, high = text.partition("-")
    try:
        bounds = (int(low), int(high or low))
    except ValueError:
        bounds = (0, 0)
    if not ENERGY_MIN <= bounds[0] <= bounds[1] <= ENERGY_MAX:
        raise typer.BadParameter(
            f"{text!r}: use a level {ENERGY_MIN}-{ENERGY_MAX} ('7') or a range ('6-8')",
            param_hint="--energy",
        )
    return bounds


def _camelot_codes(text: str | None, compatible: bool) -> tuple[str, ...]:
    if not text:
        if compatible:
            raise typer.BadParameter("--compatible needs --key", param_hint="--compatible")
        return ()
    try:
        return camelot_codes(text, compatible=compatible)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--key") from exc


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
    mood: Annotated[
        list[Mood] | None, typer.Option(help="Most probable mood (repeatable: any of).")
    ] = None,
    energy: Annotated[
        str | None, typer.Option(help="Energy 1-10: a range '6-8' or a level '7'.")
    ] = None,
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
    energy_min, energy_max = _energy_range(energy)
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
        moods=tuple(dict.fromkeys(mood or ())),
        energy_min=energy_min,
        energy_max=energy_max,
        needs_review=True if needs_review else None,
        sort=sort,
        descending=desc,
        limit=limit,
        offset=offset,
    )
    tracks = run_app(lambda application: application.store.list_tracks(query))
    if as_json:
        print_json([track_view(track) for track in tracks])
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

    track, history = run_app(work)
    if as_json:
        print_json([{**track_view(track), "history": [history_view(e) for e in history]}])
    else:
        track_detail(Console(), track, history)


def duplicates(as_json: JsonOption = False) -> None:
    """Groups of byte-identical files (same SHA-256), largest groups first."""
    groups = run_app(lambda application: application.store.duplicates())
    if as_json:
        print_json([duplicate_group_view(group) for group in groups])
    else:
        duplicate_table(Console(), groups)


def events(
    limit: Annotated[int, typer.Option(min=1)] = 20,
    type_pattern: Annotated[
        str, typer.Option("--type", help="Topic pattern, e.g. 'file.*'.")
    ] = "#",
    as_json: JsonOption = False,
) -> None:
    """The newest events of the audit trail."""
    found = run_app(lambda application: application.events.recent(limit, type_pattern))
    if as_json:
        print_json([event.to_dict() for event in found])
        return
    console = Console()
    for event in found:
        path = event.payload.get("path", "")
        console.print(
            f"{event.occurred_at.isoformat(timespec='milliseconds')}  {event.type:<24} {path}",
            highlight=False,
            markup=False,
        )
