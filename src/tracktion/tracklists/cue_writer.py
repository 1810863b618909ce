"""Write CUE sheets: a :class:`CueSheet` to bytes, and the sheet(s) of a DJ mix's tracklist.

Decisions:

- FILE type: ``MP3`` for MP3/MP2, ``AIFF`` for AIFF/AIF/AIFC, ``WAVE`` for everything else
  (WAV, FLAC, Ogg, Opus, M4A, APE, WavPack...): the CUE spec only knows WAVE/MP3/AIFF for audio,
  and foobar2000, EAC and CUETools all write ``WAVE`` for a decoded-lossless or other file.
- Values are always written in double quotes. The format has no escape, so a ``"`` inside a value
  becomes a typographic quote, alternating ``“`` and ``”`` (``Say "Hi"`` -> ``Say “Hi”``);
  line breaks and tabs become spaces. REM values are quoted only when they contain whitespace.
  :func:`cue_sheet_for_mix` applies this to the sheet it builds, so ``parse(render(sheet))``
  gives it back; an audio file name with ``"`` is refused (the sheet could not point to it).
- Disc PERFORMER = the DJs joined with `` & ``; TITLE = the mix title; ``REM GENRE`` = the styles,
  ``REM DATE`` = the ISO date, ``REM COMMENT`` = the source URL. Track PERFORMER = the main
  artists joined with `` & `` plus `` feat. `` and the featured ones; TITLE = title with
  `` (Remix)``; an unidentified part is ``ID``. ``REM LABEL`` carries the label.
- ``w/`` rows (PLAYED_WITH) and mashup parts (MASHUP_PART) are not tracks: they are folded into
  the track they belong to as ``REM PLAYED_WITH "A - T / B - U"`` and ``REM MASHUP_OF "..."``.
- Track 1 always starts at 00:00:00 (the whole file is covered). Cue times are rounded to the
  nearest frame. Minute-only or partial cues are kept and marked ``REM CUE_PRECISION minute``
  (or ``partial``). A cue not after the one before it is treated as unknown. Unknown cues are
  interpolated evenly between the known neighbours (after the last known cue: up to the mix
  duration) and marked ``REM CUE_PRECISION estimated``; where no estimate is possible the entry
  is left out with a warning on the sheet. ``unknown_cues="skip"`` leaves every unknown one out.
- More than 99 tracks (the CUE/CD limit): :func:`cue_sheet_for_mix` raises
  :class:`CueSheetError` unless ``overflow="truncate"`` (keep 99, warn);
  :func:`cue_sheets_for_mix` splits into sheets of at most 99 tracks on the same audio file,
  titled ``Title (part k/n)``, numbered from 1 each, with the times of the file (so part 2's
  first track does not start at 00:00:00).
- Output is UTF-8 without BOM with LF line ends unless ``bom=True`` / ``crlf=True``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal

from tracktion.core.errors import CueSheetError
from tracktion.core.tracklist import CuePrecision, EntryKind, Tracklist, TracklistEntry
from tracktion.tracklists.cue_sheet import (
    MAX_TRACKS,
    CueFile,
    CueSheet,
    CueTrack,
    format_msf,
    frames_to_seconds,
    seconds_to_frames,
)
from tracktion.tracklists.cue_time import format_clock

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

OverflowPolicy = Literal["error", "truncate"]
"""What :func:`cue_sheet_for_mix` does with more than 99 tracks."""
UnknownCuePolicy = Literal["interpolate", "skip"]
"""What happens to entries whose cue time is not known."""

_FILE_TYPES = {"mp3": "MP3", "mp2": "MP3", "aiff": "AIFF", "aif": "AIFF", "aifc": "AIFF"}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]+")
_UTF8_BOM = b"\xef\xbb\xbf"


def cue_file_type(audio_format: str) -> str:
    """The FILE type for a format or extension (``"mp3"``, ``".flac"``, ``"AIFF"``)."""
    return _FILE_TYPES.get(audio_format.lower().lstrip("."), "WAVE")


def _clean(value: str) -> str:
    return " ".join(_UNSAFE.sub(" ", value).split())


def cue_text(value: str) -> str:
    """``value`` as it can stand in a CUE sheet: one line, ``"`` turned into ``“``/``”``."""
    parts = _clean(value).split('"')
    text = parts[0]
    for index, part in enumerate(parts[1:]):
        text += ("\u201c" if index % 2 == 0 else "\u201d") + part
    return text


def _quote(value: str) -> str:
    return f'"{cue_text(value)}"'


def _rem(key: str, value: str) -> str:
    name = "_".join(_clean(key).upper().split()) or "COMMENT"
    text = _clean(value)
    bare = text and " " not in text and '"' not in text
    return f"REM {name} {text if bare else _quote(text)}"


def _cue_lines(sheet: CueSheet) -> Iterator[str]:
    if len(sheet.tracks) > MAX_TRACKS:
        raise CueSheetError(f"{len(sheet.tracks)} tracks: a CUE sheet holds at most {MAX_TRACKS}")
    file_types = {cue_file.name: cue_file.type for cue_file in sheet.files}
    yield from (_rem(key, value) for key, value in sheet.rems.items())
    if sheet.catalog:
        yield f"CATALOG {_clean(sheet.catalog)}"
    if sheet.cdtextfile:
        yield f"CDTEXTFILE {_quote(sheet.cdtextfile)}"
    for command, value in (
        ("PERFORMER", sheet.performer),
        ("TITLE", sheet.title),
        ("SONGWRITER", sheet.songwriter),
    ):
        if value is not None:
            yield f"{command} {_quote(value)}"
    current: str | None = None
    last_s = 0.0
    for track in sheet.tracks:
        if not 1 <= track.number <= MAX_TRACKS:
            raise CueSheetError(f"track number {track.number} is outside 1-{MAX_TRACKS}")
        split_gap = track.index00_s is not None and track.index00_file not in (None, track.file)
        start_file = track.index00_file if split_gap and track.index00_file else track.file
        start_s = track.index00_s if track.index00_s is not None else track.index01_s
        # A FILE restarts time at 00:00:00, so going back in time means a new FILE line.
        if start_file != current or start_s <= last_s:
            yield f"FILE {_quote(start_file)} {file_types.get(start_file, 'WAVE')}"
            current = start_file
        yield f"  TRACK {track.number:02d} {track.mode}"
        for command, value in (
            ("TITLE", track.title),
            ("PERFORMER", track.performer),
            ("SONGWRITER", track.songwriter),
        ):
            if value is not None:
                yield f"    {command} {_quote(value)}"
        yield from (f"    {_rem(key, value)}" for key, value in track.rems.items())
        if track.flags:
            yield f"    FLAGS {' '.join(track.flags)}"
        if track.isrc:
            yield f"    ISRC {_clean(track.isrc)}"
        if track.pregap_s is not None:
            yield f"    PREGAP {format_msf(track.pregap_s)}"
        if track.index00_s is not None:
            yield f"    INDEX 00 {format_msf(track.index00_s)}"
        if track.file != current:
            yield f"FILE {_quote(track.file)} {file_types.get(track.file, 'WAVE')}"
            current = track.file
        yield f"    INDEX 01 {format_msf(track.index01_s)}"
        yield from (f"    INDEX {num:02d} {format_msf(at)}" for num, at in track.later_indexes)
        if track.postgap_s is not None:
            yield f"    POSTGAP {format_msf(track.postgap_s)}"
        last_s = max([track.index01_s, *(at for _, at in track.later_indexes)])


def render_cue(sheet: CueSheet, *, bom: bool = False, crlf: bool = False) -> bytes:
    """The sheet as CUE text: UTF-8, no BOM and LF line ends unless asked otherwise."""
    newline = "\r\n" if crlf else "\n"
    text = newline.join(_cue_lines(sheet)) + newline
    return (_UTF8_BOM if bom else b"") + text.encode("utf-8")


@dataclass(slots=True)
class _Slot:
    """One future TRACK: the entry that starts it, its folded rows, its time in frames."""

    entry: TracklistEntry
    extras: list[TracklistEntry] = field(default_factory=list)
    frames: int | None = None
    estimated: bool = False


def _slots(tracklist: Tracklist, warnings: list[str]) -> list[_Slot]:
    slots: list[_Slot] = []
    by_position: dict[int, _Slot] = {}
    for entry in tracklist.entries:
        if entry.kind in (EntryKind.TRACK, EntryKind.UNKNOWN):
            slot = _Slot(entry)
            slots.append(slot)
            by_position.setdefault(entry.position, slot)
            known = entry.cue_s is not None and entry.cue_precision is not CuePrecision.UNKNOWN
            slot.frames = (
                seconds_to_frames(entry.cue_s) if known and entry.cue_s is not None else None
            )
        elif (owner := by_position.get(entry.position) or (slots[-1] if slots else None)) is None:
            warnings.append(f"row {entry.display!r} comes before any track: left out")
        else:
            owner.extras.append(entry)
    return slots


def _resolve_times(
    slots: list[_Slot], duration_s: float | None, policy: UnknownCuePolicy, warnings: list[str]
) -> list[_Slot]:
    """Give every slot a strictly increasing frame, or leave it out (with a warning)."""
    if not slots:
        return []
    first = slots[0]
    if first.frames:
        clock = format_clock(frames_to_seconds(first.frames))
        warnings.append(f"track 1 starts at 00:00:00 (its tracklist cue is {clock})")
    first.frames = 0
    last = 0
    for slot in slots[1:]:
        if slot.frames is not None and slot.frames <= last:
            warnings.append(f"cue of {slot.entry.display!r} is not after the one before: unknown")
            slot.frames = None
        last = slot.frames if slot.frames is not None else last
    end = seconds_to_frames(duration_s) if duration_s else None
    kept: list[_Slot] = []
    pending: list[_Slot] = []
    ends: list[_Slot | None] = [*slots, None]
    for known in ends:
        if known is not None and known.frames is None:
            pending.append(known)
            continue
        stop = known.frames if known is not None else end
        start = kept[-1].frames if kept and kept[-1].frames is not None else 0
        if pending and policy == "interpolate" and stop is not None and stop - start > len(pending):
            step = (stop - start) / (len(pending) + 1)
            for index, gap_slot in enumerate(pending, start=1):
                gap_slot.frames, gap_slot.estimated = int(start + step * index + 0.5), True
            kept.extend(pending)
        else:
            reason = "no cue time" if policy == "skip" else "no cue time and nothing to estimate it"
            warnings.extend(f"{p.entry.display!r}: {reason}: left out" for p in pending)
        pending = []
        if known is not None:
            kept.append(known)
    return kept


def _performer(entry: TracklistEntry) -> str:
    main = [artist for artist in entry.artists if artist not in entry.featured] or ["ID"]
    text = " & ".join(main)
    return cue_text(f"{text} feat. {' & '.join(entry.featured)}" if entry.featured else text)


def _title(entry: TracklistEntry) -> str:
    title = entry.title or "ID"
    return cue_text(f"{title} ({entry.remix})" if entry.remix else title)


def _track(number: int, slot: _Slot, audio_name: str) -> CueTrack:
    entry = slot.entry
    rems: dict[str, str] = {}
    if slot.estimated:
        rems["CUE_PRECISION"] = "estimated"
    elif entry.cue_precision in (CuePrecision.MINUTE, CuePrecision.PARTIAL) and number > 1:
        rems["CUE_PRECISION"] = entry.cue_precision.value
    if entry.label:
        rems["LABEL"] = cue_text(entry.label)
    for kind, key in ((EntryKind.PLAYED_WITH, "PLAYED_WITH"), (EntryKind.MASHUP_PART, "MASHUP_OF")):
        folded = [extra.display for extra in slot.extras if extra.kind is kind]
        if folded:
            rems[key] = cue_text(" / ".join(folded))
    return CueTrack(
        number=number,
        file=audio_name,
        index01_s=frames_to_seconds(slot.frames or 0),
        performer=_performer(entry),
        title=_title(entry),
        rems=rems,
    )


def _disc(tracklist: Tracklist, audio_name: str, audio_format: str | None) -> CueSheet:
    rems: dict[str, str] = {}
    if tracklist.styles:
        rems["GENRE"] = cue_text(", ".join(tracklist.styles))
    if tracklist.date:
        rems["DATE"] = cue_text(tracklist.date)
    if tracklist.source:
        rems["COMMENT"] = cue_text(tracklist.source)
    if cue_text(audio_name) != audio_name:
        raise CueSheetError(f"a CUE sheet cannot name {audio_name!r}: rename it without '\"'")
    file_type = cue_file_type(audio_format or PurePath(audio_name).suffix)
    return CueSheet(
        performer=cue_text(" & ".join(tracklist.djs)) or None,
        title=cue_text(tracklist.title),
        files=(CueFile(audio_name, file_type),),
        rems=rems,
    )


def _tracks(
    tracklist: Tracklist, audio_name: str, policy: UnknownCuePolicy, warnings: list[str]
) -> list[CueTrack]:
    slots = _resolve_times(_slots(tracklist, warnings), tracklist.duration_s, policy, warnings)
    return [_track(number, slot, audio_name) for number, slot in enumerate(slots, start=1)]


def cue_sheets_for_mix(
    tracklist: Tracklist,
    audio_name: str,
    *,
    audio_format: str | None = None,
    unknown_cues: UnknownCuePolicy = "interpolate",
) -> list[CueSheet]:
    """The mix as one sheet, or as several of at most 99 tracks each on the same audio file.

    ``audio_format`` (``"mp3"``, ``"flac"``...) picks the FILE type; without it the extension of
    ``audio_name`` does. ``audio_name`` is written as given (relative to the sheet).
    """
    warnings: list[str] = []
    tracks = _tracks(tracklist, audio_name, unknown_cues, warnings)
    if not tracks:
        raise CueSheetError(f"tracklist {tracklist.title!r} has no tracks to write a CUE sheet for")
    disc = _disc(tracklist, audio_name, audio_format)
    chunks = [tracks[at : at + MAX_TRACKS] for at in range(0, len(tracks), MAX_TRACKS)]
    if len(chunks) == 1:
        return [replace(disc, tracks=tuple(tracks), warnings=tuple(warnings))]
    return [
        replace(
            disc,
            title=cue_text(f"{tracklist.title} (part {part}/{len(chunks)})"),
            tracks=tuple(replace(track, number=n) for n, track in enumerate(chunk, start=1)),
            warnings=tuple(warnings),
        )
        for part, chunk in enumerate(chunks, start=1)
    ]


def cue_sheet_for_mix(
    tracklist: Tracklist,
    audio_name: str,
    *,
    audio_format: str | None = None,
    overflow: OverflowPolicy = "error",
    unknown_cues: UnknownCuePolicy = "interpolate",
) -> CueSheet:
    """The CUE sheet of a mix recorded in ``audio_name``; see the module notes for the policies.

    More than 99 tracks raises :class:`CueSheetError` (``overflow="error"``) or keeps the first
    99 with a warning (``overflow="truncate"``); :func:`cue_sheets_for_mix` splits instead.
    """
    sheets: Sequence[CueSheet] = cue_sheets_for_mix(
        tracklist, audio_name, audio_format=audio_format, unknown_cues=unknown_cues
    )
    if len(sheets) == 1:
        return sheets[0]
    count = sum(len(sheet.tracks) for sheet in sheets)
    if overflow == "error":
        raise CueSheetError(
            f"the mix has {count} tracks but a CUE sheet holds at most {MAX_TRACKS}: pass "
            f"overflow='truncate' to keep the first {MAX_TRACKS}, or use cue_sheets_for_mix() "
            "to split it into several sheets"
        )
    kept = sheets[0]
    note = f"{count - MAX_TRACKS} tracks after track {MAX_TRACKS} left out (CUE limit)"
    return replace(kept, title=cue_text(tracklist.title), warnings=(*kept.warnings, note))
