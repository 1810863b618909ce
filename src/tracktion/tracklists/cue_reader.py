"""Read real-world CUE sheets into a :class:`CueSheet`, whatever tool wrote them.

- Text: UTF-8/16/32 with or without BOM (UTF-16/32 without BOM are recognised by their zero
  bytes and a decoding free of NULs), else legacy code pages guessed by charset-normalizer
  (cp1252 wins when it decodes to the same text: EAC's usual choice); CR, LF, CRLF line ends.
- Several FILE blocks; INDEX 00 pregaps; EAC "non-compliant" gaps, where INDEX 00 of a track sits
  at the end of the previous FILE (kept as ``index00_file``); PREGAP/POSTGAP, FLAGS, ISRC, CATALOG,
  REM lines; a bare number as a time is frames (as libcue reads foobar2000's ``INDEX 1 99``).
- rekordbox's dialect: INDEX values written ``HH:MM:SS`` instead of ``MM:SS:FF``. ``auto``
  detects it when every third field is below 60 and the ``MM:SS:FF`` reading would make the
  tracks implausibly short (under 20 s on average) while ``HH:MM:SS`` gives real tracks (30 s or
  more); ``index_format="hms"`` or ``"msf"`` forces a reading. In a rekordbox sheet (that
  dialect, or ``REM RECORDED_BY "rekordbox..."``), a FILE line inside a TRACK names the source
  track, not the recording: it is kept as the track's ``REM SOURCE_FILE``.
- Unknown commands are skipped and listed in ``warnings``; input that cannot mean anything
  raises :class:`CueSheetError` naming the line number and its text.
"""

from __future__ import annotations

import codecs
import itertools
import re
from dataclasses import dataclass, field
from typing import Literal

from charset_normalizer import from_bytes

from tracktion.core.errors import CueSheetError
from tracktion.tracklists.cue_sheet import (
    FRAMES_PER_SECOND,
    CueFile,
    CueSheet,
    CueTrack,
    frames_to_seconds,
)

IndexFormat = Literal["auto", "msf", "hms"]
"""How INDEX times are written: ``mm:ss:ff`` (the standard), ``hh:mm:ss`` (rekordbox), or guess."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")
_LINE_END = re.compile(r"\r\n|\r|\n")
_TIME = re.compile(r"(\d+):(\d{1,2}):(\d{1,2})|(\d+)")
_FILE_TYPES = frozenset({"WAVE", "MP3", "AIFF", "BINARY", "MOTOROLA", "FLAC", "WAV"})
_TRACK_ONLY = frozenset({"INDEX", "PREGAP", "POSTGAP", "ISRC", "FLAGS"})
_HMS_MAX_MSF_GAP_S = 20.0
_HMS_MIN_GAP_S = 30.0


def _sniff_wide(data: bytes) -> tuple[str, str] | None:
    """UTF-16/32 without BOM: zero bytes, and a decoding that gives a sheet without NULs."""
    if b"\x00" not in data:
        return None
    for codec in _WIDE:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and "TRACK" in text.upper():
            return text, codec
    return None


def decode_cue_text(data: bytes) -> tuple[str, str]:
    """The text of a CUE file and the encoding it was read with (``utf-8-sig`` = with BOM)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise CueSheetError(
                    f"the file starts with a {codec} BOM but is not {codec}"
                ) from exc
            return text, "utf-8-sig" if codec == "utf-8" else codec
    wide = _sniff_wide(data)
    if wide is not None:
        return wide
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        return data.decode("cp1252", errors="replace"), "cp1252"
    text = str(best)
    try:
        if data.decode("cp1252") == text:
            return text, "cp1252"
    except UnicodeDecodeError:
        pass
    return text, best.encoding


@dataclass(frozen=True, slots=True)
class _Time:
    """A time as written: three fields, or one bare number of frames."""

    fields: tuple[int, ...]
    line: int
    text: str


@dataclass(slots=True)
class _Draft:
    """A TRACK while it is read."""

    number: int
    mode: str
    line: int
    text: str
    title: str | None = None
    performer: str | None = None
    songwriter: str | None = None
    isrc: str | None = None
    flags: tuple[str, ...] = ()
    rems: dict[str, str] = field(default_factory=dict)
    pregap: _Time | None = None
    postgap: _Time | None = None
    index00: _Time | None = None
    index00_file: str | None = None
    index01: _Time | None = None
    file: str | None = None
    later: list[tuple[int, _Time]] = field(default_factory=list)


@dataclass(slots=True)
class _Disc:
    """The sheet while it is read."""

    performer: str | None = None
    title: str | None = None
    songwriter: str | None = None
    catalog: str | None = None
    cdtextfile: str | None = None
    rems: dict[str, str] = field(default_factory=dict)
    files: list[CueFile] = field(default_factory=list)
    drafts: list[_Draft] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Reader:
    """One pass over the lines of a sheet; times stay as written until the dialect is known."""

    def __init__(self, name: str, rekordbox: bool) -> None:
        self.prefix = f"{name}: " if name else ""
        self.rekordbox = rekordbox
        self.disc = _Disc()
        self.current_file: str | None = None
        self.track: _Draft | None = None

    def error(self, number: int, text: str, reason: str) -> CueSheetError:
        return CueSheetError(f"{self.prefix}line {number}: {reason}: {text.strip()!r}")

    def read(self, lines: list[str]) -> _Disc:
        for number, line in enumerate(lines, start=1):
            command, _, rest = line.strip().partition(" ")
            if command:
                self.command(number, line, command.upper(), rest.strip())
        return self.disc

    def command(self, number: int, line: str, command: str, rest: str) -> None:
        if command in _TRACK_ONLY and self.track is None:
            raise self.error(number, line, f"{command} outside a TRACK")
        if command == "REM":
            key, _, value = rest.partition(" ")
            if key:
                target = self.track.rems if self.track else self.disc.rems
                target[key.upper()] = _unquote(value.strip())
        elif command in ("TITLE", "PERFORMER", "SONGWRITER"):
            setattr(self.track or self.disc, command.lower(), _unquote(rest))
        elif command in ("CATALOG", "CDTEXTFILE"):
            setattr(self.disc, command.lower(), _unquote(rest))
        elif command == "FILE":
            self.file(number, line, rest)
        elif command == "TRACK":
            self.start_track(number, line, rest)
        elif command == "INDEX":
            self.index(number, line, rest)
        elif command in ("PREGAP", "POSTGAP"):
            setattr(self.track, command.lower(), _time(rest, number, line, self))
        elif command == "ISRC" and self.track:
            self.track.isrc = rest
        elif command == "FLAGS" and self.track:
            self.track.flags = tuple(rest.split())
        else:
            self.disc.warnings.append(f"line {number}: unknown command {command!r} ignored")

    def file(self, number: int, line: str, rest: str) -> None:
        if not rest:
            raise self.error(number, line, "FILE without a name")
        name, file_type = rest, "WAVE"
        head, _, last = rest.rpartition(" ")
        if head and last.upper() in _FILE_TYPES:
            name, file_type = head.strip(), last.upper()
        elif not rest.endswith('"'):
            self.disc.warnings.append(f"line {number}: FILE without a type, WAVE assumed")
        name = _unquote(name)
        if self.rekordbox and self.track and self.track.index01 is None:
            self.track.rems["SOURCE_FILE"] = name
            return
        self.current_file = name
        self.disc.files.append(CueFile(name, file_type))

    def start_track(self, number: int, line: str, rest: str) -> None:
        self.finish_track()
        if self.current_file is None:
            raise self.error(number, line, "TRACK before any FILE")
        fields = rest.split()
        if not fields or not fields[0].isdigit():
            raise self.error(number, line, "TRACK without a number")
        mode = fields[1].upper() if len(fields) > 1 else "AUDIO"
        self.track = _Draft(int(fields[0]), mode, number, line)
        self.disc.drafts.append(self.track)

    def index(self, number: int, line: str, rest: str) -> None:
        fields = rest.split()
        if len(fields) != 2 or not fields[0].isdigit() or int(fields[0]) > 99:
            raise self.error(number, line, "INDEX needs a number 0-99 and a time")
        track = self.track
        assert track is not None  # checked by command()
        at, which = _time(fields[1], number, line, self), int(fields[0])
        if which == 0:
            track.index00, track.index00_file = at, self.current_file
        elif which == 1:
            track.index01, track.file = at, self.current_file
        else:
            track.later.append((which, at))

    def finish_track(self) -> None:
        track = self.track
        if track is not None and track.index01 is None:
            self.disc.drafts.remove(track)
            self.disc.warnings.append(
                f"line {track.line}: TRACK {track.number:02d} has no INDEX 01: left out"
            )


def _unquote(value: str) -> str:
    text = value.strip()
    if text.startswith('"'):
        text = text[1:-1] if len(text) > 1 and text.endswith('"') else text[1:]
    return text.strip()


def _time(text: str, number: int, line: str, reader: _Reader) -> _Time:
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise reader.error(number, line, "not a time (mm:ss:ff)")
    if match.group(4) is not None:
        return _Time((int(match.group(4)),), number, line)
    return _Time(tuple(int(group) for group in match.groups()[:3]), number, line)


def _frames(at: _Time, hms: bool, reader: _Reader) -> int:
    if len(at.fields) == 1:
        return at.fields[0]
    first, second, third = at.fields
    if second > 59 or third >= (60 if hms else FRAMES_PER_SECOND):
        form = "hh:mm:ss" if hms else "mm:ss:ff"
        raise reader.error(at.line, at.text, f"time out of range for {form}")
    if hms:
        return ((first * 60 + second) * 60 + third) * FRAMES_PER_SECOND
    return (first * 60 + second) * FRAMES_PER_SECOND + third


def _looks_hms(times: list[_Time]) -> bool:
    """rekordbox's HH:MM:SS: too-short tracks as mm:ss:ff, plausible ones as hh:mm:ss."""
    if len(times) < 3 or any(len(at.fields) != 3 or at.fields[2] >= 60 for at in times):
        return False
    msf = [(a * 60 + b) + c / FRAMES_PER_SECOND for a, b, c in (at.fields for at in times)]
    hms = [(a * 60 + b) * 60 + c for a, b, c in (at.fields for at in times)]
    if any(later < earlier for earlier, later in itertools.pairwise(hms)):
        return False
    gaps = len(times) - 1
    msf_gap, hms_gap = (msf[-1] - msf[0]) / gaps, (hms[-1] - hms[0]) / gaps
    return msf_gap < _HMS_MAX_MSF_GAP_S and hms_gap >= _HMS_MIN_GAP_S


def _track(draft: _Draft, hms: bool, reader: _Reader) -> CueTrack:
    def seconds(at: _Time | None) -> float | None:
        return None if at is None else frames_to_seconds(_frames(at, hms, reader))

    assert draft.index01 is not None
    assert draft.file is not None
    index00_file = draft.index00_file if draft.index00_file != draft.file else None
    return CueTrack(
        number=draft.number,
        file=draft.file,
        index01_s=frames_to_seconds(_frames(draft.index01, hms, reader)),
        performer=draft.performer,
        title=draft.title,
        index00_s=seconds(draft.index00),
        index00_file=index00_file if draft.index00 is not None else None,
        mode=draft.mode,
        songwriter=draft.songwriter,
        isrc=draft.isrc,
        flags=draft.flags,
        pregap_s=seconds(draft.pregap),
        postgap_s=seconds(draft.postgap),
        later_indexes=tuple(
            (n, frames_to_seconds(_frames(at, hms, reader))) for n, at in draft.later
        ),
        rems=draft.rems,
    )


def parse_cue(data: bytes, *, name: str = "", index_format: IndexFormat = "auto") -> CueSheet:
    """Parse a CUE sheet from its bytes; ``name`` (the file's name) prefixes error messages."""
    text, encoding = decode_cue_text(data)
    lines = _LINE_END.split(text.lstrip("\ufeff"))
    marker = re.search(r"^\s*REM\s+RECORDED_BY\s+\"?rekordbox", text, re.I | re.M) is not None
    probe = _Reader(name, rekordbox=True).read(lines) if index_format == "auto" else None
    hms = index_format == "hms" or (
        probe is not None and _looks_hms([d.index01 for d in probe.drafts if d.index01])
    )
    reader = _Reader(name, rekordbox=marker or hms)
    disc = reader.read(lines)
    reader.finish_track()
    if not disc.drafts:
        raise CueSheetError(f"{reader.prefix}no TRACK with an INDEX 01 in the CUE sheet")
    if hms:
        disc.warnings.append("INDEX times read as hh:mm:ss (rekordbox's dialect)")
    return CueSheet(
        performer=disc.performer,
        title=disc.title,
        files=tuple(disc.files),
        tracks=tuple(_track(draft, hms, reader) for draft in disc.drafts),
        rems=disc.rems,
        songwriter=disc.songwriter,
        catalog=disc.catalog,
        cdtextfile=disc.cdtextfile,
        warnings=tuple(disc.warnings),
        encoding=encoding,
    )
