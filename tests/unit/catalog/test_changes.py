import pytest

from tracktion.catalog.changes import change_for
from tracktion.core.changes import HistoryAction, MarkMissing, MoveTrack, RecordObservation
from tracktion.core.errors import EventFormatError
from tracktion.core.events import Event, EventType
from tracktion.core.models import FileObservation, FileStat, Fingerprint
from tracktion.watcher import file_events

OBSERVATION = FileObservation(FileStat("/m/a.flac", 1, 2, 3), Fingerprint("a" * 64, "b" * 32, 1))


@pytest.mark.parametrize(
    ("type_", "action"),
    [
        (EventType.FILE_DISCOVERED, HistoryAction.DISCOVERED),
        (EventType.FILE_CREATED, HistoryAction.CREATED),
        (EventType.FILE_MODIFIED, HistoryAction.MODIFIED),
    ],
)
def test_observed_events_record_the_observation(type_: str, action: HistoryAction) -> None:
    event = file_events.observed(type_, OBSERVATION)

    assert change_for(event) == RecordObservation(event.id, action, OBSERVATION)


def test_moves_and_deletes() -> None:
    move = file_events.moved("/m/old.flac", OBSERVATION.stat, None)
    delete = file_events.deleted("/m/a.flac")

    assert change_for(move) == MoveTrack(move.id, "/m/old.flac", OBSERVATION.stat, None)
    assert change_for(delete) == MarkMissing(delete.id, "/m/a.flac")


@pytest.mark.parametrize(
    "event",
    [
        Event(EventType.FILE_CREATED, {"path": "/a"}),
        Event(EventType.FILE_MOVED, {"old_path": "/a"}),
        Event(EventType.TRACK_UPDATED, {}),
    ],
)
def test_bad_payloads_raise_event_format_error(event: Event) -> None:
    with pytest.raises(EventFormatError):
        change_for(event)
