"""JSON views of catalog records: the field names other tools read (keep them stable)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracktion.core.models import DuplicateGroup, Track, TrackHistoryEntry


def track_view(track: Track) -> dict[str, Any]:
    """A track as a flat JSON object."""
    observation = track.observation
    tags, audio, stat = observation.tags, observation.audio, observation.stat
    fingerprint = observation.fingerprint
    return {
        "id": track.id,
        "path": track.path,
        "status": track.status.value,
        "format": observation.format.value if observation.format else None,
        "codec": audio.codec,
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
        "duration_s": audio.duration_s,
        "bitrate": audio.bitrate,
        "sample_rate": audio.sample_rate,
        "channels": audio.channels,
        "bits_per_sample": audio.bits_per_sample,
        "size": stat.size,
        "mtime_ns": stat.mtime_ns,
        "sha256": fingerprint.sha256 if fingerprint else None,
        "xxh128": fingerprint.xxh128 if fingerprint else None,
        "error": observation.error,
        "warnings": list(observation.warnings),
        "first_seen_at": track.first_seen_at.isoformat(),
        "updated_at": track.updated_at.isoformat(),
        "missing_since": track.missing_since.isoformat() if track.missing_since else None,
        "analysis": track.analysis.to_json() if track.analysis else None,
    }


def history_view(entry: TrackHistoryEntry) -> dict[str, Any]:
    """One history entry."""
    return {
        "occurred_at": entry.occurred_at.isoformat(),
        "action": entry.action,
        "detail": entry.detail,
        "event_id": entry.event_id,
    }


def duplicate_group_view(group: DuplicateGroup) -> dict[str, Any]:
    """A duplicate group: the shared hash, sizes and its member tracks."""
    size = group.tracks[0].observation.stat.size
    fingerprint = group.tracks[0].observation.fingerprint
    return {
        "sha256": group.sha256,
        "xxh128": fingerprint.xxh128 if fingerprint else None,
        "size": size,
        "count": len(group.tracks),
        "wasted_bytes": size * (len(group.tracks) - 1),
        "tracks": [track_view(track) for track in group.tracks],
    }
