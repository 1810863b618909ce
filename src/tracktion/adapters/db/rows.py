"""Mapping between catalog rows and domain models; paths stored as bytes and display text."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tracktion.core.analysis import AnalysisRecord
from tracktion.core.ids import TrackId
from tracktion.core.models import (
    AudioFormat,
    AudioProperties,
    FileObservation,
    FileStat,
    Fingerprint,
    Tags,
    Track,
    TrackStatus,
)
from tracktion.core.text import fold

if TYPE_CHECKING:
    from collections.abc import Mapping

_INODE_SPAN = 1 << 64
_INODE_SIGNED_MAX = 1 << 63


def path_key(path: str) -> bytes:
    """The exact bytes of a path: the catalog's unique key (no Unicode normalisation)."""
    return os.fsencode(path)


def display_path(path: str) -> str:
    """A path as valid text for storage and display (undecodable bytes shown as escapes)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def inode_to_db(inode: int) -> int:
    """Fit a 64-bit unsigned inode into a signed BIGINT."""
    return inode - _INODE_SPAN if inode >= _INODE_SIGNED_MAX else inode


def inode_from_db(value: int | None) -> int:
    """Undo :func:`inode_to_db`."""
    if value is None:
        return 0
    return value + _INODE_SPAN if value < 0 else value


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def observation_columns(observation: FileObservation) -> dict[str, Any]:
    """Row values that an observation determines (everything but id, status and times)."""
    tags, audio, stat = observation.tags, observation.audio, observation.stat
    fingerprint = observation.fingerprint
    return {
        "path": display_path(stat.path),
        "path_bytes": path_key(stat.path),
        "format": observation.format.value if observation.format else None,
        "size": stat.size,
        "mtime_ns": stat.mtime_ns,
        "inode": inode_to_db(stat.inode),
        "sha256": fingerprint.sha256 if fingerprint else None,
        "xxh128": fingerprint.xxh128 if fingerprint else None,
        "title": tags.title,
        "artist": tags.artist,
        "artists": list(tags.artists),
        "album": tags.album,
        "albumartist": tags.albumartist,
        "track_number": tags.track_number,
        "track_total": tags.track_total,
        "disc_number": tags.disc_number,
        "disc_total": tags.disc_total,
        "year": tags.year,
        "date": tags.date,
        "genre": tags.genre,
        "tagged_bpm": tags.tagged_bpm,
        "tagged_key": tags.tagged_key,
        "codec": audio.codec,
        "duration_s": audio.duration_s,
        "bitrate": audio.bitrate,
        "sample_rate": audio.sample_rate,
        "channels": audio.channels,
        "bits_per_sample": audio.bits_per_sample,
        "error": observation.error,
        "warnings": list(observation.warnings),
        "title_key": fold(tags.title),
        "artist_key": fold(tags.artist),
        "albumartist_key": fold(tags.albumartist),
        "album_key": fold(tags.album),
        "genre_key": fold(tags.genre),
    }


def row_to_track(row: Mapping[Any, Any]) -> Track:
    """Build a Track from a ``tracks`` row."""
    path_bytes = row["path_bytes"]
    path = os.fsdecode(bytes(path_bytes)) if path_bytes is not None else row["path"]
    sha256, xxh128 = row["sha256"], row["xxh128"]
    fmt = row["format"]
    observation = FileObservation(
        stat=FileStat(
            path=path,
            size=row["size"] or 0,
            mtime_ns=row["mtime_ns"] or 0,
            inode=inode_from_db(row["inode"]),
        ),
        fingerprint=Fingerprint(sha256, xxh128, row["size"] or 0) if sha256 and xxh128 else None,
        format=AudioFormat(fmt) if fmt else None,
        tags=Tags(
            title=row["title"],
            artist=row["artist"],
            artists=tuple(row["artists"] or ()),
            album=row["album"],
            albumartist=row["albumartist"],
            track_number=row["track_number"],
            track_total=row["track_total"],
            disc_number=row["disc_number"],
            disc_total=row["disc_total"],
            year=row["year"],
            date=row["date"],
            genre=row["genre"],
            tagged_bpm=row["tagged_bpm"],
            tagged_key=row["tagged_key"],
        ),
        audio=AudioProperties(
            codec=row["codec"],
            duration_s=row["duration_s"],
            bitrate=row["bitrate"],
            sample_rate=row["sample_rate"],
            channels=row["channels"],
            bits_per_sample=row["bits_per_sample"],
        ),
        error=row["error"],
        warnings=tuple(row["warnings"] or ()),
    )
    record = row.get("analysis_record")
    first_seen_at = _aware(row["first_seen_at"])
    updated_at = _aware(row["updated_at"])
    assert first_seen_at is not None
    assert updated_at is not None
    return Track(
        id=TrackId(row["id"]),
        path=path,
        status=TrackStatus(row["status"]),
        observation=observation,
        first_seen_at=first_seen_at,
        updated_at=updated_at,
        missing_since=_aware(row["missing_since"]),
        analysis=AnalysisRecord.from_json(record) if record else None,
    )
