"""Map every tag system mutagen reads, plus RIFF INFO, onto :class:`Tags`.

Each system is first turned into ``RawFields`` (canonical field name -> values as written), then
:func:`build_tags` trims whitespace and parses numbers; nothing else is cleaned.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, BinaryIO

from mutagen.apev2 import TEXT as APE_TEXT
from mutagen.apev2 import APEv2
from mutagen.asf import ASFTags
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Tags

from tracktion.core.models import Tags

if TYPE_CHECKING:
    from collections.abc import Mapping

RawFields = dict[str, list[str]]
"""Canonical field name (``title``, ``track``, ``bpm``, ...) -> values as written."""

_ID3_FRAMES = {
    "title": "TIT2",
    "artist": "TPE1",
    "album": "TALB",
    "albumartist": "TPE2",
    "track": "TRCK",
    "disc": "TPOS",
    "date": "TDRC",
    "genre": "TCON",
    "bpm": "TBPM",
    "key": "TKEY",
}
_VORBIS_KEYS = {
    "title": ("title",),
    "artist": ("artist",),
    "album": ("album",),
    "albumartist": ("albumartist", "album artist", "album_artist"),
    "track": ("tracknumber",),
    "tracktotal": ("tracktotal", "totaltracks"),
    "disc": ("discnumber",),
    "disctotal": ("disctotal", "totaldiscs"),
    "date": ("date", "year"),
    "genre": ("genre",),
    "bpm": ("bpm", "tempo"),
    "key": ("initialkey", "key"),
}
_MP4_KEYS = {
    "title": ("©nam",),
    "artist": ("©ART",),
    "album": ("©alb",),
    "albumartist": ("aART",),
    "date": ("©day",),
    "genre": ("©gen",),
    "bpm": ("tmpo",),
    "key": (
        "----:com.apple.iTunes:initialkey",
        "----:com.apple.iTunes:INITIALKEY",
        "----:com.apple.iTunes:KEY",
    ),
}
_ASF_KEYS = {
    "title": ("Title",),
    "artist": ("Author",),
    "album": ("WM/AlbumTitle",),
    "albumartist": ("WM/AlbumArtist",),
    "track": ("WM/TrackNumber",),
    "disc": ("WM/PartOfSet",),
    "date": ("WM/Year",),
    "genre": ("WM/Genre",),
    "bpm": ("WM/BeatsPerMinute",),
    "key": ("WM/InitialKey",),
}
_APE_KEYS = {  # APEv2 keys are case-insensitive
    "title": ("Title",),
    "artist": ("Artist",),
    "album": ("Album",),
    "albumartist": ("Album Artist", "AlbumArtist"),
    "track": ("Track",),
    "disc": ("Disc",),
    "date": ("Year", "Date"),
    "genre": ("Genre",),
    "bpm": ("BPM",),
    "key": ("INITIALKEY", "Key"),
}
_RIFF_INFO_IDS = {
    b"INAM": "title",
    b"IART": "artist",
    b"IPRD": "album",
    b"ICRD": "date",
    b"IGNR": "genre",
    b"ITRK": "track",
}
_MAX_RIFF_CHUNKS = 64
_MAX_INFO_BYTES = 1 << 20
_NUMBER_PAIR = re.compile(r"\s*(\d{1,9})\s*(?:/\s*(\d{1,9}))?")
_YEAR = re.compile(r"\d{4}")


def fields_from_tags(tags: Any) -> RawFields:
    """Raw fields from a mutagen tag object (ID3, MP4, ASF, APEv2 or Vorbis comments)."""
    if isinstance(tags, ID3):
        return _id3_fields(tags)
    if isinstance(tags, MP4Tags):
        return _mp4_fields(tags)
    if isinstance(tags, ASFTags):
        return _lookup(tags, _ASF_KEYS)
    if isinstance(tags, APEv2):
        return _lookup(tags, _APE_KEYS)
    return _lookup(tags, _VORBIS_KEYS)  # FLAC, Ogg Vorbis/Opus/FLAC/Speex: case-insensitive


def read_riff_info(f: BinaryIO, size: int) -> RawFields:
    """Raw fields from the LIST/INFO chunk of a RIFF file (empty if there is none).

    Chunk sizes are only trusted to skip forward; a LIST chunk is read only when it is small
    and lies inside the file.
    """
    pos = 12
    for _ in range(_MAX_RIFF_CHUNKS):
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8:
            break
        chunk_size = int.from_bytes(header[4:], "little")
        if header[:4] == b"LIST" and chunk_size <= min(_MAX_INFO_BYTES, size - pos - 8):
            data = f.read(chunk_size)
            if data[:4] == b"INFO":
                return _riff_info_fields(data[4:])
        pos += 8 + chunk_size + (chunk_size & 1)
    return {}


def build_tags(fields: Mapping[str, list[str]]) -> Tags:
    """Tags from raw fields: whitespace trimmed, empty -> None, numbers parsed; first value
    wins for single-valued fields, ``artists`` keeps every artist value."""

    def first(name: str) -> str | None:
        return next((s for value in fields.get(name, ()) if (s := value.strip())), None)

    track, track_total = _number_pair(first("track"))
    disc, disc_total = _number_pair(first("disc"))
    date = first("date")
    year = _YEAR.search(date) if date else None
    return Tags(
        title=first("title"),
        artist=first("artist"),
        artists=tuple(s for value in fields.get("artist", ()) if (s := value.strip())),
        album=first("album"),
        albumartist=first("albumartist"),
        track_number=track,
        track_total=track_total or _number_pair(first("tracktotal"))[0],
        disc_number=disc,
        disc_total=disc_total or _number_pair(first("disctotal"))[0],
        year=int(year[0]) if year else None,
        date=date,
        genre=first("genre"),
        tagged_bpm=_bpm(first("bpm")),
        tagged_key=first("key"),
    )


def _id3_fields(tags: Any) -> RawFields:
    fields: RawFields = {}
    for name, frame_id in _ID3_FRAMES.items():
        frame = tags.get(frame_id)
        if frame is not None:  # TCON.genres resolves ID3v1 genre numbers like "(13)"
            fields[name] = list(frame.genres) if frame_id == "TCON" else list(map(str, frame.text))
    return fields


def _mp4_fields(tags: Any) -> RawFields:
    fields = _lookup(tags, _MP4_KEYS)
    for atom, number, total in (("trkn", "track", "tracktotal"), ("disk", "disc", "disctotal")):
        pairs = tags.get(atom)
        if pairs:
            fields[number] = [str(pairs[0][0])]
            fields[total] = [str(pairs[0][1])]
    return fields


def _lookup(tags: Any, keys: Mapping[str, tuple[str, ...]]) -> RawFields:
    """The first key present for each field, its values as text."""
    fields: RawFields = {}
    for name, candidates in keys.items():
        for key in candidates:
            values = [text for raw in _as_list(tags.get(key)) if (text := _text(raw)) is not None]
            if values:
                fields[name] = values
                break
    return fields


def _as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return raw
    kind = getattr(raw, "kind", None)  # APEv2 values: text holds NUL-separated values
    if kind is not None:
        return list(raw) if kind == APE_TEXT else []
    return [raw]


def _text(raw: Any) -> str | None:
    value = getattr(raw, "value", raw)  # ASF attributes wrap their value
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):  # MP4 freeform atoms
        return value.decode("utf-8", "replace")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _riff_info_fields(data: bytes) -> RawFields:
    fields: RawFields = {}
    pos = 0
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        chunk_size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        name = _RIFF_INFO_IDS.get(chunk_id)
        if name is not None:
            raw = data[pos + 8 : pos + 8 + chunk_size].split(b"\0", 1)[0]
            try:
                fields[name] = [raw.decode("utf-8")]
            except UnicodeDecodeError:
                fields[name] = [raw.decode("latin-1")]
        pos += 8 + chunk_size + (chunk_size & 1)
    return fields


def _number_pair(text: str | None) -> tuple[int | None, int | None]:
    """``"3/12"`` -> (3, 12); zero counts as absent."""
    match = _NUMBER_PAIR.match(text or "")
    if match is None:
        return None, None
    number, total = (int(group) if group else 0 for group in match.groups())
    return number or None, total or None


def _bpm(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        bpm = float(text.replace(",", "."))
    except ValueError:
        return None
    return bpm if math.isfinite(bpm) and bpm > 0 else None
