"""Which names a scan or watch skips: hidden, temporary, partial and system files."""

from __future__ import annotations

_TEMP_SUFFIXES = (
    ".part",
    ".partial",
    ".crdownload",
    ".download",
    ".tmp",
    ".temp",
    ".swp",
    ".!qb",
    ".!ut",
    ".filepart",
    ".aria2",
    ".opdownload",
)
_SYSTEM_DIRS = frozenset({"@eaDir", "$RECYCLE.BIN", "System Volume Information", "lost+found"})


def is_ignored_name(name: str) -> bool:
    """True for names Tracktion never catalogs (``.hidden``, ``x.mp3.part``, ``~$lock``, ``x~``)."""
    if not name or name.startswith((".", "~$")) or name.endswith("~"):
        return True
    return name.lower().endswith(_TEMP_SUFFIXES)


def is_ignored_dir(name: str) -> bool:
    """True for directories a scan does not enter (hidden, NAS thumbnails, trash)."""
    return name.startswith(".") or name in _SYSTEM_DIRS
