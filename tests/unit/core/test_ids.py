import uuid
from datetime import UTC, datetime

from tracktion.core.ids import new_id


def test_ids_are_rfc_9562_version_7() -> None:
    parsed = uuid.UUID(new_id())

    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    millis = parsed.int >> 80
    made = datetime.fromtimestamp(millis / 1000, UTC)
    assert abs((datetime.now(UTC) - made).total_seconds()) < 5


def test_ids_made_in_a_burst_are_unique_and_sorted() -> None:
    ids = [new_id() for _ in range(20_000)]

    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
