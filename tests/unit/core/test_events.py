from datetime import UTC, datetime

import pytest

from tracktion.core.errors import EventFormatError
from tracktion.core.events import Event, EventType, topic_matches


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("file.*", "file.created", True),
        ("file.*", "file", False),
        ("file.*", "file.created.extra", False),
        ("#", "file.created", True),
        ("#", "anything", True),
        ("file.#", "file", True),
        ("file.#", "file.a.b", True),
        ("*.completed", "analysis.completed", True),
        ("*.completed", "analysis.failed", False),
        ("catalog.track_updated", "catalog.track_updated", True),
        ("catalog.track_updated", "catalog.duplicate_found", False),
        ("#.found", "catalog.duplicate_found", False),
        ("#.duplicate_found", "catalog.duplicate_found", True),
    ],
)
def test_topic_matching_follows_amqp_rules(pattern: str, key: str, expected: bool) -> None:
    assert topic_matches(pattern, key) is expected


def test_envelope_round_trips_through_json_with_undecodable_path_bytes() -> None:
    path = b"/music/caf\xe9.mp3".decode("utf-8", "surrogateescape")
    event = Event(EventType.FILE_DELETED, {"path": path})

    again = Event.from_json(event.to_json())

    assert again == event
    assert again.payload["path"].encode("utf-8", "surrogateescape") == b"/music/caf\xe9.mp3"


def test_envelope_has_the_design_fields_and_uuid7_ids() -> None:
    event = Event(EventType.FILE_CREATED, {"path": "/a.mp3"})
    data = event.to_dict()

    assert set(data) == {
        "id",
        "type",
        "occurred_at",
        "correlation_id",
        "causation_id",
        "schema_version",
        "payload",
    }
    assert data["id"][14] == "7"
    assert data["correlation_id"] == event.id
    assert data["causation_id"] is None
    assert datetime.fromisoformat(data["occurred_at"]).tzinfo == UTC


def test_caused_event_keeps_the_correlation_and_points_at_its_cause() -> None:
    root = Event(EventType.FILE_CREATED, {})
    child = root.caused(EventType.TRACK_UPDATED, {"track_id": "t"})
    grandchild = child.caused(EventType.DUPLICATE_FOUND, {})

    assert child.causation_id == root.id
    assert grandchild.correlation_id == root.id
    assert grandchild.causation_id == child.id


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"type": "file.created"}'])
def test_malformed_envelopes_raise_event_format_error(raw: bytes) -> None:
    with pytest.raises(EventFormatError):
        Event.from_json(raw)
