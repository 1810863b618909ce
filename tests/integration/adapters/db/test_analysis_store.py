"""The AnalysisStore contract, on every database backend present."""

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from tracktion.adapters.db.analysis_store import SqlAnalysisStore, analysis_row
from tracktion.adapters.db.catalog_store import SqlCatalogStore
from tracktion.adapters.db.engine import create_engine, upgrade
from tracktion.adapters.db.schema import analyses
from tracktion.core.analysis import AnalysisRecord, Mood
from tracktion.core.changes import HistoryAction, MarkMissing, RecordObservation
from tracktion.core.models import FileObservation, FileStat, Fingerprint
from tracktion.core.query import SortField, TrackQuery

pytestmark = pytest.mark.integration


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[tuple[SqlCatalogStore, SqlAnalysisStore]]:
    engine = create_engine(database_url)
    yield SqlCatalogStore(engine), SqlAnalysisStore(engine)
    await engine.dispose()


def discovered(event_id: str, path: str, sha: str) -> RecordObservation:
    observation = FileObservation(FileStat(path, 1, 1, 1), Fingerprint(sha * 64, sha * 32, 1))
    return RecordObservation(event_id, HistoryAction.DISCOVERED, observation)


async def test_save_is_idempotent_and_get_returns_the_record(
    stores: tuple[SqlCatalogStore, SqlAnalysisStore],
) -> None:
    _, analyses = stores
    record = AnalysisRecord(path="/m/a.mp3", sha256="a" * 64, bpm=124.0, key="A minor")

    await analyses.save([record])
    await analyses.save([replace(record, bpm=124.02)])

    assert await analyses.get("a" * 64) == replace(record, bpm=124.02)
    assert await analyses.analysed(["a" * 64, "b" * 64]) == {"a" * 64}


async def test_missing_lists_present_unanalysed_content_once(
    stores: tuple[SqlCatalogStore, SqlAnalysisStore],
) -> None:
    catalog, analyses = stores
    await catalog.apply(
        "catalog",
        [
            discovered("e1", "/m/a.mp3", "a"),
            discovered("e2", "/m/copy of a.mp3", "a"),
            discovered("e3", "/m/b.mp3", "b"),
            discovered("e4", "/m/gone.mp3", "c"),
            MarkMissing("e5", "/m/gone.mp3"),
        ],
    )
    await analyses.save([AnalysisRecord(path="/m/b.mp3", sha256="b" * 64, bpm=90.0)])

    assert await analyses.missing() == [("a" * 64, "/m/a.mp3", None)]


async def test_tracks_are_filtered_by_analysed_bpm_key_and_review(
    stores: tuple[SqlCatalogStore, SqlAnalysisStore],
) -> None:
    catalog, analyses = stores
    await catalog.apply(
        "catalog",
        [
            discovered("e1", "/m/a.mp3", "a"),
            discovered("e2", "/m/b.mp3", "b"),
            discovered("e3", "/m/c.mp3", "c"),
        ],
    )
    await analyses.save(
        [
            AnalysisRecord(path="/m/a.mp3", sha256="a" * 64, bpm=124.0, key="A minor"),
            AnalysisRecord(
                path="/m/b.mp3", sha256="b" * 64, bpm=128.5, key="C major", needs_review=True
            ),
            AnalysisRecord(path="/m/c.mp3", sha256="c" * 64, bpm=174.0, key="E minor"),
        ]
    )

    house = await catalog.list_tracks(TrackQuery(bpm_min=122, bpm_max=130, sort=SortField.BPM))
    harmonic = await catalog.list_tracks(TrackQuery(camelot=("8A", "9A", "7A", "8B")))
    review = await catalog.list_tracks(TrackQuery(needs_review=True))
    shown = await catalog.get("/m/c.mp3")

    assert [t.path for t in house] == ["/m/a.mp3", "/m/b.mp3"]
    assert [t.path for t in harmonic] == ["/m/a.mp3", "/m/b.mp3", "/m/c.mp3"]
    assert [t.path for t in review] == ["/m/b.mp3"]
    assert shown is not None
    assert shown.analysis is not None
    assert shown.analysis.camelot == "9A"


async def test_tracks_are_filtered_by_primary_mood_and_energy(
    stores: tuple[SqlCatalogStore, SqlAnalysisStore],
) -> None:
    catalog, analyses = stores
    await catalog.apply("catalog", [discovered(f"e{c}", f"/m/{c}.mp3", c) for c in "abcd"])
    await analyses.save(
        [
            AnalysisRecord(
                path="/m/a.mp3", sha256="a" * 64, energy=2, moods=(("Mellow", 0.4), ("sad", 0.2))
            ),
            AnalysisRecord(path="/m/b.mp3", sha256="b" * 64, energy=7, moods=(("party", 0.3),)),
            AnalysisRecord(path="/m/c.mp3", sha256="c" * 64, energy=9, moods=(("happy", 0.3),)),
        ]
    )

    mellow = await catalog.list_tracks(TrackQuery(moods=(Mood.MELLOW,)))
    upbeat = await catalog.list_tracks(TrackQuery(moods=(Mood.PARTY, Mood.HAPPY)))
    sad = await catalog.list_tracks(TrackQuery(moods=(Mood.SAD,)))
    peak = await catalog.list_tracks(TrackQuery(energy_min=7, energy_max=8))
    calm = await catalog.list_tracks(TrackQuery(energy_max=5, sort=SortField.ENERGY))

    assert [t.path for t in mellow] == ["/m/a.mp3"]
    assert [t.path for t in upbeat] == ["/m/b.mp3", "/m/c.mp3"]
    assert sad == []  # only the most probable mood counts
    assert [t.path for t in peak] == ["/m/b.mp3"]
    assert [t.path for t in calm] == ["/m/a.mp3"]  # unanalysed d has no energy


async def test_upgrading_a_0005_catalog_fills_the_mood_of_its_analyses(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    await upgrade(engine, "0005")
    old = analysis_row(
        AnalysisRecord(path="/m/a.mp3", sha256="a" * 64, moods=(("sad", 0.1), ("Mellow", 0.3))),
        datetime.now(UTC),
    )
    del old["mood"]
    untagged = {**old, "sha256": "b" * 64, "record": AnalysisRecord(path="/m/b.mp3").to_json()}
    async with engine.begin() as conn:
        await conn.execute(insert(analyses), [old, untagged])
    await upgrade(engine)
    async with engine.connect() as conn:
        moods = dict((await conn.execute(select(analyses.c.sha256, analyses.c.mood))).all())
    await engine.dispose()

    assert moods == {"a" * 64: "mellow", "b" * 64: None}
