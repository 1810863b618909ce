"""The AnalysisStore contract, on every database backend present."""

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from tracktion.adapters.db.analysis_store import SqlAnalysisStore
from tracktion.adapters.db.catalog_store import SqlCatalogStore
from tracktion.adapters.db.engine import create_engine
from tracktion.core.analysis import AnalysisRecord
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
