"""Tracklists, search and CUE sheets as a user drives them: real processes, real files."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures"
MIX = FIXTURES / "tracklists" / "mix"
CHALLENGE = FIXTURES / "tracklists" / "1001tracklists" / "challenge-page-drinks-on-decks-001.html"
ENTRY_FIELDS = {"position", "kind", "cue_s", "cue_precision", "artists", "title", "remix", "label"}
CUE_TRACK_FIELDS = {"number", "file", "performer", "title", "index00_s", "index01_s"}
EXIT_BLOCKED = 4

pytestmark = pytest.mark.e2e


def tracktion(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "tracktion", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def as_json(*args: str | Path) -> Any:
    return json.loads(tracktion(*args, "--json").stdout)


@pytest.fixture
def imported(tmp_path: Path) -> dict[str, Any]:
    """The corpus scanned without analysis, then the mix's 1001Tracklists-style text imported."""
    shutil.copytree(FIXTURES / "corpus" / "tracks", tmp_path / "Music")
    tracktion("scan", "--no-analysis", tmp_path / "Music")
    result: dict[str, Any] = as_json("tracklist", "import", MIX / "mix01.1001tl.txt")
    return result


def test_import_then_show_follow_the_json_contract(imported: dict[str, Any]) -> None:
    shown = as_json("tracklist", "show", imported["id"])
    assert {"title", "djs", "date", "source", "entries"} <= set(shown)
    assert shown["djs"] == ["DJ Pelmeni"]
    assert shown["date"] == "2024-05-01"
    assert shown["source"] == str((MIX / "mix01.1001tl.txt").resolve())
    assert all(set(entry) >= ENTRY_FIELDS for entry in shown["entries"])
    assert [e["cue_s"] for e in shown["entries"]] == [0.0, 60.0, 120.0, 180.0, 240.0, 300.0]
    assert {e["cue_precision"] for e in shown["entries"]} == {"exact"}
    assert shown["entries"][1]["remix"] == "Original Mix"
    assert shown["coverage"]["ratio"] == 1.0
    assert all(match["track_id"] for match in shown["matches"])
    assert shown["entries"] == imported["entries"]

    table = tracktion("tracklist", "show", imported["id"][:13]).stdout
    assert "library coverage: 6/6" in table
    listed = as_json("tracklist", "list")
    assert [t["id"] for t in listed] == [imported["id"]]


def test_search_finds_the_artist_despite_accents(imported: dict[str, Any]) -> None:
    results = as_json("search", "olof brandr")
    first = results["hits"][0]
    assert (first["kind"], first["label"].casefold()) == ("artist", "ólöf brandr")
    tracklists = as_json("search", "pelmeni hafenkante", "--kind", "tracklist")
    assert [hit["id"] for hit in tracklists["hits"]] == [imported["id"]]
    assert "ólöf brandr" in tracktion("search", "olof brnadr", "--kind", "artist").stdout.casefold()


def test_cue_generate_writes_a_sheet_cuetools_accept(
    imported: dict[str, Any], tmp_path: Path
) -> None:
    sheet = tmp_path / "out" / "mix01.cue"
    tracktion(
        "cue",
        "generate",
        "--tracklist",
        imported["id"],
        "--audio",
        tmp_path / "mix01.mp3",
        "-o",
        sheet,
    )
    text = sheet.read_text(encoding="utf-8")
    assert 'FILE "../mix01.mp3" MP3' in text
    assert "INDEX 01 05:00:00" in text
    parsed = as_json("cue", "parse", sheet)
    assert [t["index01_s"] for t in parsed["tracks"]] == [0.0, 60.0, 120.0, 180.0, 240.0, 300.0]
    assert parsed["performer"] == "DJ Pelmeni"
    if shutil.which("cueprint") is None:
        pytest.skip("cuetools not installed: apt-get install cuetools")
    printed = subprocess.run(["cueprint", str(sheet)], capture_output=True, check=False, timeout=60)
    assert printed.returncode == 0, printed.stderr
    assert b"Distant Circuit" in printed.stdout

    crlf = tmp_path / "crlf.cue"
    tracktion(
        "cue",
        "generate",
        "--tracklist",
        imported["id"],
        "--audio",
        "mix01.mp3",
        "-o",
        crlf,
        "--bom",
        "--crlf",
    )
    assert crlf.read_bytes().startswith(b"\xef\xbb\xbfREM")
    assert b"\r\n" in crlf.read_bytes()


def test_align_says_when_it_cannot_run(imported: dict[str, Any], tmp_path: Path) -> None:
    result = tracktion(
        "cue",
        "generate",
        "--tracklist",
        imported["id"],
        "--audio",
        tmp_path / "none.mp3",
        "-o",
        tmp_path / "x.cue",
        "--align",
        check=False,
    )
    assert result.returncode == 1
    assert "--align" in result.stderr


def test_cue_parse_prints_the_json_contract() -> None:
    parsed = as_json("cue", "parse", FIXTURES / "cue" / "mix01.truth.cue")
    assert {"performer", "title", "files", "tracks"} <= set(parsed)
    assert parsed["files"] == [{"name": "mix01.mp3", "type": "MP3"}]
    assert all(set(track) >= CUE_TRACK_FIELDS for track in parsed["tracks"])
    assert parsed["tracks"][1]["index01_s"] == pytest.approx(68.24)
    assert parsed["tracks"][4]["performer"] == "夜光ループ"


def test_a_challenge_page_is_reported_as_blocked() -> None:
    result = tracktion("tracklist", "import", CHALLENGE, check=False)
    assert result.returncode == EXIT_BLOCKED
    assert "blocked" in result.stderr
    assert as_json("tracklist", "list") == []


def test_unknown_ids_are_not_found() -> None:
    result = tracktion("tracklist", "show", "0123456789", check=False)
    assert result.returncode == 3
