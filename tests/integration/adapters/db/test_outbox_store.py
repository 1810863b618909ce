"""The Outbox contract and the catalog's transactional outbox, on SQLite and PostgreSQL."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from tracktion.adapters.db.catalog_store import SqlCatalogStore
from tracktion.adapters.db.engine import create_engine
from tracktion.adapters.db.outbox_store import SqlOutbox
from tracktion.core.changes import HistoryAction, RecordObservation
from tracktion.core.events import Event
from tracktion.core.models import (
    AudioFormat,
    AudioProperties,
    DuplicateGroup,
    FileObservation,
    FileStat,
    Fingerprint,
    Tags,
    Track,
)

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def observation(path: str, sha: str) -> FileObservation:
    return FileObservation(
        FileStat(path, 100, 1, 7),
        Fingerprint(sha * 64, sha * 32, 100),
        AudioFormat.MP3,
        Tags(title=path),
        AudioProperties(codec="mp3", duration_s=60.0),
    )


async def test_pending_events_come_back_in_commit_order_until_marked_sent(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    clock = Clock()
    outbox = SqlOutbox(engine, clock=clock)
    store = SqlCatalogStore(engine, clock=clock)
    announced = [Event("catalog.track_updated", {"n": n}) for n in range(3)]

    def announce(tracks: Sequence[Track], groups: Sequence[DuplicateGroup]) -> list[Event]:
        return announced

    await store.apply(
        "catalog",
        [RecordObservation("e1", HistoryAction.DISCOVERED, observation("/m/a.mp3", "a"))],
        announce,
    )
    try:
        pending = await outbox.pending()
        assert [event.id for event in pending] == [event.id for event in announced]
        assert pending[0].payload == {"n": 0}
        assert await outbox.counts() == {"pending": 3, "sent": 0}

        await outbox.mark_sent([announced[0].id])
        assert [e.id for e in await outbox.pending()] == [e.id for e in announced[1:]]
        assert await outbox.pending(min_age_s=60) == []
        clock.now += timedelta(minutes=2)
        assert len(await outbox.pending(min_age_s=60)) == 2

        await outbox.mark_sent([e.id for e in announced[1:]])
        clock.now += timedelta(days=2)
        assert await outbox.prune(86_400) == 3
        assert await outbox.counts() == {"pending": 0, "sent": 0}
    finally:
        await engine.dispose()


async def test_announced_events_commit_with_the_change_and_see_its_duplicates(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    store, outbox = SqlCatalogStore(engine), SqlOutbox(engine)
    seen: list[tuple[list[str], list[int]]] = []

    def announce(tracks: Sequence[Track], groups: Sequence[DuplicateGroup]) -> list[Event]:
        seen.append(([t.path for t in tracks], [len(g.tracks) for g in groups]))
        return [Event("catalog.track_updated", {"path": t.path}) for t in tracks]

    try:
        await store.apply(
            "catalog",
            [
                RecordObservation("e1", HistoryAction.DISCOVERED, observation("/m/a.mp3", "a")),
                RecordObservation("e2", HistoryAction.DISCOVERED, observation("/m/b.mp3", "a")),
            ],
            announce,
        )
        # Redelivery: nothing new is applied, nothing new announced.
        await store.apply(
            "catalog",
            [RecordObservation("e1", HistoryAction.DISCOVERED, observation("/m/a.mp3", "a"))],
            announce,
        )
        assert [(sorted(paths), sizes) for paths, sizes in seen] == [
            (["/m/a.mp3", "/m/b.mp3"], [2])
        ]
        assert sorted(e.payload["path"] for e in await outbox.pending()) == [
            "/m/a.mp3",
            "/m/b.mp3",
        ]
    finally:
        await engine.dispose()


async def test_a_failing_announcer_rolls_the_change_back(database_url: str) -> None:
    engine = create_engine(database_url)
    store, outbox = SqlCatalogStore(engine), SqlOutbox(engine)

    def announce(tracks: Sequence[Track], groups: Sequence[DuplicateGroup]) -> list[Event]:
        raise RuntimeError("boom")

    try:
        with pytest.raises(RuntimeError):
            await store.apply(
                "catalog",
                [RecordObservation("e1", HistoryAction.DISCOVERED, observation("/m/a.mp3", "a"))],
                announce,
            )
        assert await store.get("/m/a.mp3") is None
        assert await outbox.counts() == {"pending": 0, "sent": 0}
    finally:
        await engine.dispose()


async def test_a_big_batch_keeps_its_order_through_the_bulk_path(database_url: str) -> None:
    engine = create_engine(database_url)
    store, outbox = SqlCatalogStore(engine), SqlOutbox(engine)
    changes = [
        RecordObservation(f"e{n}", HistoryAction.DISCOVERED, observation(f"/m/{n:03d}.mp3", "a"))
        for n in range(300)
    ]

    def announce(tracks: Sequence[Track], groups: Sequence[DuplicateGroup]) -> list[Event]:
        return [Event("catalog.track_updated", {"n": n}) for n in range(len(tracks))]

    try:
        await store.apply("catalog", changes, announce)
        pending = await outbox.pending(limit=1000)
        assert [event.payload["n"] for event in pending] == list(range(300))
    finally:
        await engine.dispose()
