"""Cached pages: the Cache port (memory or Redis) in front of a directory on disk.

A page is looked up in the Cache port first, then on disk (one JSON file per URL hash, written
to a temporary file and renamed into place, holding when it was stored and for how long). A disk
hit refills the port for the rest of its lifetime. Corrupt or expired files read as misses.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracktion.core.fetching import FetchedPage

if TYPE_CHECKING:
    from collections.abc import Callable

    from tracktion.core.ports import Cache

logger = logging.getLogger(__name__)

_KEY_PREFIX = "tracktion:page:"


def page_to_json(page: FetchedPage) -> dict[str, Any]:
    """A JSON-compatible dict of ``page`` (``from_cache`` is not stored)."""
    return {
        "url": page.url,
        "status": page.status,
        "text": page.text,
        "headers": dict(page.headers),
        "fetched_at": page.fetched_at.isoformat(),
    }


def page_from_json(data: dict[str, Any]) -> FetchedPage:
    """The page stored by :func:`page_to_json`, marked as coming from the cache."""
    return FetchedPage(
        url=str(data["url"]),
        status=int(data["status"]),
        text=str(data["text"]),
        headers={str(k): str(v) for k, v in dict(data["headers"]).items()},
        from_cache=True,
        fetched_at=datetime.fromisoformat(str(data["fetched_at"])),
    )


class PageCache:
    """Pages by URL in ``cache`` (optional) and ``directory`` (optional); times from ``clock``
    (wall-clock seconds, since disk entries outlive the process)."""

    def __init__(
        self,
        *,
        cache: Cache | None,
        directory: Path | None,
        clock: Callable[[], float],
    ) -> None:
        self._cache = cache
        self._directory = directory
        self._clock = clock

    async def get(self, url: str) -> FetchedPage | None:
        """The cached page for ``url``, or None."""
        digest = _digest(url)
        if self._cache is not None:
            data = await self._cache.get(_KEY_PREFIX + digest)
            if isinstance(data, dict):
                return page_from_json(data)
        if self._directory is None:
            return None
        entry = await asyncio.to_thread(self._read, self._directory / f"{digest}.json", url)
        if entry is None:
            return None
        data, remaining_s = entry
        if self._cache is not None:
            await self._cache.set(_KEY_PREFIX + digest, data, ttl_s=remaining_s)
        return page_from_json(data)

    async def put(self, url: str, page: FetchedPage, ttl_s: float) -> None:
        """Keep ``page`` for ``ttl_s`` seconds."""
        digest = _digest(url)
        data = page_to_json(page)
        if self._cache is not None:
            await self._cache.set(_KEY_PREFIX + digest, data, ttl_s=ttl_s)
        if self._directory is not None:
            record = {"key": url, "stored_at": self._clock(), "ttl_s": ttl_s, "page": data}
            await asyncio.to_thread(self._write, self._directory, f"{digest}.json", record)

    def _read(self, path: Path, url: str) -> tuple[dict[str, Any], float] | None:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            remaining_s = float(record["stored_at"]) + float(record["ttl_s"]) - self._clock()
            data = record["page"]
            stored_for = record["key"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("unreadable page cache file %s: %s", path, exc)
            return None
        if stored_for != url or remaining_s <= 0 or not isinstance(data, dict):
            return None
        return data, remaining_s

    @staticmethod
    def _write(directory: Path, name: str, record: dict[str, Any]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as temp:
                json.dump(record, temp, ensure_ascii=False)
            Path(temp_name).replace(directory / name)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(temp_name).unlink()
            raise


def _digest(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()
