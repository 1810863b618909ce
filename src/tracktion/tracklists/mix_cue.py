"""The CUE sheet(s) of a DJ mix's audio file, for `tracktion cue generate` and the API."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from tracktion.core.models import AudioFormat
from tracktion.metadata.reader import read_metadata
from tracktion.tracklists.cue_writer import (
    OverflowPolicy,
    UnknownCuePolicy,
    cue_sheet_for_mix,
    cue_sheets_for_mix,
)

if TYPE_CHECKING:
    from pathlib import Path

    from tracktion.core.tracklist import Tracklist
    from tracktion.tracklists.cue_sheet import CueSheet


def mix_duration(audio: Path) -> float | None:
    """The mix's length in seconds, or None when the file is missing or not a known format."""
    try:
        fmt = AudioFormat(audio.suffix.lower().lstrip("."))
    except ValueError:
        return None
    return read_metadata(str(audio), fmt).audio.duration_s if audio.is_file() else None


def mix_cue_sheets(
    tracklist: Tracklist,
    audio: Path,
    file_name: str,
    *,
    split: bool = False,
    truncate: bool = False,
    skip_unknown: bool = False,
) -> list[CueSheet]:
    """The sheets of ``tracklist`` pointing at ``file_name`` (the ``FILE`` line).

    The mix's length comes from ``audio`` when the tracklist does not know it (so the cues
    after the last known one can be estimated). One sheet, unless ``split`` (several of at most
    99 tracks); over 99 tracks without ``split`` raises ``CueSheetError`` unless ``truncate``.
    """
    if tracklist.duration_s is None:
        tracklist = replace(tracklist, duration_s=mix_duration(audio))
    unknown: UnknownCuePolicy = "skip" if skip_unknown else "interpolate"
    if split:
        return cue_sheets_for_mix(tracklist, file_name, unknown_cues=unknown)
    overflow: OverflowPolicy = "truncate" if truncate else "error"
    return [cue_sheet_for_mix(tracklist, file_name, overflow=overflow, unknown_cues=unknown)]
