"""Debounce files still being written: a path is ready once its size and mtime hold still."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracktion.watcher.walk import stat_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from tracktion.core.models import FileStat


@dataclass
class _Pending:
    due: float
    settle_s: float
    stat: FileStat | None


class Debouncer:
    """Collects touched paths; :meth:`ready` hands back those that stopped changing.

    A touch (re)starts the path's settle time. When it elapses the file is stat'ed: unchanged
    since the last look means ready; changed means wait another settle time; gone means dropped.
    """

    def __init__(
        self,
        settle_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        stat: Callable[[str], FileStat | None] = stat_path,
    ) -> None:
        self._settle_s = settle_s
        self._clock = clock
        self._stat = stat
        self._pending: dict[str, _Pending] = {}

    def touch(self, path: str, *, settle_s: float | None = None) -> None:
        """Note activity on ``path``; a closed-after-write file may pass a shorter settle."""
        settle = self._settle_s if settle_s is None else settle_s
        self._pending[path] = _Pending(self._clock() + settle, settle, self._stat(path))

    def cancel(self, path: str) -> None:
        """Forget ``path`` (deleted or moved away)."""
        self._pending.pop(path, None)

    def next_due(self) -> float | None:
        """Seconds until the earliest pending path is due (None if nothing pends)."""
        if not self._pending:
            return None
        return max(0.0, min(entry.due for entry in self._pending.values()) - self._clock())

    def ready(self) -> list[FileStat]:
        """Paths whose settle time elapsed with no change, with their final stat."""
        now = self._clock()
        done: list[FileStat] = []
        for path, entry in list(self._pending.items()):
            if entry.due > now:
                continue
            current = self._stat(path)
            if current is None:
                del self._pending[path]
            elif entry.stat is not None and current.same_as(entry.stat):
                del self._pending[path]
                done.append(current)
            else:
                self._pending[path] = _Pending(now + entry.settle_s, entry.settle_s, current)
        return done

    def __len__(self) -> int:
        return len(self._pending)
