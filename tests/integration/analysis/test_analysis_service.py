"""The analysis service in the real pipeline: real files, real worker processes, real SQLite."""

import os
import random
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tracktion.bootstrap import App, bootstrap
from tracktion.config import load_settings
from tracktion.core.events import EventType
from tracktion.core.query import TrackQuery

pytestmark = pytest.mark.integration

TRACKS = Path(__file__).parents[2] / "fixtures" / "corpus" / "tracks"
BAD = Path(__file__).parents[2] / "fixtures" / "corpus" / "bad"
FOUR_ON_THE_FLOOR = "夜光ループ - Substrata - 05 - Midnight Harbor.m4a"  # 126 BPM, E minor
ROCK = "Deep Ferret - Frozen Orbit.wv"  # 86 BPM, D# major


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    settings = load_settings(data_dir=tmp_path / "data", analysis_workers=2, analysis_tags=False)
    application = await bootstrap(settings, analysis=True)
    yield application
    await application.close()


async def scan(app: App, root: Path) -> None:
    await app.scanner().scan([str(root)])
    await app.bus.wait_idle()


async def analysis_events(app: App) -> list[str]:
    return [event.type for event in await app.events.recent(1000, "analysis.*")]


async def test_each_content_is_analysed_once_and_results_reach_the_catalog(
    app: App, tmp_path: Path
) -> None:
    library = tmp_path / "Music"
    library.mkdir()
    shutil.copy2(TRACKS / FOUR_ON_THE_FLOOR, library / FOUR_ON_THE_FLOOR)
    shutil.copy2(TRACKS / FOUR_ON_THE_FLOOR, library / "copy.m4a")
    shutil.copy2(TRACKS / ROCK, library / ROCK)
    shutil.copy2(BAD / "empty.mp3", library / "empty.mp3")

    await scan(app, library)

    assert sorted(await analysis_events(app)) == [EventType.ANALYSIS_COMPLETED] * 2
    house = await app.store.get(str(library / FOUR_ON_THE_FLOOR))
    assert house is not None
    assert house.analysis is not None
    assert house.analysis.bpm == pytest.approx(126, rel=0.04)
    assert house.analysis.key == "E minor"
    copy = await app.store.get(str(library / "copy.m4a"))
    assert copy is not None
    assert copy.analysis == house.analysis
    found = await app.store.list_tracks(TrackQuery(bpm_min=120, bpm_max=130))
    assert {t.path for t in found} == {str(library / FOUR_ON_THE_FLOOR), str(library / "copy.m4a")}

    os.rename(library / ROCK, library / "renamed.wv")
    await scan(app, library)

    assert len(await analysis_events(app)) == 2
    renamed = await app.store.get(str(library / "renamed.wv"))
    assert renamed is not None
    assert renamed.analysis is not None


def mutagen_header(path: Path) -> bytes:
    """The metadata blocks of a FLAC file, up to its first audio frame."""
    data = path.read_bytes()
    offset, last = 4, False
    while not last:
        last = bool(data[offset] & 0x80)
        offset += 4 + int.from_bytes(data[offset + 1 : offset + 4], "big")
    return data[:offset]


async def test_undecodable_audio_gets_analysis_failed_with_a_reason(
    app: App, tmp_path: Path
) -> None:
    library = tmp_path / "Music"
    library.mkdir()
    header = mutagen_header(TRACKS / "Mørk Tåke feat. Linnea Ångström - Distant Circuit.flac")
    fake = library / "fake.flac"
    fake.write_bytes(header + random.Random(7).randbytes(200_000))

    await scan(app, library)

    events = await app.events.recent(100, "analysis.*")
    failed = {
        Path(e.payload["path"]).name: e.payload["error"]
        for e in events
        if e.type == EventType.ANALYSIS_FAILED
    }
    assert "fake.flac" in failed
    assert failed["fake.flac"]


async def test_backfill_analyses_what_was_catalogued_without_analysis(tmp_path: Path) -> None:
    library = tmp_path / "Music"
    library.mkdir()
    shutil.copy2(TRACKS / ROCK, library / ROCK)
    plain = await bootstrap(load_settings(data_dir=tmp_path / "data"))
    await scan(plain, library)
    await plain.close()

    settings = load_settings(data_dir=tmp_path / "data", analysis_workers=1, analysis_tags=False)
    analysing = await bootstrap(settings, analysis=True)
    try:
        assert analysing.analysis is not None
        assert await analysing.analysis.backfill() == 1
        await analysing.bus.wait_idle()
        track = await analysing.store.get(str(library / ROCK))
    finally:
        await analysing.close()

    assert track is not None
    assert track.analysis is not None
    assert track.analysis.bpm == pytest.approx(86, rel=0.04)
