"""Probe one file: fingerprint, real format from content, tags and audio properties."""

from __future__ import annotations

import os

from tracktion.core.models import AudioFormat, FileObservation, FileStat
from tracktion.metadata.reader import read_metadata
from tracktion.watcher.fingerprint import fingerprint_file
from tracktion.watcher.sniff import format_for_extension, sniff_format

_SAME_FAMILY = {
    frozenset({AudioFormat.OGG, AudioFormat.OPUS}),
    frozenset({AudioFormat.MP3, AudioFormat.MP2}),
}


def probe_file(stat: FileStat) -> FileObservation | None:
    """Read a file once for its hashes and head, then its tags. Never raises for bad files.

    None means the file vanished before it could be read (its deletion is reported apart).
    """
    try:
        fingerprint, head = fingerprint_file(stat.path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return FileObservation(stat, None, error=f"cannot read file: {exc.strerror or exc}")
    stat = FileStat(stat.path, fingerprint.size, stat.mtime_ns, stat.inode)
    if fingerprint.size == 0:
        return FileObservation(stat, fingerprint, error="file is empty (0 bytes)")
    detected = sniff_format(head)
    extension = os.path.splitext(stat.path)[1].lower()
    claimed = format_for_extension(extension)
    if detected is None:
        what = _describe_content(head)
        return FileObservation(stat, fingerprint, error=f"not audio: content is {what}")
    warnings: list[str] = []
    if (
        claimed is not None
        and claimed != detected
        and frozenset({claimed, detected}) not in _SAME_FAMILY
    ):
        warnings.append(
            f"extension {extension} does not match content: read as {detected.value.upper()}"
        )
    metadata = read_metadata(stat.path, detected)
    return FileObservation(
        stat=stat,
        fingerprint=fingerprint,
        format=detected,
        tags=metadata.tags,
        audio=metadata.audio,
        error=metadata.error,
        warnings=(*warnings, *metadata.warnings),
    )


def _describe_content(head: bytes) -> str:
    sample = head[:4096]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 3:
            return "not a recognised audio format (unknown binary data)"
        text = sample[: exc.start].decode("utf-8")
    if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        return "text, not a recognised audio format"
    return "not a recognised audio format"
