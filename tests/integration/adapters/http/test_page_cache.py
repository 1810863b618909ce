"""The on-disk page cache: atomic files with their own lifetime, corrupt files read as misses."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracktion.adapters.cache.memory import MemoryCache
from tracktion.adapters.http.page_cache import PageCache
from tracktion.core.fetching import FetchedPage

pytestmark = pytest.mark.integration

URL = "https://www.mixesdb.com/w/api.php?action=parse&page=Bicep"


class Clock:
    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


def page() -> FetchedPage:
    return FetchedPage(
        url=URL,
        status=200,
        text="== Tracklist ==\n# [00] Bicep - Glue\n",
        headers={"content-type": "application/json; charset=utf-8"},
        fetched_at=datetime(2026, 6, 16, 12, 0, tzinfo=UTC),
    )


async def test_disk_entries_survive_a_new_cache_and_expire(tmp_path: Path) -> None:
    clock = Clock()
    await PageCache(cache=None, directory=tmp_path, clock=clock).put(URL, page(), ttl_s=60)
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    assert not files[0].name.startswith(".tmp-")
    record = json.loads(files[0].read_text(encoding="utf-8"))
    assert record["key"] == URL
    assert record["stored_at"] == clock.now
    assert record["ttl_s"] == 60

    memory = MemoryCache(clock=clock)
    reopened = PageCache(cache=memory, directory=tmp_path, clock=clock)
    cached = await reopened.get(URL)
    assert cached is not None
    assert cached.from_cache
    assert cached.text == page().text
    assert cached.fetched_at == page().fetched_at
    assert cached.headers == page().headers
    files[0].unlink()
    assert await reopened.get(URL) is not None  # the disk hit refilled the memory cache
    clock.now += 61
    assert await reopened.get(URL) is None


async def test_corrupt_or_foreign_files_are_misses(tmp_path: Path) -> None:
    clock = Clock()
    cache = PageCache(cache=None, directory=tmp_path, clock=clock)
    await cache.put(URL, page(), ttl_s=60)
    (path,) = tmp_path.iterdir()
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(record | {"key": "https://www.mixesdb.com/other"}))
    assert await cache.get(URL) is None
    path.write_text("{not json", encoding="utf-8")
    assert await cache.get(URL) is None
    assert await cache.get("https://www.mixesdb.com/never-stored") is None
