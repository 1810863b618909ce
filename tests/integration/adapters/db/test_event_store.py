"""The EventStore contract, on every database backend present."""

from collections.abc import AsyncIterator

import pytest

from tracktion.adapters.db.engine import create_engine
from tracktion.adapters.db.event_store import SqlEventStore
from tracktion.core.events import Event, EventType

pytestmark = pytest.mark.integration


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlEventStore]:
    engine = create_engine(database_url)
    yield SqlEventStore(engine)
    await engine.dispose()


async def test_appends_once_per_id_and_reads_newest_first(store: SqlEventStore) -> None:
    created = Event(EventType.FILE_CREATED, {"path": "/m/Ólöf \u2013 夜光.flac", "n": [1, 2]})
    updated = created.caused(EventType.TRACK_UPDATED, {"track_id": "t"})

    await store.append([created, updated])
    await store.append([created])

    assert await store.count() == 2
    assert await store.recent(10) == [updated, created]
    assert await store.recent(10, "file.*") == [created]
    assert await store.recent(1) == [updated]


async def test_undecodable_path_bytes_survive(store: SqlEventStore) -> None:
    path = b"/m/caf\xe9.mp3".decode("utf-8", "surrogateescape")
    await store.append([Event(EventType.FILE_DELETED, {"path": path})])

    [event] = await store.recent(1)

    assert event.payload["path"] == path
