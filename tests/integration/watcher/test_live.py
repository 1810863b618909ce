"""A real watchdog observer on a temp dir: create, modify, move, delete, folders, partial files."""

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tracktion.bootstrap import App
from tracktion.core.models import Track, TrackStatus
from tracktion.watcher.file_events import FileIndex
from tracktion.watcher.live import LiveWatcher

from .conftest import PICKS, TRACKS

pytestmark = pytest.mark.integration


@pytest.fixture
async def watching(app: App, library: Path) -> AsyncIterator[App]:
    watcher = app.live_watcher([str(library)])
    watcher.start()
    _, index = await app.scanner().scan([str(library)])
    await app.bus.wait_idle()
    watcher.index = index
    stop = asyncio.Event()
    task = asyncio.create_task(watcher.run(stop))
    yield app
    stop.set()
    await task


async def until(check: Callable[[], Awaitable[Track | None]], timeout_s: float = 5.0) -> Track:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        found = await check()
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("the catalog never showed the change")


def at(
    app: App, path: Path, status: TrackStatus = TrackStatus.OK
) -> Callable[[], Awaitable[Track | None]]:
    async def check() -> Track | None:
        track = await app.store.get(str(path))
        return track if track is not None and track.status == status else None

    return check


async def test_copied_file_appears(watching: App, library: Path) -> None:
    target = library / PICKS["opus"]
    shutil.copy2(TRACKS / PICKS["opus"], target)

    track = await until(at(watching, target))

    assert track.observation.tags.title == "Hollow Avenue (Radio Edit)"


async def test_rename_and_move_into_new_folder_keep_identity(watching: App, library: Path) -> None:
    source = library / PICKS["wav"]
    original = await watching.store.get(str(source))
    assert original is not None
    renamed = library / "renamed.wav"
    os.rename(source, renamed)
    assert (await until(at(watching, renamed))).id == original.id

    (library / "New Folder").mkdir()
    final = library / "New Folder" / "final.wav"
    os.rename(renamed, final)
    track = await until(at(watching, final))

    assert track.id == original.id
    actions = [entry.action for entry in await watching.store.history(track.id)]
    assert actions == ["discovered", "moved", "moved"]


async def test_folder_rename_moves_every_track_in_it(watching: App, library: Path) -> None:
    before = {p.name: await watching.store.get(str(p)) for p in (library / "Album").iterdir()}
    os.rename(library / "Album", library / "Album (2020)")

    for name, track in before.items():
        moved = await until(at(watching, library / "Album (2020)" / name))
        assert track is not None
        assert moved.id == track.id


async def test_modified_file_gets_new_hash_same_id(watching: App, library: Path) -> None:
    path = library / PICKS["wav"]
    original = await watching.store.get(str(path))
    assert original is not None
    with open(path, "ab") as stream:
        stream.write(b"\0" * 64)

    async def rehashed() -> Track | None:
        track = await watching.store.get(str(path))
        if track and track.observation.fingerprint != original.observation.fingerprint:
            return track
        return None

    track = await until(rehashed)
    assert track.id == original.id


async def test_deleted_file_and_folder_are_marked_missing(watching: App, library: Path) -> None:
    (library / PICKS["wav"]).unlink()
    await until(at(watching, library / PICKS["wav"], TrackStatus.MISSING))

    shutil.rmtree(library / "Album")
    for kind in ("flac", "mp3", "m4a"):
        await until(at(watching, library / "Album" / PICKS[kind], TrackStatus.MISSING))


async def test_partial_download_is_ignored_until_renamed(watching: App, library: Path) -> None:
    partial = library / "download.flac.part"
    final = library / "download.flac"
    shutil.copy2(TRACKS / PICKS["flac"], partial)
    await asyncio.sleep(0.5)
    assert await watching.store.get(str(partial)) is None

    os.rename(partial, final)

    track = await until(at(watching, final))
    assert track.observation.format is not None
    assert track.observation.format.value == "flac"


async def test_slow_writer_is_read_once_complete(watching: App, library: Path) -> None:
    data = (TRACKS / PICKS["flac"]).read_bytes()
    target = library / "slow.flac"
    with open(target, "wb") as stream:
        for start in range(0, len(data), len(data) // 4):
            stream.write(data[start : start + len(data) // 4])
            stream.flush()
            await asyncio.sleep(0.1)

    track = await until(at(watching, target))

    assert track.observation.stat.size == len(data)
    assert track.observation.error is None


async def test_periodic_rescan_catches_what_inotify_lost(app: App, library: Path) -> None:
    async def rescan() -> FileIndex:
        _, index = await app.scanner().scan([str(library)])
        return index

    blind = LiveWatcher(app.bus, [str(library)], settle_s=0.2, rescan=rescan, rescan_every_s=0.3)
    blind.index = await rescan()
    stop = asyncio.Event()
    task = asyncio.create_task(blind.run(stop))
    try:
        target = library / "never reported.opus"
        shutil.copy2(TRACKS / PICKS["opus"], target)
        (library / PICKS["wav"]).unlink()

        await until(at(app, target))
        await until(at(app, library / PICKS["wav"], TrackStatus.MISSING))
    finally:
        stop.set()
        await task
