"""The CatalogStore contract, on every database backend present (SQLite file, PostgreSQL)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, text

from tracktion.adapters.db.catalog_store import SqlCatalogStore
from tracktion.adapters.db.engine import create_engine, schema_state, upgrade
from tracktion.adapters.db.schema import metadata
from tracktion.core.changes import HistoryAction, MarkMissing, MoveTrack, RecordObservation
from tracktion.core.models import (
    AudioFormat,
    AudioProperties,
    FileObservation,
    FileStat,
    Fingerprint,
    Tags,
    TrackStatus,
)
from tracktion.core.query import SortField, TrackQuery

pytestmark = pytest.mark.integration


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlCatalogStore]:
    engine = create_engine(database_url)
    yield SqlCatalogStore(engine)
    await engine.dispose()


def obs(path: str, sha: str, **tags: object) -> FileObservation:
    return FileObservation(
        FileStat(path, 100, 1, 7),
        Fingerprint(sha * 64, sha * 32, 100),
        AudioFormat(str(tags.pop("fmt", "mp3"))),
        Tags(**tags),  # type: ignore[arg-type]
        AudioProperties(codec="mp3", duration_s=60.0),
    )


def record(event_id: str, observation: FileObservation) -> RecordObservation:
    return RecordObservation(event_id, HistoryAction.DISCOVERED, observation)


async def test_migrations_create_exactly_the_declared_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade(engine)
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        columns = await conn.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns("tracks")}
        )
    current, head = await schema_state(engine)
    await engine.dispose()

    search = {name for name in tables if "_fts" in name}
    assert tables - search == set(metadata.tables) | {"alembic_version"}
    assert columns == {column.name for column in metadata.tables["tracks"].columns}
    assert current == head
    if engine.dialect.name == "sqlite":  # FTS5 trigram tables and their shadow tables
        assert {"tracks_fts", "tracklists_fts", "artist_names_fts"} <= search
    else:
        assert search == set()


async def test_migrations_create_the_new_tables_exactly_as_declared(database_url: str) -> None:
    engine = create_engine(database_url)

    def _columns(sync: Any) -> dict[str, dict[str, bool]]:
        inspector = inspect(sync)
        return {
            table: {c["name"]: bool(c["nullable"]) for c in inspector.get_columns(table)}
            for table in ("tracklists", "tracklist_entries", "artist_names", "analyses")
        }

    async with engine.connect() as conn:
        found = await conn.run_sync(_columns)
    await engine.dispose()

    assert found == {
        table: {column.name: bool(column.nullable) for column in metadata.tables[table].columns}
        for table in found
    }


async def test_upgrading_a_0002_catalog_indexes_its_existing_tracks(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    await upgrade(engine, "0002")
    await SqlCatalogStore(engine).apply(
        "catalog",
        [
            record("e1", obs("/m/a.mp3", "a", artist="Daft Punk", title="Da Funk")),
            record("e2", obs("/m/b.mp3", "b", artist="Daft Punk", title="Revolution 909")),
        ],
    )
    await upgrade(engine)
    async with engine.connect() as conn:
        artists = (
            await conn.execute(text("SELECT artist_key, name, track_count FROM artist_names"))
        ).all()
        if engine.dialect.name == "sqlite":
            indexed = (
                await conn.execute(
                    text("SELECT count(*) FROM tracks_fts WHERE tracks_fts MATCH 'funk'")
                )
            ).scalar_one()
            assert indexed == 1
    await engine.dispose()

    assert [tuple(row) for row in artists] == [("daft punk", "Daft Punk", 2)]


async def test_processes_migrating_at_once_both_succeed(empty_database_url: str) -> None:
    engines = [create_engine(empty_database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(upgrade(engine) for engine in engines))
        current, head = await schema_state(engines[0])
    finally:
        for engine in engines:
            await engine.dispose()

    assert current == head


async def test_apply_is_idempotent_per_event_id(store: SqlCatalogStore) -> None:
    change = record("e1", obs("/m/a.mp3", "a", title="A"))

    first = await store.apply("catalog", [change])
    again = await store.apply("catalog", [change])

    assert len(first) == 1
    assert again == []
    assert len(await store.list_tracks(TrackQuery())) == 1
    assert len(await store.history(first[0].id)) == 1


async def test_handled_event_ids_older_than_asked_are_forgotten(database_url: str) -> None:
    engine = create_engine(database_url)
    then = datetime(2026, 1, 1, tzinfo=UTC)
    later = then + timedelta(days=31)
    try:
        await SqlCatalogStore(engine, clock=lambda: then).apply(
            "catalog", [record("e1", obs("/m/a.mp3", "a"))]
        )
        store = SqlCatalogStore(engine, clock=lambda: later)
        await store.apply("catalog", [record("e2", obs("/m/b.mp3", "b"))])

        forgotten = await store.forget_handled(30 * 86_400)
        again = await store.forget_handled(30 * 86_400)
        redelivered = await store.apply("catalog", [record("e2", obs("/m/b.mp3", "b"))])
    finally:
        await engine.dispose()

    assert (forgotten, again) == (1, 0)
    assert redelivered == []  # e2 is still remembered: not applied twice


async def test_move_keeps_id_and_history_and_get_finds_by_path_or_prefix(
    store: SqlCatalogStore,
) -> None:
    [track] = await store.apply("catalog", [record("e1", obs("/m/a.mp3", "a", title="A"))])
    await store.apply(
        "catalog", [MoveTrack("e2", "/m/a.mp3", FileStat("/m/b.mp3", 100, 1, 7), None)]
    )

    moved = await store.get("/m/b.mp3")
    assert moved is not None
    assert moved.id == track.id
    assert moved.observation.tags.title == "A"
    assert await store.get("/m/a.mp3") is None
    assert (await store.get(track.id[-12:])) == moved
    assert [entry.action for entry in await store.history(track.id)] == ["discovered", "moved"]


async def test_deleted_files_stay_as_missing_and_leave_duplicate_groups(
    store: SqlCatalogStore,
) -> None:
    await store.apply(
        "catalog",
        [
            record("e1", obs("/m/a.mp3", "a")),
            record("e2", obs("/m/copy.mp3", "a")),
            record("e3", obs("/m/other.mp3", "b")),
        ],
    )
    [group] = await store.duplicates()
    assert [t.path for t in group.tracks] == ["/m/a.mp3", "/m/copy.mp3"]

    await store.apply("catalog", [MarkMissing("e4", "/m/copy.mp3")])

    assert await store.duplicates() == []
    missing = await store.get("/m/copy.mp3")
    assert missing is not None
    assert missing.status == TrackStatus.MISSING
    assert missing.missing_since is not None
    assert (await store.status_counts()) == {"ok": 2, "error": 0, "missing": 1}


async def test_filters_ignore_case_and_accents_and_sort(store: SqlCatalogStore) -> None:
    await store.apply(
        "catalog",
        [
            record("e1", obs("/m/1.flac", "a", artist="Ólöf Brandr", title="Neon", fmt="flac")),
            record("e2", obs("/m/2.mp3", "b", artist="ÓLÖF BRANDR", title="alpha")),
            record(
                "e3",
                obs(
                    "/m/3.flac",
                    "c",
                    artist="Daft Punk",
                    title="Zeta",
                    fmt="flac",
                    albumartist="Various",
                ),
            ),
            record("e4", obs("/m/4.flac", "d", albumartist="Daft Punk", title="Beta", fmt="flac")),
        ],
    )

    olof = await store.list_tracks(TrackQuery(artist="olof", sort=SortField.TITLE))
    daft_flac = await store.list_tracks(
        TrackQuery(
            artist="DAFT", formats=(AudioFormat.FLAC,), sort=SortField.TITLE, descending=True
        )
    )
    under = await store.list_tracks(TrackQuery(path_prefix="/m", limit=2, offset=1))

    assert [t.observation.tags.title for t in olof] == ["alpha", "Neon"]
    assert [t.observation.tags.title for t in daft_flac] == ["Zeta", "Beta"]
    assert [t.path for t in under] == ["/m/2.mp3", "/m/3.flac"]
    assert await store.list_tracks(TrackQuery(title="100%")) == []


async def test_paths_are_kept_byte_for_byte(store: SqlCatalogStore) -> None:
    nfd = "/m/Cafe\u0301.flac"
    nfc = "/m/Caf\u00e9.flac"
    latin1 = b"/m/caf\xe9.mp3".decode("utf-8", "surrogateescape")
    await store.apply(
        "catalog",
        [record("e1", obs(nfd, "a")), record("e2", obs(nfc, "b")), record("e3", obs(latin1, "c"))],
    )

    known = await store.known_files(["/m"])

    assert set(known) == {nfd, nfc, latin1}
    latin = await store.get(latin1)
    assert latin is not None
    assert latin.path.encode("utf-8", "surrogateescape") == b"/m/caf\xe9.mp3"


async def test_known_files_can_be_limited_to_roots(store: SqlCatalogStore) -> None:
    await store.apply(
        "catalog", [record("e1", obs("/a/x.mp3", "a")), record("e2", obs("/ab/y.mp3", "b"))]
    )

    assert set(await store.known_files(["/a"])) == {"/a/x.mp3"}
    assert set(await store.known_files()) == {"/a/x.mp3", "/ab/y.mp3"}
