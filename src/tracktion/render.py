"""Human output of the CLI: rich tables for tracks, scan summaries and duplicates."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from tracktion.core.events import EventType
from tracktion.core.models import DuplicateGroup, Track, TrackHistoryEntry, TrackStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

    from tracktion.core.analysis import AnalysisRecord
    from tracktion.watcher.scanner import ScanReport

_STATUS_STYLE = {TrackStatus.OK: "green", TrackStatus.ERROR: "red", TrackStatus.MISSING: "yellow"}


def short_id(track_id: str) -> str:
    """The random tail of a UUIDv7: unique in practice, accepted by ``tracks show``."""
    return track_id[-12:]


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} TiB"


def scan_summary(
    console: Console,
    report: ScanReport,
    analysed: Sequence[AnalysisRecord] = (),
    *,
    shown_errors: int = 50,
) -> None:
    """The table printed after a scan, then the files that failed."""
    rate = report.read / report.elapsed_s if report.elapsed_s else 0.0
    table = Table(title="Scan summary", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [
        ("folders", ", ".join(report.roots)),
        ("audio files found", f"{report.found:,}"),
        ("unchanged (skipped)", f"{report.unchanged:,}"),
        ("read (hashed + tags)", f"{report.read:,}  ({_size(report.bytes_read)})"),
        ("new", f"{report.events[EventType.FILE_DISCOVERED]:,}"),
        ("modified", f"{report.events[EventType.FILE_MODIFIED]:,}"),
        ("moved / renamed", f"{report.events[EventType.FILE_MOVED]:,}"),
        ("missing (deleted)", f"{report.events[EventType.FILE_DELETED]:,}"),
        ("analysed (BPM, key, ...)", f"{sum(r.error is None for r in analysed):,}"),
        ("analysis failed", f"{sum(r.error is not None for r in analysed):,}"),
        ("errors", f"{len(report.errors):,}"),
        ("warnings", f"{len(report.warnings):,}"),
        ("time", f"{report.elapsed_s:.2f} s  ({rate:,.0f} files/s read)"),
    ]
    for what, count in rows:
        table.add_row(what, escape(count))
    console.print(table)
    if report.errors:
        errors = Table(title=f"Files with errors ({len(report.errors)})", show_lines=False)
        errors.add_column("file", overflow="fold")
        errors.add_column("problem", overflow="fold")
        for path, message in report.errors[:shown_errors]:
            errors.add_row(escape(path), escape(message))
        console.print(errors)
        if len(report.errors) > shown_errors:
            console.print(
                f"... and {len(report.errors) - shown_errors} more (tracks list --status error)"
            )


def track_table(console: Console, tracks: Sequence[Track]) -> None:
    """One row per track."""
    table = Table(show_lines=False)
    for column in ("id", "status", "artist", "title", "album", "fmt", "time", "BPM", "key", "path"):
        table.add_column(column, overflow="fold" if column == "path" else "ellipsis")
    for track in tracks:
        tags = track.observation.tags
        style = _STATUS_STYLE[track.status]
        analysis = track.analysis
        table.add_row(
            short_id(track.id),
            f"[{style}]{track.status.value}[/]",
            escape(tags.artist or ""),
            escape(tags.title or os.path.basename(track.path)),
            escape(tags.album or ""),
            track.observation.format.value if track.observation.format else "",
            _duration(track.observation.audio.duration_s),
            f"{analysis.bpm:.1f}" if analysis and analysis.bpm else "",
            analysis.camelot or "" if analysis else "",
            escape(track.path),
        )
    console.print(table)
    console.print(f"{len(tracks)} track(s)")


def track_detail(console: Console, track: Track, history: Sequence[TrackHistoryEntry]) -> None:
    """Every field of one track, then its history."""
    observation = track.observation
    tags, audio = observation.tags, observation.audio
    table = Table(show_header=False, title=escape(os.path.basename(track.path)))
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    fields: list[tuple[str, object]] = [
        ("id", track.id),
        ("path", track.path),
        ("status", track.status.value),
        ("error", observation.error),
        ("warnings", "; ".join(observation.warnings) or None),
        ("title", tags.title),
        ("artist", tags.artist),
        ("artists", " / ".join(tags.artists) or None),
        ("album", tags.album),
        ("album artist", tags.albumartist),
        ("track", _of(tags.track_number, tags.track_total)),
        ("disc", _of(tags.disc_number, tags.disc_total)),
        ("date", tags.date),
        ("genre", tags.genre),
        ("tagged BPM", tags.tagged_bpm),
        ("tagged key", tags.tagged_key),
        ("format", observation.format.value if observation.format else None),
        ("codec", audio.codec),
        ("duration", _duration(audio.duration_s) or None),
        ("bitrate", f"{audio.bitrate // 1000} kbps" if audio.bitrate else None),
        ("sample rate", f"{audio.sample_rate} Hz" if audio.sample_rate else None),
        ("channels", audio.channels),
        ("bits per sample", audio.bits_per_sample),
        ("size", _size(observation.stat.size)),
        ("sha256", observation.fingerprint.sha256 if observation.fingerprint else None),
        ("xxh128", observation.fingerprint.xxh128 if observation.fingerprint else None),
        ("first seen", track.first_seen_at.isoformat(timespec="seconds")),
        ("updated", track.updated_at.isoformat(timespec="seconds")),
        (
            "missing since",
            track.missing_since.isoformat(timespec="seconds") if track.missing_since else None,
        ),
    ]
    analysis = track.analysis
    if analysis is not None:
        fields += [
            (
                "BPM",
                f"{analysis.bpm:.3f} (confidence {analysis.bpm_confidence:.2f})"
                if analysis.bpm is not None
                else None,
            ),
            (
                "key",
                f"{analysis.key} / {analysis.camelot} / {analysis.open_key} "
                f"(confidence {analysis.key_confidence:.2f})"
                if analysis.key
                else None,
            ),
            (
                "loudness",
                f"{analysis.loudness_lufs} LUFS, true peak {analysis.true_peak_db} dBTP"
                if analysis.loudness_lufs is not None
                else None,
            ),
            ("energy", analysis.energy),
            ("genres", ", ".join(f"{n} {p:.2f}" for n, p in analysis.genres) or None),
            ("moods", ", ".join(f"{n} {p:.2f}" for n, p in analysis.moods) or None),
            ("needs review", "yes" if analysis.needs_review else None),
            ("analysis error", analysis.error),
        ]
    for name, value in fields:
        if value is not None and value != "":
            table.add_row(name, escape(str(value)))
    console.print(table)
    history_table = Table(title="History")
    history_table.add_column("when")
    history_table.add_column("what")
    history_table.add_column("detail", overflow="fold")
    for entry in history:
        detail = ", ".join(f"{key}={value}" for key, value in entry.detail.items() if value)
        history_table.add_row(
            entry.occurred_at.isoformat(timespec="seconds"), entry.action, escape(detail)
        )
    console.print(history_table)


def _of(number: int | None, total: int | None) -> str | None:
    if number is None:
        return None
    return f"{number}/{total}" if total else str(number)


def duplicate_table(console: Console, groups: Sequence[DuplicateGroup]) -> None:
    """Groups of byte-identical files."""
    wasted = 0
    for number, group in enumerate(groups, 1):
        size = group.tracks[0].observation.stat.size
        wasted += size * (len(group.tracks) - 1)
        table = Table(
            title=f"Group {number}: {len(group.tracks)} identical files, {_size(size)} each "
            f"(sha256 {group.sha256[:16]}...)",
            title_justify="left",
        )
        table.add_column("id")
        table.add_column("path", overflow="fold")
        for track in group.tracks:
            table.add_row(short_id(track.id), escape(track.path))
        console.print(table)
    console.print(f"{len(groups)} duplicate group(s); {_size(wasted)} in redundant copies")


def analysis_table(console: Console, records: Sequence[AnalysisRecord]) -> None:
    """One row per analysed file."""
    table = Table()
    for column in ("file", "BPM", "key", "Camelot", "LUFS", "energy", "genre", "mood", "note"):
        table.add_column(column, overflow="fold" if column == "file" else "ellipsis")
    for record in records:
        table.add_row(
            escape(os.path.basename(record.path)),
            f"{record.bpm:.2f}" if record.bpm is not None else "",
            record.key or "",
            record.camelot or "",
            f"{record.loudness_lufs:.1f}" if record.loudness_lufs is not None else "",
            str(record.energy or ""),
            record.genres[0][0] if record.genres else "",
            record.moods[0][0] if record.moods else "",
            f"[red]{escape(record.error)}[/]"
            if record.error
            else ("review" if record.needs_review else ""),
        )
    console.print(table)
