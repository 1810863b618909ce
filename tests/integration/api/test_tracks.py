"""Tracks, duplicates, events and status over HTTP: happy paths, validation, not found, paging."""

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from tracktion.bootstrap import App
from tracktion.core.analysis import AnalysisRecord
from tracktion.core.query import TrackQuery

from .conftest import CORPUS, SignedIn
from .test_auth import assert_problem

pytestmark = pytest.mark.integration


async def all_pages(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/v1/tracks", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


async def test_list_gives_every_track_with_the_cli_field_names(signed_in: SignedIn) -> None:
    client = await signed_in("viewer")

    response = await client.get("/api/v1/tracks")

    assert response.status_code == 200
    page = response.json()
    assert page["next_cursor"] is None
    assert len(page["items"]) == 6
    track = page["items"][0]
    assert {"id", "path", "status", "format", "title", "artist", "sha256", "analysis"} <= set(track)
    assert [t["path"] for t in page["items"]] == sorted(t["path"] for t in page["items"])


async def test_filters_map_to_the_catalog_query(signed_in: SignedIn) -> None:
    client = await signed_in("viewer")

    flac = (await client.get("/api/v1/tracks", params={"format": "flac"})).json()["items"]
    two = (
        await client.get("/api/v1/tracks", params=[("format", "mp3"), ("format", "ogg")])
    ).json()["items"]
    artist = (await client.get("/api/v1/tracks", params={"artist": "olof brandr"})).json()
    missing = (await client.get("/api/v1/tracks", params={"status": "missing"})).json()
    by_key = (await client.get("/api/v1/tracks", params={"key": "8A", "compatible": True})).json()

    assert {t["format"] for t in flac} == {"flac"}
    assert len(flac) == 2
    assert {t["format"] for t in two} == {"mp3", "ogg"}
    assert artist["items"]
    assert all("brandr" in (t["artist"] or "").lower() for t in artist["items"])
    assert missing["items"] == []
    assert by_key["items"] == []  # nothing analysed yet


async def test_sort_descending(signed_in: SignedIn) -> None:
    client = await signed_in("viewer")

    items = (await client.get("/api/v1/tracks", params={"sort": "format", "order": "desc"})).json()[
        "items"
    ]

    formats = [t["format"] for t in items]
    assert formats == sorted(formats, reverse=True)


@pytest.mark.parametrize("sort", ["path", "title", "format", "duration"])
async def test_cursor_pages_cover_the_list_exactly_once(signed_in: SignedIn, sort: str) -> None:
    client = await signed_in("viewer")
    everything = (await client.get("/api/v1/tracks", params={"sort": sort})).json()["items"]

    paged = await all_pages(client, sort=sort, limit=2)

    assert [t["id"] for t in paged] == [t["id"] for t in everything]


async def test_a_track_added_before_the_cursor_neither_repeats_nor_skips(
    signed_in: SignedIn, container: App, tmp_path: Path
) -> None:
    client = await signed_in("viewer")
    first = (await client.get("/api/v1/tracks", params={"limit": 3})).json()
    music = tmp_path / "Music"
    shutil.copy(CORPUS / "rec_003.m4a", music / "00 first by path.m4a")
    await container.scanner().scan([str(music)])
    await container.bus.wait_idle()

    rest = await all_pages(client, limit=3, cursor=first["next_cursor"])

    seen = [t["id"] for t in first["items"]] + [t["id"] for t in rest]
    assert len(seen) == len(set(seen)) == 6  # the new track sorts before the cursor
    everything = (await client.get("/api/v1/tracks")).json()["items"]
    assert len(everything) == 7  # the cache was invalidated by the catalog events


async def test_mood_and_energy_filters(signed_in: SignedIn, container: App) -> None:
    tracks = await container.store.list_tracks(TrackQuery())
    moods = {"chill": (("chill", 0.4), ("Mellow", 0.3)), "party": (("party", 0.5),)}
    await container.analyses.save(
        [
            AnalysisRecord(
                path=track.path,
                sha256=track.observation.fingerprint.sha256,
                energy=energy,
                moods=moods[mood],
            )
            for track, (mood, energy) in zip(
                tracks, [("chill", 3), ("party", 8), ("party", 9)], strict=False
            )
            if track.observation.fingerprint
        ]
    )
    client = await signed_in("viewer")

    async def paths(**params: Any) -> list[str]:
        response = await client.get("/api/v1/tracks", params=params)
        assert response.status_code == 200, response.text
        return [t["path"] for t in response.json()["items"]]

    assert await paths(mood="chill") == [tracks[0].path]
    assert await paths(mood=["party", "sad"]) == [tracks[1].path, tracks[2].path]
    assert await paths(mood="mellow") == []  # second most probable mood only
    assert await paths(energy_min=8) == [tracks[1].path, tracks[2].path]
    assert await paths(energy_min=3, energy_max=8) == [tracks[0].path, tracks[1].path]
    assert await paths(mood="party", energy_max=8) == [tracks[1].path]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"mood": "angry"},
        {"energy_min": 0},
        {"energy_max": 11},
        {"energy_min": 8, "energy_max": 3},
        {"limit": 501},
        {"bpm_min": 130, "bpm_max": 120},
        {"bpm_min": -1},
        {"key": "H major"},
        {"compatible": True},
        {"status": "gone"},
        {"format": "exe"},
        {"sort": "colour"},
        {"order": "sideways"},
        {"cursor": "!!not-a-cursor!!"},
        {"path": "relative/folder"},
        {"unknown": "parameter"},
    ],
)
async def test_invalid_queries_are_422_problems(
    signed_in: SignedIn, params: dict[str, Any]
) -> None:
    client = await signed_in("viewer")

    response = await client.get("/api/v1/tracks", params=params)

    body = assert_problem(response, 422, "validation_error")
    assert body["errors"]


async def test_a_cursor_does_not_fit_another_query(signed_in: SignedIn) -> None:
    client = await signed_in("viewer")
    cursor = (await client.get("/api/v1/tracks", params={"limit": 1})).json()["next_cursor"]

    response = await client.get(
        "/api/v1/tracks", params={"limit": 1, "sort": "title", "cursor": cursor}
    )

    assert "another query" in str(assert_problem(response, 422, "validation_error")["detail"])


async def test_track_detail_has_analysis_and_history(signed_in: SignedIn) -> None:
    client = await signed_in("viewer")
    listed = (await client.get("/api/v1/tracks", params={"format": "mp3"})).json()["items"][0]

    detail = await client.get(f"/api/v1/tracks/{listed['id']}")
    history = await client.get(f"/api/v1/tracks/{listed['id'][-12:]}/history")

    assert detail.status_code == 200
    body = detail.json()
    assert body["id"] == listed["id"]
    assert body["analysis"] is None
    assert [entry["action"] for entry in body["history"]] == ["discovered"]
    assert history.json() == body["history"]


async def test_unknown_and_malformed_track_ids(signed_in: SignedIn) -> None:
    client = await signed_in("viewer")

    assert_problem(await client.get("/api/v1/tracks/0123456789abcdef"), 404, "not_found")
    assert_problem(await client.get("/api/v1/tracks/fff00000/history"), 404, "not_found")
    assert_problem(await client.get("/api/v1/tracks/NOT-HEX!"), 422, "validation_error")
    assert_problem(await client.get("/api/v1/nowhere"), 404, "not_found")


async def test_duplicates(signed_in: SignedIn) -> None:
    client = await signed_in("viewer")

    groups = (await client.get("/api/v1/duplicates")).json()

    assert len(groups) == 1
    assert groups[0]["count"] == 2
    assert groups[0]["wasted_bytes"] == groups[0]["size"]
    assert {Path(t["path"]).name for t in groups[0]["tracks"]} == {
        "Neon Drive copy.flac",
        "11 - Ólöf Brandr - Neon Drive (Original Mix).flac",
    }


async def test_events_newest_first_and_filtered(signed_in: SignedIn) -> None:
    client = await signed_in("viewer")

    events = (await client.get("/api/v1/events", params={"limit": 100})).json()
    files = (await client.get("/api/v1/events", params={"type": "file.*"})).json()
    bad = await client.get("/api/v1/events", params={"type": "file.*; drop table"})

    assert {e["type"] for e in events} >= {"file.discovered", "catalog.track_updated"}
    assert [e["occurred_at"] for e in events] == sorted(
        (e["occurred_at"] for e in events), reverse=True
    )
    assert {e["type"] for e in files} == {"file.discovered"}
    assert_problem(bad, 422, "validation_error")


async def test_status_counts(signed_in: SignedIn) -> None:
    client = await signed_in("viewer")

    status = (await client.get("/api/v1/status")).json()

    assert status["tracks"] == {"ok": 6, "error": 0, "missing": 0}
    assert status["total_tracks"] == 6
    assert status["analysis_pending"] == 5  # one content hash is shared by the duplicate
    assert status["events_stored"] >= 12


async def test_re_analysis_on_the_in_process_bus_needs_analysis_in_this_process(
    signed_in: SignedIn,
) -> None:
    # Nothing else can take the request from this process's bus (on a broker the analysis
    # workers do: see test_reanalysis.py), so no job is started that could never finish.
    client = await signed_in("editor")
    track = (await client.get("/api/v1/tracks", params={"limit": 1})).json()["items"][0]

    response = await client.post(f"/api/v1/tracks/{track['id']}/analysis")

    assert_problem(response, 503, "unavailable")
    assert "tracktion up" in response.json()["detail"]
