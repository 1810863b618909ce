"""Bulk writes (COPY on PostgreSQL from COPY_MIN_ROWS rows, executemany otherwise) keep the
store contracts: same rows, same transaction, duplicates skipped, errors as StorageError."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Table, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tracktion.adapters.db.bulk_insert import COPY_MIN_ROWS, copies, insert_rows
from tracktion.adapters.db.catalog_store import SqlCatalogStore
from tracktion.adapters.db.engine import create_engine
from tracktion.adapters.db.event_store import SqlEventStore
from tracktion.adapters.db.schema import handled_events, track_history
from tracktion.core.changes import HistoryAction, RecordObservation
from tracktion.core.errors import StorageError
from tracktion.core.events import Event, EventType
from tracktion.core.ids import new_event_id
from tracktion.core.models import (
    AudioFormat,
    AudioProperties,
    DuplicateGroup,
    FileObservation,
    FileStat,
    Fingerprint,
    Tags,
    Track,
    TrackStatus,
)
from tracktion.core.query import SortField, TrackQuery

pytestmark = pytest.mark.integration

MANY = COPY_MIN_ROWS + 50


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def discoveries(count: int) -> list[RecordObservation]:
    changes = []
    for n in range(count):
        artist = f"Ólöf Brandr {n % 7}"
        observation = FileObservation(
            FileStat(f"/m/{artist}/{n:04d} \u2013 Neon Drive.flac", 1000 + n, n, n + (1 << 63)),
            Fingerprint(f"{n:064x}", f"{n:032x}", 1000 + n),
            AudioFormat.FLAC,
            Tags(title=f"Neon Drive {n}", artist=artist, artists=(artist, "DJ Pelmeni")),
            AudioProperties(codec="flac", duration_s=300.5),
            warnings=("odd tag",) if n % 2 else (),
        )
        changes.append(RecordObservation(new_event_id(), HistoryAction.DISCOVERED, observation))
    return changes


async def count_rows(engine: AsyncEngine, table: Table) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_a_big_first_scan_batch_is_stored_exactly(engine: AsyncEngine) -> None:
    store = SqlCatalogStore(engine)
    changes = discoveries(MANY)

    touched = await store.apply("catalog", changes)
    again = await store.apply("catalog", changes)
    stored = await store.list_tracks(TrackQuery(sort=SortField.PATH))

    assert again == []
    assert len(touched) == len(stored) == MANY
    assert {t.id: t for t in touched} == {t.id: t for t in stored}
    by_path = {t.path: t for t in stored}
    for change in changes:
        track = by_path[change.observation.path]
        assert track.status == TrackStatus.OK
        assert track.observation.tags == change.observation.tags
        assert track.observation.warnings == change.observation.warnings
        assert track.observation.stat == change.observation.stat
        assert track.observation.fingerprint == change.observation.fingerprint
    history = await store.history(stored[0].id)
    assert [entry.action for entry in history] == [HistoryAction.DISCOVERED.value]
    fingerprint = stored[0].observation.fingerprint
    assert fingerprint is not None
    assert history[0].detail == {"path": stored[0].path, "sha256": fingerprint.sha256}
    assert await count_rows(engine, track_history) == MANY
    assert await count_rows(engine, handled_events) == MANY


async def test_a_failure_after_the_bulk_insert_rolls_all_of_it_back(engine: AsyncEngine) -> None:
    store = SqlCatalogStore(engine)
    changes = discoveries(MANY)

    def fail(tracks: object, groups: object) -> list[Event]:
        raise RuntimeError("announcer broke")

    with pytest.raises(RuntimeError):
        await store.apply("catalog", changes, fail)

    assert await store.list_tracks(TrackQuery()) == []
    assert await count_rows(engine, track_history) == 0
    assert await count_rows(engine, handled_events) == 0

    def announce(tracks: list[Track], groups: list[DuplicateGroup]) -> list[Event]:
        return [Event(EventType.TRACK_UPDATED, {"track_id": t.id}) for t in tracks]

    assert len(await store.apply("catalog", changes, announce)) == MANY  # nothing was left


async def test_big_event_batches_skip_stored_and_repeated_ids(engine: AsyncEngine) -> None:
    store = SqlEventStore(engine)
    batch = [
        Event(EventType.FILE_CREATED, {"path": f"/m/{n:04d} \u2013 夜光.flac", "n": [n, None]})
        for n in range(MANY)
    ]

    await store.append(batch[:10])
    await store.append([*batch, *batch[:5]])
    await store.append(batch)

    assert await store.count() == MANY
    assert await store.recent(MANY + 10) == sorted(batch, key=lambda e: e.id, reverse=True)


async def test_big_batches_copy_on_postgresql_only(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        on_postgres = conn.dialect.name == "postgresql"
        assert copies(conn, COPY_MIN_ROWS) is on_postgres
        assert copies(conn, COPY_MIN_ROWS - 1) is False


async def test_a_failed_bulk_insert_raises_and_rolls_back(engine: AsyncEngine) -> None:
    now = datetime.now(UTC)
    rows = [{"consumer": "c", "event_id": f"e{n}", "handled_at": now} for n in range(MANY)]
    # the COPY error is already a StorageError; the stores wrap SQLAlchemy's themselves
    expected = StorageError if engine.dialect.name == "postgresql" else IntegrityError

    async def insert_twice() -> None:
        async with engine.begin() as conn:
            await insert_rows(conn, handled_events, rows)
            await insert_rows(conn, handled_events, rows[-COPY_MIN_ROWS:])  # same keys again

    with pytest.raises(expected):
        await insert_twice()

    assert await count_rows(engine, handled_events) == 0


async def test_a_growing_catalog_gets_fresh_planner_statistics(engine: AsyncEngine) -> None:
    store = SqlCatalogStore(engine)
    changes = discoveries(1_000)

    for start in range(0, len(changes), 500):
        await store.apply("catalog", changes[start : start + 500])

    assert len(await store.list_tracks(TrackQuery())) == 1_000
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            analysed = await conn.execute(
                text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
            )
            assert {"tracks", "track_history", "handled_events"} <= set(analysed.scalars())
