"""Scan and restart-reconcile on real files and a real SQLite catalog."""

import os
import shutil
from pathlib import Path

import pytest

from tracktion.bootstrap import App, bootstrap
from tracktion.config import load_settings
from tracktion.core.errors import ScanError
from tracktion.core.events import EventType
from tracktion.core.models import TrackStatus
from tracktion.core.query import TrackQuery
from tracktion.watcher.probe_pool import PROCESS_POOL_MIN_FILES

from .conftest import CORPUS, PICKS, TRACKS

pytestmark = pytest.mark.integration


async def scan(app: App, root: Path):  # type: ignore[no-untyped-def]
    report, _ = await app.scanner().scan([str(root)])
    await app.bus.wait_idle()
    return report


async def test_first_scan_catalogs_every_file_with_hashes_and_tags(app: App, library: Path) -> None:
    report = await scan(app, library)

    assert (report.found, report.read, report.unchanged) == (4, 4, 0)
    assert report.events[EventType.FILE_DISCOVERED] == 4
    tracks = await app.store.list_tracks(TrackQuery())
    assert {t.status for t in tracks} == {TrackStatus.OK}
    flac = await app.store.get(str(library / "Album" / PICKS["flac"]))
    assert flac is not None
    assert flac.observation.tags.artist == "Mørk Tåke feat. Linnea Ångström"
    assert flac.observation.fingerprint is not None
    assert len(flac.observation.fingerprint.sha256) == 64
    assert len(flac.observation.fingerprint.xxh128) == 32
    assert flac.observation.audio.sample_rate == 44100
    assert await app.events.count() >= 8


async def test_rescan_reads_only_changed_files(app: App, library: Path) -> None:
    await scan(app, library)
    shutil.copy2(TRACKS / PICKS["opus"], library / PICKS["opus"])

    report = await scan(app, library)

    assert (report.found, report.unchanged, report.read) == (5, 4, 1)
    assert report.events == {EventType.FILE_DISCOVERED: 1}
    assert (await scan(app, library)).read == 0


async def test_restart_reconciles_moves_deletes_edits_and_new_files(
    app: App, library: Path
) -> None:
    await scan(app, library)
    flac = library / "Album" / PICKS["flac"]
    mp3 = library / "Album" / PICKS["mp3"]
    wav = library / PICKS["wav"]
    before = {p: await app.store.get(str(p)) for p in (flac, mp3, wav)}

    renamed = library / "Renamed" / "distant circuit.flac"
    renamed.parent.mkdir()
    os.rename(flac, renamed)
    mp3.unlink()
    with open(wav, "ab") as stream:
        stream.write(b"\0" * 16)
    shutil.copy2(TRACKS / PICKS["opus"], library / PICKS["opus"])

    report = await scan(app, library)

    assert report.events == {
        EventType.FILE_MOVED: 1,
        EventType.FILE_DELETED: 1,
        EventType.FILE_MODIFIED: 1,
        EventType.FILE_DISCOVERED: 1,
    }
    moved = await app.store.get(str(renamed))
    assert moved is not None
    assert moved.id == before[flac].id  # type: ignore[union-attr]
    assert [e.action for e in await app.store.history(moved.id)] == ["discovered", "moved"]
    gone = await app.store.get(str(mp3))
    assert gone is not None
    assert gone.status == TrackStatus.MISSING
    edited = await app.store.get(str(wav))
    assert edited is not None
    assert edited.id == before[wav].id  # type: ignore[union-attr]
    assert edited.observation.fingerprint != before[wav].observation.fingerprint  # type: ignore[union-attr]

    shutil.copy2(TRACKS / PICKS["mp3"], mp3)
    report = await scan(app, library)
    back = await app.store.get(str(mp3))
    assert back is not None
    assert (back.id, back.status) == (gone.id, TrackStatus.OK)
    assert [e.action for e in await app.store.history(back.id)][-1] == "restored"


async def test_bad_and_hostile_files_never_stop_a_scan(app: App, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(CORPUS / "bad", bad)

    report = await scan(app, bad)

    by_name = {os.path.basename(t.path): t for t in await app.store.list_tracks(TrackQuery())}
    errors = {name for name, t in by_name.items() if t.status == TrackStatus.ERROR}
    assert errors == {"empty.mp3", "not-audio.mp3", "random-bytes.wav"}
    assert "empty" in (by_name["empty.mp3"].observation.error or "")
    assert {os.path.basename(p) for p, _ in report.errors} == errors
    on_disk = {
        name for _, _, files in os.walk(bad) for name in files if not name.endswith((".md", ".csv"))
    }
    assert set(by_name) == on_disk
    assert len(on_disk) == 14
    assert by_name["flac-content.mp3"].observation.format is not None
    assert by_name["flac-content.mp3"].observation.format.value == "flac"


async def test_a_missing_root_is_a_scan_error(app: App, tmp_path: Path) -> None:
    with pytest.raises(ScanError, match="does not exist"):
        await app.scanner().scan([str(tmp_path / "nope")])


async def test_large_scans_read_in_worker_processes(tmp_path: Path) -> None:
    root = tmp_path / "big"
    template = (CORPUS / "bad" / "one-second.mp3").read_bytes()
    count = PROCESS_POOL_MIN_FILES + 50
    for number in range(count):
        folder = root / f"album {number // 20:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{number:04d}.mp3").write_bytes(template + number.to_bytes(4, "big"))
    application = await bootstrap(load_settings(data_dir=tmp_path / "data", scan_workers=2))
    try:
        report = await scan(application, root)
        tracks = await application.store.list_tracks(TrackQuery())
    finally:
        await application.close()

    assert (report.read, len(report.errors)) == (count, 0)
    assert len(tracks) == count
    assert (
        len({t.observation.fingerprint.sha256 for t in tracks if t.observation.fingerprint})
        == count
    )
    assert {t.observation.tags.title for t in tracks} == {"Crystal Rain (Radio Edit)"}
