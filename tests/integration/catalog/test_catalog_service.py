"""CatalogService on the real bus and a real SQLite catalog."""

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from tracktion.bootstrap import App, bootstrap
from tracktion.config import load_settings
from tracktion.core.analysis import AnalysisRecord
from tracktion.core.events import Event, EventType
from tracktion.core.models import FileObservation, FileStat, Fingerprint, Tags
from tracktion.core.query import TrackQuery
from tracktion.watcher import file_events

pytestmark = pytest.mark.integration


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, events: Sequence[Event]) -> None:
        self.events.extend(events)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    application = await bootstrap(load_settings(data_dir=tmp_path / "data"))
    yield application
    await application.close()


def observation(path: str, sha: str) -> FileObservation:
    return FileObservation(
        FileStat(path, 10, 1, 2), Fingerprint(sha * 64, sha * 32, 10), tags=Tags(title=path)
    )


async def test_announces_updates_and_duplicates_caused_by_file_events(app: App) -> None:
    recorder = Recorder()
    app.bus.subscribe("test", "catalog.*", recorder)
    first = file_events.observed(EventType.FILE_DISCOVERED, observation("/m/a.mp3", "a"))
    copy = file_events.observed(EventType.FILE_CREATED, observation("/m/copy.mp3", "a"))

    await app.bus.publish([first])
    await app.bus.wait_idle()
    await app.bus.publish([copy])
    await app.bus.wait_idle()

    updates = [e for e in recorder.events if e.type == EventType.TRACK_UPDATED]
    [found] = [e for e in recorder.events if e.type == EventType.DUPLICATE_FOUND]
    assert [u.payload["path"] for u in updates] == ["/m/a.mp3", "/m/copy.mp3"]
    assert updates[1].causation_id == copy.id
    assert updates[1].correlation_id == copy.correlation_id
    assert found.payload["paths"] == ["/m/a.mp3", "/m/copy.mp3"]
    assert found.causation_id == copy.id


async def test_redelivered_events_change_nothing(app: App) -> None:
    event = file_events.observed(EventType.FILE_DISCOVERED, observation("/m/a.mp3", "a"))

    for _ in range(3):
        await app.bus.publish([event])
        await app.bus.wait_idle()

    [track] = await app.store.list_tracks(TrackQuery())
    assert len(await app.store.history(track.id)) == 1
    assert await app.events.count() == 2


async def test_a_malformed_event_is_skipped_and_the_batch_goes_on(app: App) -> None:
    good = file_events.observed(EventType.FILE_DISCOVERED, observation("/m/a.mp3", "a"))

    await app.bus.publish([Event(EventType.FILE_CREATED, {"path": "/m/x"}), good])
    await app.bus.wait_idle()

    assert [t.path for t in await app.store.list_tracks(TrackQuery())] == ["/m/a.mp3"]
    assert app.bus.parked("catalog") == []


async def test_analysis_results_are_kept_and_requests_passed_by(app: App) -> None:
    result = AnalysisRecord(path="/m/a.mp3", sha256="a" * 64, bpm=124.0, key="A minor")
    request = Event(EventType.ANALYSIS_REQUESTED, {"sha256": "b" * 64, "path": "/m/b.mp3"})

    await app.bus.publish([Event(EventType.ANALYSIS_COMPLETED, result.to_json()), request])
    await app.bus.wait_idle()

    assert await app.analyses.get("a" * 64) == result
    assert await app.analyses.get("b" * 64) is None  # a request is no (empty) result
