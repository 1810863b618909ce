"""Pasted text tracklists: ``00:00 Artist - Title``, ``NN. [h:mm:ss] ...``, plain lines, ..."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from tracktion.core.errors import TracklistError
from tracktion.core.tracklist import CuePrecision, Tracklist
from tracktion.tracklists.cue_time import parse_cue
from tracktion.tracklists.entry_text import EntryText, parse_entry_text, split_artists

SOURCE_KIND = "text"

_DASH = "-\u2013\u2014"
_NUMBER = re.compile(
    rf"^(?P<disc>\d{{1,2}}\.)?(?P<num>\d{{1,3}})(?:[.)]\s*|\t\s*|\s+[{_DASH}]\s+(?=[\[(]?\d{{1,2}}:))"
)
_TIME = re.compile(
    rf"^[\[(]?(?P<time>\d{{1,2}}(?::\d{{2}}){{1,2}}|[0-9?]{{1,3}}(?::[0-9?]{{2}}){{0,2}})"
    rf"(?:[\])](?:\s*[{_DASH}|:]?\s+|$)|(?:\s*[{_DASH}|]\s*|\s+))"
)
_SECTION = re.compile(
    r"^(?P<name>(?:cd|disc|disk|part|album|side|hour|set)\s*[\w.]{1,3})\s*:?$", re.IGNORECASE
)
_UNDERLINE = re.compile(r"^[=\-_*~]{3,}$")
_CREDIT = re.compile(
    rf"^(?:written[- ]by|remix|producer|co-producer|mixed by|lyrics by|music by|vocals|"
    rf"featuring|engineer|arranged by|edited by|mastered by|composed by|performer|"
    rf"keyboards|guitar|bass|drums|voice|words by)\s*[{_DASH}]",
    re.IGNORECASE,
)
_URL = re.compile(r"^(?:\w+:\s*)?https?://\S+$", re.IGNORECASE)
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_LICENSE_KEYS = ("Song", "Artist", "Album", "Licensed to YouTube by", "Writers", "Music")


@dataclass(frozen=True, slots=True)
class _Line:
    parsed: EntryText
    cue_s: float | None
    precision: CuePrecision
    number: int | None
    disc: int | None
    strong: bool
    raw: str
    section: str | None


def _plain_line(text: str, section: str | None) -> _Line:
    return _Line(
        parse_entry_text(text), None, CuePrecision.UNKNOWN, None, None, False, text, section
    )


def _licensing_entries(lines: list[str]) -> tuple[list[tuple[str, str]], set[int]]:
    """YouTube's "Music in this video" blocks: ``Song / X / Artist / Y / ...``."""
    pairs: list[tuple[str, str]] = []
    used: set[int] = set()
    index = 0
    while index < len(lines) - 3:
        if lines[index] == "Song" and lines[index + 2] == "Artist":
            pairs.append((lines[index + 3], lines[index + 1]))
            used.update(range(index, index + 4))
            index += 4
            while index < len(lines) - 1 and lines[index] in _LICENSE_KEYS[2:]:
                used.update((index, index + 1))
                index += 2
            continue
        index += 1
    return pairs, used


def _read_line(line: str, section: str | None) -> _Line | None:
    body = line
    number = disc = None
    match = _NUMBER.match(body)
    if match:
        number = int(match["num"])
        disc = int(match["disc"].rstrip(".")) if match["disc"] else None
        body = body[match.end() :]
    cue_s: float | None = None
    precision = CuePrecision.UNKNOWN
    timed = False
    time = _TIME.match(body)
    if time:
        cue = parse_cue(time["time"])
        if cue is not None and (":" in time["time"] or body.startswith("[")):
            cue_s, precision = cue
            timed = True
            body = body[time.end() :]
    body = body.strip()
    if body in {"...", "\u2026"}:
        return None
    parsed = parse_entry_text(body)
    if not timed and number is None and not (parsed.artists and " " in body):
        return None
    if not (body or timed):
        return None
    return _Line(parsed, cue_s, precision, number, disc, timed or number is not None, line, section)


def _title(header: list[str], source: str | None) -> tuple[str, tuple[str, ...], str | None]:
    candidates = [h for h in header if not _SECTION.match(h) and h.casefold() != "time stamps"]
    title = candidates[0] if candidates else ""
    if not title and source:
        title = PurePath(source).stem.replace("_", " ")
    date = _DATE.search(title)
    djs: tuple[str, ...] = ()
    if " @ " in title:
        djs, _ = split_artists(title.split(" @ ")[0])
    return title or "Pasted tracklist", djs, date[1] if date else None


def _sections_for_restarts(lines: list[_Line]) -> list[str | None]:
    """Numbering that starts again at 1 (``01`` after ``18``) means a new CD."""
    sections: list[str | None] = [line.section for line in lines]
    if any(sections):
        return sections
    discs = [line.disc for line in lines]
    if any(discs) and len(set(discs)) > 1:
        return [f"CD {d}" if d else None for d in discs]
    cd = 1
    previous: int | None = None
    restarted: list[str | None] = []
    for line in lines:
        if line.number is not None and previous is not None and line.number <= previous:
            cd += 1
        previous = line.number if line.number is not None else previous
        restarted.append(f"CD {cd}")
    return restarted if cd > 1 else sections


def parse_text_tracklist(text: str, *, source: str | None = None) -> Tracklist:
    """Parse a pasted tracklist; lines that are not tracks (headers, credits, URLs) are skipped.

    Raises TracklistError when no line looks like a track.
    """
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    pairs, used = _licensing_entries(lines)
    read: list[_Line] = []
    header: list[str] = []
    section: str | None = None
    for index, line in enumerate(lines):
        if index in used or not line or _UNDERLINE.match(line) or _URL.match(line):
            continue
        if _CREDIT.match(line):
            continue
        section_match = _SECTION.match(line)
        if section_match:
            section = section_match["name"]
            continue
        if line == "?":
            read.append(_plain_line(line, section))
            continue
        entry = _read_line(line, section)
        if entry is None:
            if not read:
                header.append(line)
            continue
        read.append(entry)
    strong = sum(1 for line in read if line.strong)
    if strong >= 2:
        read = [line for line in read if line.strong]
    if not read and pairs:
        read = [_plain_line(f"{artist} - {song}", None) for artist, song in pairs]
    if not read:
        raise TracklistError(
            "no line of the text looks like a track ('Artist - Title', '00:00 ...')"
        )
    title, djs, date = _title(header, source)
    sections = _sections_for_restarts(read)
    entries = tuple(
        line.parsed.entry(
            position,
            cue_s=line.cue_s,
            cue_precision=line.precision,
            section=section_name,
            raw=line.raw,
        )
        for position, (line, section_name) in enumerate(zip(read, sections, strict=True), start=1)
    )
    return Tracklist(
        title=title, djs=djs, date=date, source=source, source_kind=SOURCE_KIND, entries=entries
    )
