"""Walk library folders: every audio candidate with its stat, errors collected, never raised."""

from __future__ import annotations

import logging
import os
import stat as stat_module
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracktion.core.models import FileStat
from tracktion.watcher.ignore import is_ignored_dir, is_ignored_name
from tracktion.watcher.sniff import AUDIO_EXTENSIONS

if TYPE_CHECKING:
    from collections.abc import Iterator

logger = logging.getLogger(__name__)


def is_candidate(name: str) -> bool:
    """True for names worth reading: a known audio extension, or no extension at all."""
    if is_ignored_name(name):
        return False
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return True
    return f".{extension.lower()}" in AUDIO_EXTENSIONS


def stat_path(path: str) -> FileStat | None:
    """Stat a regular file (following symlinks); None if it is gone or not a regular file."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat_module.S_ISREG(info.st_mode):
        return None
    return FileStat(path, info.st_size, info.st_mtime_ns, info.st_ino)


@dataclass
class Walk:
    """One walk over roots; iterate it for files, then read ``errors``."""

    roots: tuple[str, ...]
    errors: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[FileStat]:
        for root in self.roots:
            pending = [root]
            while pending:
                files, subdirs = self._list(pending.pop())
                yield from files
                pending.extend(reversed(subdirs))

    def _list(self, directory: str) -> tuple[list[FileStat], list[str]]:
        """One folder's candidate files (with stat) and its subfolders, sorted."""
        try:
            with os.scandir(directory) as entries:
                children = list(entries)
        except OSError as exc:
            self.errors.append(f"{directory}: cannot list folder: {exc.strerror or exc}")
            logger.warning("cannot list %s: %s", directory, exc)
            return [], []
        files: list[FileStat] = []
        subdirs: list[str] = []
        for entry in children:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not is_ignored_dir(entry.name):
                        subdirs.append(entry.path)
                    continue
                if not is_candidate(entry.name):
                    continue
                info = entry.stat(follow_symlinks=True)
            except OSError as exc:
                self.errors.append(f"{entry.path}: cannot stat: {exc.strerror or exc}")
                continue
            if stat_module.S_ISREG(info.st_mode):
                files.append(FileStat(entry.path, info.st_size, info.st_mtime_ns, info.st_ino))
        subdirs.sort()
        return files, subdirs
