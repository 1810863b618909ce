"""CUE sheets as data: the disc, its FILEs and TRACKs, and the ``mm:ss:ff`` frame arithmetic.

Times are seconds from the start of the track's FILE, always a whole number of CD frames
(75 per second) once they went through :func:`snap_to_frame`, :func:`parse_msf` or the reader.
The JSON shape of :meth:`CueSheet.to_dict` is a contract (``tracktion cue parse --json``):
``{performer, title, files: [{name, type}], tracks: [{number, file, performer, title,
index00_s, index01_s, ...}], ...}``. Fields may be added, never renamed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from tracktion.core.errors import CueSheetError

FRAMES_PER_SECOND = 75
"""CD-DA frames (sectors) per second: the unit of every CUE time."""
MAX_TRACKS = 99
"""The most tracks one CUE sheet (one CD) can hold."""

_MSF = re.compile(r"(\d+):(\d{1,2}):(\d{1,2})")


def seconds_to_frames(seconds: float) -> int:
    """Seconds to the nearest whole frame (halves round up); negative times are refused."""
    if not math.isfinite(seconds) or seconds < 0:
        raise CueSheetError(f"a CUE time must be a finite number of seconds >= 0, not {seconds!r}")
    # round() first drops float noise such as 0.1 * 75 == 7.500000000000001.
    return math.floor(round(seconds * FRAMES_PER_SECOND, 6) + 0.5)


def frames_to_seconds(frames: int) -> float:
    """Whole frames to seconds."""
    return frames / FRAMES_PER_SECOND


def snap_to_frame(seconds: float) -> float:
    """``seconds`` rounded to the nearest frame, still in seconds."""
    return frames_to_seconds(seconds_to_frames(seconds))


def format_msf(seconds: float) -> str:
    """``mm:ss:ff`` for a CUE INDEX; minutes grow past 99 (``101:06:65``), never wrap."""
    minutes, rest = divmod(seconds_to_frames(seconds), 60 * FRAMES_PER_SECOND)
    secs, frames = divmod(rest, FRAMES_PER_SECOND)
    return f"{minutes:02d}:{secs:02d}:{frames:02d}"


def parse_msf(text: str) -> float:
    """Seconds of an ``mm:ss:ff`` time (any number of minute digits; ss < 60, ff < 75)."""
    match = _MSF.fullmatch(text.strip())
    if match is None:
        raise CueSheetError(f"not an mm:ss:ff time: {text!r}")
    minutes, secs, frames = (int(group) for group in match.groups())
    if secs > 59 or frames >= FRAMES_PER_SECOND:
        raise CueSheetError(f"seconds must be < 60 and frames < 75 in {text!r}")
    return frames_to_seconds((minutes * 60 + secs) * FRAMES_PER_SECOND + frames)


@dataclass(frozen=True, slots=True)
class CueFile:
    """One FILE line: the audio (or data) file the following tracks live in."""

    name: str
    type: str = "WAVE"
    """``WAVE``, ``MP3``, ``AIFF``, ``BINARY``, ``MOTOROLA``."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of a FILE."""
        return {"name": self.name, "type": self.type}


@dataclass(frozen=True, slots=True)
class CueTrack:
    """One TRACK: where it starts in which FILE, and what it is."""

    number: int
    file: str
    """Name of the FILE that holds INDEX 01."""
    index01_s: float
    """INDEX 01, the start of the track, in seconds from the start of ``file``."""
    performer: str | None = None
    title: str | None = None
    index00_s: float | None = None
    """INDEX 00 (start of the pregap) when present."""
    index00_file: str | None = None
    """Set only when INDEX 00 sits in another FILE than INDEX 01: EAC's "non-compliant" gaps,
    where the pregap of track N is the end of the previous track's file."""
    mode: str = "AUDIO"
    """The TRACK datatype: ``AUDIO``, ``MODE1/2352``, ``MODE2/2352``..."""
    songwriter: str | None = None
    isrc: str | None = None
    flags: tuple[str, ...] = ()
    pregap_s: float | None = None
    """PREGAP: silence a player generates before the track (not in the file)."""
    postgap_s: float | None = None
    later_indexes: tuple[tuple[int, float], ...] = ()
    """INDEX 02 and up, as ``(number, seconds)``."""
    rems: dict[str, str] = field(default_factory=dict)
    """Track-level ``REM KEY value`` lines, keys upper-cased."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of a track."""
        return {
            "number": self.number,
            "file": self.file,
            "performer": self.performer,
            "title": self.title,
            "index00_s": self.index00_s,
            "index01_s": self.index01_s,
            "index00_file": self.index00_file,
            "mode": self.mode,
            "songwriter": self.songwriter,
            "isrc": self.isrc,
            "flags": list(self.flags),
            "pregap_s": self.pregap_s,
            "postgap_s": self.postgap_s,
            "later_indexes": [[number, seconds] for number, seconds in self.later_indexes],
            "rems": dict(self.rems),
        }


@dataclass(frozen=True, slots=True)
class CueSheet:
    """A whole CUE sheet; equality ignores ``warnings`` and ``encoding`` (how it was read)."""

    performer: str | None = None
    title: str | None = None
    files: tuple[CueFile, ...] = ()
    """FILE lines in order; a name appears again when the sheet repeats its FILE line."""
    tracks: tuple[CueTrack, ...] = ()
    rems: dict[str, str] = field(default_factory=dict)
    """Disc-level ``REM KEY value`` lines (``GENRE``, ``DATE``, ``COMMENT``...), keys in caps."""
    songwriter: str | None = None
    catalog: str | None = None
    cdtextfile: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)
    """What the reader skipped or guessed, or what the writer had to decide, for the user."""
    encoding: str | None = field(default=None, compare=False)
    """The text encoding the reader decoded (``utf-8``, ``utf-16-le``, ``cp1251``...)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of a sheet (``tracktion cue parse --json``)."""
        return {
            "performer": self.performer,
            "title": self.title,
            "files": [cue_file.to_dict() for cue_file in self.files],
            "tracks": [track.to_dict() for track in self.tracks],
            "rems": dict(self.rems),
            "songwriter": self.songwriter,
            "catalog": self.catalog,
            "cdtextfile": self.cdtextfile,
            "encoding": self.encoding,
            "warnings": list(self.warnings),
        }
