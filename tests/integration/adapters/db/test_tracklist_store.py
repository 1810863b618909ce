"""The TracklistStore contract, on every database backend present (SQLite file, PostgreSQL)."""

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from tracktion.adapters.db.catalog_store import SqlCatalogStore
from tracktion.adapters.db.engine import create_engine
from tracktion.adapters.db.tracklist_store import SqlTracklistStore
from tracktion.core.changes import HistoryAction, RecordObservation
from tracktion.core.errors import NotFoundError
from tracktion.core.models import FileObservation, FileStat
from tracktion.core.tracklist import CuePrecision, EntryKind, Tracklist, TracklistEntry

pytestmark = pytest.mark.integration

URL = "https://www.1001tracklists.com/tracklist/1abc/carl-cox-live.html"
MIX = Tracklist(
    title="Live at Space Ibiza",
    djs=("Carl Cox", "Jon Rundell"),
    date="2010-08-03",
    source=URL,
    source_kind="1001tracklists",
    duration_s=7200.0,
    styles=("Techno", "Tech House"),
    entries=(
        TracklistEntry(
            1,
            EntryKind.TRACK,
            0.0,
            CuePrecision.EXACT,
            ("Carl Cox",),
            "I Want You",
            "Forever Mix",
            "Perfecto",
            "PERF 1",
            raw="Carl Cox - I Want You (Forever Mix) [PERFECTO]",
        ),
        TracklistEntry(1, EntryKind.PLAYED_WITH, artists=("Beyoncé",), title="Crazy in Love"),
        TracklistEntry(
            2,
            EntryKind.UNKNOWN,
            754.0,
            CuePrecision.PARTIAL,
            unconfirmed=True,
            section="Part 2",
            note="ID - ID",
        ),
        TracklistEntry(
            3,
            EntryKind.TRACK,
            1200.0,
            CuePrecision.MINUTE,
            ("Adam Beyer", "Bart Skils"),
            "Your Mind",
            featured=("Bart Skils",),
        ),
    ),
)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlTracklistStore]:
    engine = create_engine(database_url)
    yield SqlTracklistStore(engine)
    await engine.dispose()


async def test_save_then_get_round_trips_every_field(store: SqlTracklistStore) -> None:
    saved = await store.save(MIX)

    assert saved.id is not None
    assert await store.get(saved.id) == saved
    assert await store.get(saved.id[:13]) == saved
    assert saved == replace(MIX, id=saved.id)


async def test_saving_the_same_source_updates_instead_of_duplicating(
    store: SqlTracklistStore,
) -> None:
    first = await store.save(MIX)
    edited = replace(MIX, title="Live at Space (edited)", entries=MIX.entries[:2])

    second = await store.save(edited)

    assert second.id == first.id
    assert await store.get(first.id or "") == replace(edited, id=first.id)
    assert [t.title for t in await store.list_tracklists()] == ["Live at Space (edited)"]


async def test_tracklists_without_source_are_separate(store: SqlTracklistStore) -> None:
    pasted = replace(MIX, source=None, source_kind="text", entries=())

    one, two = await store.save(pasted), await store.save(pasted)

    assert one.id != two.id
    assert len(await store.list_tracklists()) == 2
    again = await store.save(replace(pasted, id=one.id, title="Renamed"))
    assert again.id == one.id
    assert len(await store.list_tracklists()) == 2


async def test_list_pages_newest_first_without_entries_and_filters(
    store: SqlTracklistStore,
) -> None:
    for number in range(5):
        await store.save(replace(MIX, title=f"Mix {number}", source=f"{URL}?{number}"))
    await store.save(replace(MIX, title="Sónar by Night", djs=("Âme",), source=None))

    listed = await store.list_tracklists(limit=3)
    assert [t.title for t in listed] == ["Sónar by Night", "Mix 4", "Mix 3"]
    assert all(t.entries == () and t.id for t in listed)
    assert [t.title for t in await store.list_tracklists(limit=2, offset=4)] == ["Mix 1", "Mix 0"]
    assert [t.title for t in await store.list_tracklists(query="SONAR")] == ["Sónar by Night"]
    assert [t.title for t in await store.list_tracklists(query="ame")] == ["Sónar by Night"]
    assert await store.list_tracklists(query="100%") == []


async def test_delete_removes_the_tracklist_and_its_entries(store: SqlTracklistStore) -> None:
    saved = await store.save(MIX)
    assert saved.id is not None

    assert await store.delete(saved.id) is True
    assert await store.get(saved.id) is None
    assert await store.delete(saved.id) is False
    again = await store.save(MIX)
    assert again.id != saved.id
    reloaded = await store.get(again.id or "")
    assert reloaded is not None
    assert len(reloaded.entries) == 4


async def test_set_matches_records_and_keeps_them_across_reimport(
    database_url: str, store: SqlTracklistStore
) -> None:
    engine = create_engine(database_url)
    [track] = await SqlCatalogStore(engine).apply(
        "catalog",
        [
            RecordObservation(
                "e1", HistoryAction.DISCOVERED, FileObservation(FileStat("/m/a.mp3", 1, 1, 1), None)
            )
        ],
    )
    await engine.dispose()
    saved = await store.save(MIX)
    assert saved.id is not None

    await store.set_matches(saved.id, [(0, track.id, 97.5), (3, None, None)])
    assert await store.matches(saved.id) == {
        0: (track.id, 97.5),
        1: (None, None),
        2: (None, None),
        3: (None, None),
    }

    changed_last = (*MIX.entries[:3], replace(MIX.entries[3], title="Other"))
    await store.save(replace(MIX, entries=changed_last))
    assert (await store.matches(saved.id))[0] == (track.id, 97.5)
    await store.save(replace(MIX, entries=(replace(MIX.entries[0], title="Changed"),)))
    assert await store.matches(saved.id) == {0: (None, None)}


async def test_set_matches_refuses_unknown_tracklists_and_entries(
    store: SqlTracklistStore,
) -> None:
    saved = await store.save(MIX)
    assert saved.id is not None

    with pytest.raises(NotFoundError):
        await store.set_matches("0" * 36, [(0, None, None)])
    with pytest.raises(ValueError, match="no entries"):
        await store.set_matches(saved.id, [(9, None, None)])


async def test_get_by_ambiguous_prefix_asks_for_more(store: SqlTracklistStore) -> None:
    first = await store.save(replace(MIX, id="0198aaaa-0000-7000-8000-000000000001"))
    await store.save(replace(MIX, source=None, id="0198aaaa-0000-7000-8000-000000000002"))

    with pytest.raises(NotFoundError, match="several"):
        await store.get("0198aaaa")
    assert await store.get("0198aaaa-0000-7000-8000-000000000001") == first
    assert await store.get("nonsense") is None
