"""Domain models: what Tracktion knows about a file, its tags and the track it belongs to.

All models are frozen dataclasses; change them with ``dataclasses.replace``. They convert to and
from plain JSON-able dicts (``to_dict``/``from_dict``) so events can carry them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from tracktion.core.analysis import AnalysisRecord
    from tracktion.core.ids import TrackId


class AudioFormat(StrEnum):
    """A container/codec family, named as users know it (the usual file extension)."""

    MP3 = "mp3"
    MP2 = "mp2"
    FLAC = "flac"
    WAV = "wav"
    AIFF = "aiff"
    OGG = "ogg"
    """Ogg Vorbis (Ogg FLAC and Speex are reported as ``ogg`` too)."""
    OPUS = "opus"
    M4A = "m4a"
    """MPEG-4 audio: AAC or ALAC inside (the codec field tells which)."""
    WMA = "wma"
    WV = "wv"
    AAC = "aac"
    """Raw ADTS AAC stream."""
    AC3 = "ac3"
    TTA = "tta"
    APE = "ape"
    MPC = "mpc"
    DSF = "dsf"


class TrackStatus(StrEnum):
    """Where a track stands in the catalog."""

    OK = "ok"
    """The file is present and was read."""
    ERROR = "error"
    """The file is present but could not be read as audio; ``error`` says why."""
    MISSING = "missing"
    """The file is gone from disk; the track is kept with its history."""


@dataclass(frozen=True, slots=True)
class FileStat:
    """What ``stat`` says about a file; the triple decides whether it must be rehashed."""

    path: str
    size: int
    mtime_ns: int
    inode: int

    def same_as(self, other: FileStat) -> bool:
        """True when size, mtime and inode are all unchanged."""
        return (self.size, self.mtime_ns, self.inode) == (other.size, other.mtime_ns, other.inode)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Content identity: both hashes come from one streamed read of the file's bytes."""

    sha256: str
    xxh128: str
    size: int


@dataclass(frozen=True, slots=True)
class Tags:
    """Tags as written in the file (whitespace trimmed, nothing else cleaned).

    ``tagged_bpm`` and ``tagged_key`` are what the file's tags claim (TBPM/TKEY and their
    equivalents); analysed values are kept apart from them.
    """

    title: str | None = None
    artist: str | None = None
    artists: tuple[str, ...] = ()
    album: str | None = None
    albumartist: str | None = None
    track_number: int | None = None
    track_total: int | None = None
    disc_number: int | None = None
    disc_total: int | None = None
    year: int | None = None
    date: str | None = None
    genre: str | None = None
    tagged_bpm: float | None = None
    tagged_key: str | None = None


@dataclass(frozen=True, slots=True)
class AudioProperties:
    """Technical facts of the audio stream."""

    codec: str | None = None
    duration_s: float | None = None
    bitrate: int | None = None
    """Bits per second (average for VBR)."""
    sample_rate: int | None = None
    channels: int | None = None
    bits_per_sample: int | None = None


_TAG_FIELDS = tuple(f.name for f in dataclasses.fields(Tags))
_AUDIO_FIELDS = tuple(f.name for f in dataclasses.fields(AudioProperties))


@dataclass(frozen=True, slots=True)
class FileObservation:
    """Everything one read of a file produced: stat, hashes, detected format, tags, audio.

    ``error`` is set when the file is not usable audio (the track gets status ``error``);
    ``warnings`` lists problems that did not stop reading (broken tags, wrong extension, ...).
    """

    stat: FileStat
    fingerprint: Fingerprint | None
    format: AudioFormat | None = None
    tags: Tags = field(default_factory=Tags)
    audio: AudioProperties = field(default_factory=AudioProperties)
    error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """The observed file's path."""
        return self.stat.path

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (paths may hold surrogate escapes; JSON keeps them).

        Written out by hand: ``dataclasses.asdict`` costs 7x more, on every file of a scan.
        """
        stat, fingerprint, tags, audio = self.stat, self.fingerprint, self.tags, self.audio
        return {
            "stat": {
                "path": stat.path,
                "size": stat.size,
                "mtime_ns": stat.mtime_ns,
                "inode": stat.inode,
            },
            "fingerprint": None
            if fingerprint is None
            else {
                "sha256": fingerprint.sha256,
                "xxh128": fingerprint.xxh128,
                "size": fingerprint.size,
            },
            "format": self.format.value if self.format else None,
            "tags": {name: getattr(tags, name) for name in _TAG_FIELDS},
            "audio": {name: getattr(audio, name) for name in _AUDIO_FIELDS},
            "error": self.error,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileObservation:
        """Rebuild an observation from :meth:`to_dict` output."""
        fingerprint = data.get("fingerprint")
        tags = dict(data.get("tags") or {})
        tags["artists"] = tuple(tags.get("artists") or ())
        fmt = data.get("format")
        return cls(
            stat=FileStat(**data["stat"]),
            fingerprint=Fingerprint(**fingerprint) if fingerprint else None,
            format=AudioFormat(fmt) if fmt else None,
            tags=Tags(**tags),
            audio=AudioProperties(**(data.get("audio") or {})),
            error=data.get("error"),
            warnings=tuple(data.get("warnings") or ()),
        )


@dataclass(frozen=True, slots=True)
class KnownFile:
    """The catalog's last word on a path: enough to decide unchanged, modified or moved."""

    track_id: TrackId
    stat: FileStat
    sha256: str | None
    status: TrackStatus


@dataclass(frozen=True, slots=True)
class Track:
    """A track in the catalog: one file's identity, kept across moves, renames and edits."""

    id: TrackId
    path: str
    status: TrackStatus
    observation: FileObservation
    first_seen_at: datetime
    updated_at: datetime
    missing_since: datetime | None = None
    analysis: AnalysisRecord | None = None
    """The current analyser's result for this content, once analysed."""


@dataclass(frozen=True, slots=True)
class TrackHistoryEntry:
    """One thing that happened to a track (discovered, modified, moved, missing, restored)."""

    occurred_at: datetime
    action: str
    detail: dict[str, Any]
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Present tracks whose files have identical bytes."""

    sha256: str
    tracks: tuple[Track, ...]
