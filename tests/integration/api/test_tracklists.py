"""Tracklists over HTTP: import (loopback site, library file, pasted text), list, detail, CUE."""

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tracktion.api.app import create_app
from tracktion.bootstrap import App
from tracktion.tracklists.cue_reader import parse_cue

from ..conftest import Reply, Serve
from .conftest import FAST_PASSWORDS, SignedIn, api_settings, scanned_app, sign_in
from .test_auth import assert_problem

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parents[2] / "fixtures"
PAGES = FIXTURES / "tracklists" / "1001tracklists"
MIX = FIXTURES / "tracklists" / "mix"
PAGE_PATH = "/tracklist/2hjnqr0t/bicep-nts-radio-2022-06-16.html"
BLOCKED_PATH = "/tracklist/blocked/bicep.html"
MIX_AUDIO = FIXTURES / "corpus" / "mix" / "mix01.mp3"


@pytest.fixture(scope="module")
def site(serve: Serve) -> str:
    """1001Tracklists on loopback: a page, a challenge page, a page that is gone."""
    return serve(
        {
            PAGE_PATH: Reply((PAGES / "bicep-nts-radio-2022-06-16.html").read_bytes()),
            BLOCKED_PATH: Reply(
                (PAGES / "challenge-page-bicep-nts-radio-2022-06-16.html").read_bytes()
            ),
            "/tracklist/gone.html": Reply(b"gone", "text/plain", 410),
        }
    )


@pytest.fixture
async def container(
    tmp_path: Path, database_url: str, music: Path, site: str
) -> AsyncIterator[App]:
    """The library of conftest plus the mix's audio and a tracklist file; the site allowed."""
    shutil.copy(MIX_AUDIO, music / "mix01.mp3")
    shutil.copy(MIX / "mix01.1001tl.txt", music / "mix01.1001tl.txt")
    settings = api_settings(
        tmp_path, database_url, music, fetch_allowed_hosts=[site], fetch_allow_http=True
    )
    app = await scanned_app(settings, music)
    yield app
    await app.close()


@pytest.fixture
def api(container: App) -> FastAPI:
    return create_app(container, passwords=FAST_PASSWORDS)


async def test_import_a_page_from_an_allowed_site(signed_in: SignedIn, site: str) -> None:
    editor = await signed_in("editor")

    response = await editor.post("/api/v1/tracklists", json={"source": f"http://{site}{PAGE_PATH}"})

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/tracklists/{body['id']}"
    assert body["djs"] == ["Bicep"]
    assert body["source_kind"] == "1001tracklists"
    assert len(body["entries"]) == len(body["matches"]) > 10
    assert body["coverage"]["matched"] == 0  # none of Bicep's tracks is in this library


async def test_a_challenge_page_is_502_blocked_and_nothing_is_stored(
    signed_in: SignedIn, site: str
) -> None:
    editor = await signed_in("editor")

    response = await editor.post(
        "/api/v1/tracklists", json={"source": f"http://{site}{BLOCKED_PATH}"}
    )

    assert_problem(response, 502, "blocked")
    assert (await editor.get("/api/v1/tracklists")).json()["items"] == []


async def test_fetch_failures_are_502_and_other_hosts_422(signed_in: SignedIn, site: str) -> None:
    editor = await signed_in("editor")

    gone = await editor.post(
        "/api/v1/tracklists", json={"source": f"http://{site}/tracklist/gone.html"}
    )
    other = await editor.post(
        "/api/v1/tracklists", json={"source": "https://example.org/tracklist/x.html"}
    )

    assert_problem(gone, 502, "upstream_error")
    assert_problem(other, 422, "validation_error")


async def test_import_a_library_file_then_list_and_show_it(
    signed_in: SignedIn, music: Path
) -> None:
    editor, viewer = await signed_in("editor"), await signed_in("viewer")

    created = await editor.post(
        "/api/v1/tracklists", json={"source": str(music / "mix01.1001tl.txt")}
    )
    listed = await viewer.get("/api/v1/tracklists")
    shown = await viewer.get(f"/api/v1/tracklists/{created.json()['id'][:8]}")

    assert created.status_code == 201, created.text
    page = listed.json()
    assert [t["id"] for t in page["items"]] == [created.json()["id"]]
    assert page["next_offset"] is None
    assert "entries" not in page["items"][0]
    body = shown.json()
    assert body["title"] == "DJ Pelmeni @ Hafenkante Warehouse Session 2024-05-01"
    assert [e["cue_s"] for e in body["entries"]] == [0, 60, 120, 180, 240, 300]
    # conftest's library holds two of the mix's six tracks (by file name, untagged or tagged)
    matched = [m for m in body["matches"] if m["track_id"]]
    assert body["coverage"]["identified"] == 6
    assert body["coverage"]["matched"] == len(matched)
    assert all(m["track"]["path"].startswith(str(music)) for m in matched)


async def test_list_pages_with_limit_and_offset(signed_in: SignedIn) -> None:
    editor = await signed_in("editor")
    ids = []
    for n in range(3):
        text = f"Mix number {n}\n[00:00] Inês Açaí - Hollow Avenue\n[03:00] Nova Koala - Night\n"
        created = await editor.post("/api/v1/tracklists", json={"text": text})
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])

    first = (await editor.get("/api/v1/tracklists", params={"limit": 2})).json()
    second = (
        await editor.get("/api/v1/tracklists", params={"limit": 2, "offset": first["next_offset"]})
    ).json()
    searched = (await editor.get("/api/v1/tracklists", params={"q": "number 1"})).json()

    assert [t["id"] for t in first["items"] + second["items"]] == ids[::-1]  # newest first
    assert first["next_offset"] == 2
    assert second["next_offset"] is None
    assert [t["id"] for t in searched["items"]] == [ids[1]]


async def test_pasted_text_imported_again_updates_the_same_tracklist(signed_in: SignedIn) -> None:
    editor = await signed_in("editor")
    body = {"text": "Ólöf Brandr - Neon Drive\nInês Açaí - Hollow Avenue\n", "title": "Sunday"}

    first = await editor.post("/api/v1/tracklists", json=body)
    again = await editor.post("/api/v1/tracklists", json=body)

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["title"] == "Sunday"
    assert [m["reason"] for m in first.json()["matches"]] == ["matched", "matched"]


async def test_cue_sheet_of_the_mix(signed_in: SignedIn, music: Path) -> None:
    editor = await signed_in("editor")
    created = await editor.post(
        "/api/v1/tracklists", json={"source": str(music / "mix01.1001tl.txt")}
    )
    url = f"/api/v1/tracklists/{created.json()['id']}/cue"

    response = await editor.get(url, params={"audio": str(music / "mix01.mp3")})
    windows = await editor.get(
        url, params={"audio": str(music / "mix01.mp3"), "bom": True, "crlf": True}
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-cue; charset=utf-8"
    assert 'filename="mix01.cue"' in response.headers["content-disposition"]
    sheet = parse_cue(response.content, name="mix01.cue")
    assert sheet.files[0].name == "mix01.mp3"
    assert [round(t.index01_s) for t in sheet.tracks] == [0, 60, 120, 180, 240, 300]
    assert sheet.tracks[3].title == "Neon Drive (Original Mix)"
    assert windows.content.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in windows.content
    assert windows.content.lstrip(b"\xef\xbb\xbf").replace(b"\r\n", b"\n") == response.content


async def test_over_99_tracks_needs_split(signed_in: SignedIn, music: Path) -> None:
    editor = await signed_in("editor")
    lines = [f"[{n // 60}:{n % 60:02d}:00] Artist {n} - Title {n}" for n in range(120)]
    created = await editor.post(
        "/api/v1/tracklists", json={"text": "\n".join(lines), "title": "Marathon"}
    )
    url = f"/api/v1/tracklists/{created.json()['id']}/cue"
    audio = str(music / "mix01.mp3")

    whole = await editor.get(url, params={"audio": audio})
    part2 = await editor.get(url, params={"audio": audio, "split": True, "part": 2})
    part3 = await editor.get(url, params={"audio": audio, "split": True, "part": 3})

    assert created.status_code == 201, created.text
    assert len(created.json()["entries"]) == 120
    assert_problem(whole, 422, "validation_error")
    assert part2.status_code == 200, part2.text
    assert (part2.headers["x-cue-part"], part2.headers["x-cue-parts"]) == ("2", "2")
    assert len(parse_cue(part2.content, name="x.cue").tracks) == 21
    assert_problem(part3, 422, "validation_error")


async def test_cue_audio_must_be_a_file_inside_the_roots(
    signed_in: SignedIn, music: Path, tmp_path: Path
) -> None:
    editor = await signed_in("editor")
    created = await editor.post(
        "/api/v1/tracklists", json={"source": str(music / "mix01.1001tl.txt")}
    )
    url = f"/api/v1/tracklists/{created.json()['id']}/cue"
    outside = tmp_path / "elsewhere.mp3"
    shutil.copy(MIX_AUDIO, outside)

    for audio in (
        str(outside),
        str(music / ".." / "elsewhere.mp3"),
        "mix01.mp3",
        str(music / "no.mp3"),
    ):
        assert_problem(await editor.get(url, params={"audio": audio}), 422, "validation_error")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"source": "x", "text": "A - B"},
        {"title": "alone"},
        {"text": ""},
        {"text": "A - B", "format": "pdf"},
        {"source": "relative/path.txt"},
        {"source": "/etc/passwd"},
        {"text": "no tracklist here"},
        {"source": "x", "extra": 1},
    ],
)
async def test_invalid_imports_are_422(signed_in: SignedIn, body: dict[str, object]) -> None:
    editor = await signed_in("editor")

    assert_problem(await editor.post("/api/v1/tracklists", json=body), 422, "validation_error")


async def test_roles_and_not_found(signed_in: SignedIn, api: FastAPI, music: Path) -> None:
    viewer = await signed_in("viewer")
    audio = str(music / "mix01.mp3")

    forbidden = await viewer.post("/api/v1/tracklists", json={"text": "A - B"})
    missing = await viewer.get("/api/v1/tracklists/0123456789ab")
    missing_cue = await viewer.get("/api/v1/tracklists/0123456789ab/cue", params={"audio": audio})
    bad_id = await viewer.get("/api/v1/tracklists/NOT-AN-ID")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api), base_url="http://test"
    ) as anonymous:
        unauthorized = [
            await anonymous.get("/api/v1/tracklists"),
            await anonymous.post("/api/v1/tracklists", json={"text": "A - B"}),
            await anonymous.get("/api/v1/tracklists/0123456789ab/cue", params={"audio": audio}),
        ]
        tokens = await sign_in(anonymous, "viewer")

    assert tokens["access_token"]
    assert_problem(forbidden, 403, "forbidden")
    assert_problem(missing, 404, "not_found")
    assert_problem(missing_cue, 404, "not_found")
    assert_problem(bad_id, 422, "validation_error")
    for response in unauthorized:
        assert_problem(response, 401, "unauthorized")
