"""The SearchIndex contract, on every database backend present (SQLite FTS5, PostgreSQL)."""

from collections.abc import AsyncIterator

import pytest

from tracktion.adapters.db.analysis_store import SqlAnalysisStore
from tracktion.adapters.db.catalog_store import SqlCatalogStore
from tracktion.adapters.db.engine import create_engine
from tracktion.adapters.db.search_index import SqlSearchIndex
from tracktion.adapters.db.tracklist_store import SqlTracklistStore
from tracktion.core.analysis import AnalysisRecord
from tracktion.core.changes import HistoryAction, MarkMissing, RecordObservation
from tracktion.core.models import FileObservation, FileStat, Fingerprint, Tags
from tracktion.core.search import SearchFilters, SearchKind, SearchQuery
from tracktion.core.tracklist import Tracklist

pytestmark = pytest.mark.integration

LIBRARY = [
    # artist, title, album, genre, year, bpm, key
    ("Daft Punk", "Around the World", "Homework", "House", 1997, 121.0, "F# minor"),
    ("Daft Punk", "Da Funk", "Homework", "House", 1995, 111.0, "G minor"),
    ("Daft Punk", "One More Time", "Discovery", "House", 2000, 123.0, "D major"),
    ("Aphex Twin", "Windowlicker", "Windowlicker", "IDM", 1999, 126.0, "A minor"),
    ("Aphex Twin", "Xtal", "Selected Ambient Works 85-92", "Ambient", 1992, 92.0, "C major"),
    (
        "Boards of Canada",
        "Roygbiv",
        "Music Has the Right to Children",
        "IDM",
        1998,
        95.0,
        "D major",
    ),
    ("Beyoncé", "Crazy in Love", "Dangerously in Love", "R&B", 2003, 100.0, "D minor"),
    ("Dark Punks", "Riot", "Noise", "Punk", 2010, 170.0, "E minor"),
    ("Daft Lizard", "Swamp", "Reptiles", "Techno", 2015, 130.0, "A minor"),
    ("Carl Cox", "I Want You (Forever)", "Singles", "Techno", 1991, 128.0, "A minor"),
]
MIXES = [
    Tracklist("Essential Mix 1997", djs=("Daft Punk",), date="1997-03-22", styles=("House",)),
    Tracklist("Live at Space Ibiza", djs=("Carl Cox",), date="2010-08-03", styles=("Techno",)),
    Tracklist("Warp Records Special", djs=("Aphex Twin", "Boards of Canada"), date="2001-05-01"),
]


def observation(
    number: int, artist: str, title: str, album: str, genre: str, year: int
) -> FileObservation:
    sha = f"{number:064x}"
    return FileObservation(
        FileStat(f"/music/{number:02d}.flac", 100, 1, number),
        Fingerprint(sha, sha[:32], 100),
        tags=Tags(title=title, artist=artist, album=album, genre=genre, year=year),
    )


@pytest.fixture
async def index(database_url: str) -> AsyncIterator[SqlSearchIndex]:
    engine = create_engine(database_url)
    catalog, analyses = SqlCatalogStore(engine), SqlAnalysisStore(engine)
    changes = []
    records = []
    for number, (artist, title, album, genre, year, bpm, key) in enumerate(LIBRARY):
        obs = observation(number, artist, title, album, genre, year)
        changes.append(RecordObservation(f"e{number}", HistoryAction.DISCOVERED, obs))
        assert obs.fingerprint is not None
        records.append(
            AnalysisRecord(path=obs.stat.path, sha256=obs.fingerprint.sha256, bpm=bpm, key=key)
        )
    await catalog.apply("catalog", changes)
    await analyses.save(records)
    tracklists = SqlTracklistStore(engine)
    for mix in MIXES:
        await tracklists.save(mix)
    yield SqlSearchIndex(engine)
    await engine.dispose()


async def labels(
    index: SqlSearchIndex, text: str, *kinds: SearchKind, **filters: object
) -> list[str]:
    query = SearchQuery(
        text,
        kinds=frozenset(kinds) if kinds else frozenset(SearchKind),
        filters=SearchFilters(**filters),  # type: ignore[arg-type]
    )
    return [hit.label for hit in (await index.search(query)).hits]


async def test_exact_artist_comes_first_then_its_tracks(index: SqlSearchIndex) -> None:
    results = await index.search(SearchQuery("Daft Punk"))

    first, *rest = results.hits
    assert (first.kind, first.label, first.score) == (SearchKind.ARTIST, "Daft Punk", 100.0)
    assert first.fields["track_count"] == 3
    tracks = [hit.label for hit in rest if hit.kind == SearchKind.TRACK]
    assert set(tracks[:3]) == {
        "Daft Punk - Around the World",
        "Daft Punk - Da Funk",
        "Daft Punk - One More Time",
    }
    assert [hit.score for hit in results.hits] == sorted(
        (hit.score for hit in results.hits), reverse=True
    )
    assert results.took_ms is not None


@pytest.mark.parametrize(
    ("typo", "artist"),
    [
        ("daft pank", "Daft Punk"),
        ("aphex twn", "Aphex Twin"),
        ("boards of canda", "Boards of Canada"),
        ("beyonce", "Beyoncé"),
        ("BEYONCÉ", "Beyoncé"),
        ("carl cix", "Carl Cox"),
    ],
)
async def test_one_edit_typos_and_accents_find_the_artist_first(
    index: SqlSearchIndex, typo: str, artist: str
) -> None:
    assert (await labels(index, typo, SearchKind.ARTIST))[0] == artist


async def test_a_typo_finds_the_artists_tracks(index: SqlSearchIndex) -> None:
    found = await labels(index, "daft pank", SearchKind.TRACK)

    assert set(found[:3]) == {
        "Daft Punk - Around the World",
        "Daft Punk - Da Funk",
        "Daft Punk - One More Time",
    }


async def test_prefix_and_title_typos(index: SqlSearchIndex) -> None:
    assert (await labels(index, "windowlick", SearchKind.TRACK))[0] == "Aphex Twin - Windowlicker"
    assert (await labels(index, "windowlickr", SearchKind.TRACK))[0] == "Aphex Twin - Windowlicker"
    assert (await labels(index, "aph", SearchKind.ARTIST))[0] == "Aphex Twin"
    # a prefix covering more of the name ranks higher
    assert (await labels(index, "da", SearchKind.ARTIST))[:3] == [
        "Daft Punk",
        "Dark Punks",
        "Daft Lizard",
    ]


async def test_artist_and_title_together(index: SqlSearchIndex) -> None:
    found = await labels(index, "daft punk one more time", SearchKind.TRACK)

    assert found[0] == "Daft Punk - One More Time"


async def test_tracklists_by_title_and_dj(index: SqlSearchIndex) -> None:
    assert (await labels(index, "essential mix", SearchKind.TRACKLIST))[0] == (
        "Daft Punk - Essential Mix 1997"
    )
    assert (await labels(index, "carl cox", SearchKind.TRACKLIST)) == [
        "Carl Cox - Live at Space Ibiza"
    ]
    assert (await labels(index, "boards of canda", SearchKind.TRACKLIST)) == [
        "Aphex Twin & Boards of Canada - Warp Records Special"
    ]


async def test_kinds_restrict_the_hits(index: SqlSearchIndex) -> None:
    for kind in SearchKind:
        results = await index.search(SearchQuery("carl cox", kinds=frozenset({kind})))
        assert results.hits
        assert {hit.kind for hit in results.hits} == {kind}


async def test_bpm_and_key_filters_keep_matching_tracks_only(index: SqlSearchIndex) -> None:
    fast = await index.search(SearchQuery("daft punk", filters=SearchFilters(bpm_min=115)))
    kinds = {hit.kind for hit in fast.hits}
    tracks = [hit for hit in fast.hits if hit.kind == SearchKind.TRACK]
    [artist] = [hit for hit in fast.hits if hit.label == "Daft Punk"]

    assert kinds == {SearchKind.ARTIST, SearchKind.TRACK}
    assert {hit.label for hit in tracks[:2]} == {
        "Daft Punk - Around the World",
        "Daft Punk - One More Time",
    }
    assert all(hit.fields["bpm"] >= 115 for hit in tracks)
    assert artist.fields["track_count"] == 2
    assert await labels(index, "daft punk", SearchKind.TRACK, key="Dmaj") == [
        "Daft Punk - One More Time"
    ]
    assert await labels(index, "aphex", SearchKind.TRACK, key="8A", bpm_max=130) == [
        "Aphex Twin - Windowlicker"
    ]


async def test_genre_and_date_filters(index: SqlSearchIndex) -> None:
    assert await labels(index, "aphex twin", SearchKind.TRACK, genre="ambient") == [
        "Aphex Twin - Xtal"
    ]
    assert await labels(index, "daft punk", SearchKind.TRACKLIST, genre="house") == [
        "Daft Punk - Essential Mix 1997"
    ]
    assert await labels(
        index, "daft punk", SearchKind.TRACK, date_from="1996-01-01", date_to="1998-12-31"
    ) == ["Daft Punk - Around the World"]
    assert await labels(index, "carl cox", SearchKind.TRACKLIST, date_to="2009-12-31") == []


async def test_limit_and_missing_tracks(database_url: str, index: SqlSearchIndex) -> None:
    assert len((await index.search(SearchQuery("a", limit=2))).hits) <= 2
    engine = create_engine(database_url)
    await SqlCatalogStore(engine).apply("catalog", [MarkMissing("gone", "/music/03.flac")])
    await engine.dispose()

    [hit] = (
        await index.search(SearchQuery("windowlicker", kinds=frozenset({SearchKind.TRACK})))
    ).hits
    assert hit.fields["status"] == "missing"


async def test_unrelated_text_finds_nothing(index: SqlSearchIndex) -> None:
    assert await labels(index, "zzqx vvrw") == []


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        SearchQuery(text)


async def test_text_without_letters_is_refused(index: SqlSearchIndex) -> None:
    with pytest.raises(ValueError, match="no letters or digits"):
        await index.search(SearchQuery("?!"))


@pytest.mark.parametrize(
    ("typo", "track"),
    [
        ("one more tme", "Daft Punk - One More Time"),
        ("arund the world", "Daft Punk - Around the World"),
        ("windowlikcer", "Aphex Twin - Windowlicker"),
    ],
)
async def test_title_typos_are_found_on_every_backend(
    index: SqlSearchIndex, typo: str, track: str
) -> None:
    found = await labels(index, typo, SearchKind.TRACK)

    assert found[:1] == [track]


async def test_common_title_words_do_not_hide_the_track(database_url: str) -> None:
    engine = create_engine(database_url)
    catalog = SqlCatalogStore(engine)
    titles = [f"Track {n} (Artist {n} Remix)" for n in range(40)] + [
        "Night Garden (DJ Pelmeni Remix)",
        "The Mix",
    ]
    await catalog.apply(
        "catalog",
        [
            RecordObservation(
                f"e{n}",
                HistoryAction.DISCOVERED,
                observation(n, f"Artist {n}", title, "Remixes", "House", 2020),
            )
            for n, title in enumerate(titles)
        ],
    )
    index = SqlSearchIndex(engine)
    try:
        garden = await index.search(
            SearchQuery("night garden remix", kinds=frozenset({SearchKind.TRACK}))
        )
        only_common = await index.search(
            SearchQuery("the mix", kinds=frozenset({SearchKind.TRACK}))
        )
    finally:
        await engine.dispose()

    assert garden.hits[0].fields["title"] == "Night Garden (DJ Pelmeni Remix)"
    assert only_common.hits[0].fields["title"] == "The Mix"
