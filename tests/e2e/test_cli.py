"""The CLI as a user runs it: a real process, a real data dir, real files."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).parents[1] / "fixtures" / "corpus"
TRACK_FIELDS = {
    "id",
    "path",
    "status",
    "format",
    "title",
    "artist",
    "album",
    "duration_s",
    "sha256",
    "xxh128",
    "error",
}

pytestmark = pytest.mark.e2e


def tracktion(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "tracktion", *args],
        capture_output=True,
        text=True,
        errors="surrogateescape",
        timeout=120,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def as_json(*args: str) -> Any:
    if "--" in args:
        split = args.index("--")
        args = (*args[:split], "--json", *args[split:])
    else:
        args = (*args, "--json")
    return json.loads(tracktion(*args).stdout)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "Music"
    shutil.copytree(CORPUS / "tracks", root / "tracks")
    shutil.copytree(CORPUS / "bad", root / "bad")
    for extra in ("README.md", "expected.csv"):
        (root / "bad" / extra).unlink()
    shutil.copy2(root / "tracks" / "03. Night Circuit.m4a", root / "copy of night circuit.m4a")
    return root


def test_scan_then_list_show_and_duplicates(library: Path) -> None:
    scan = tracktion("scan", "--no-analysis", str(library))
    assert "Scan summary" in scan.stdout
    assert "errors" in scan.stdout

    tracks = as_json("tracks", "list")
    assert len(tracks) == 24 + 14 + 1
    assert all(set(track) >= TRACK_FIELDS for track in tracks)
    errors = {Path(t["path"]).name: t["error"] for t in tracks if t["status"] == "error"}
    assert set(errors) == {"empty.mp3", "not-audio.mp3", "random-bytes.wav"}
    assert all(errors.values())

    flacs = as_json("tracks", "list", "--artist", "ólöf", "--format", "flac", "--sort", "title")
    assert [t["title"] for t in flacs] == ["Crystal Rain (Radio Edit)", "Neon Drive (Original Mix)"]

    dash = library / "bad" / "-leading dash (not an option).mp3"
    [shown] = as_json("tracks", "show", "--", str(dash))
    assert shown["path"] == str(dash)
    assert [entry["action"] for entry in shown["history"]] == ["discovered"]
    [by_id] = as_json("tracks", "show", shown["id"][-12:])
    assert by_id["id"] == shown["id"]

    [group] = as_json("duplicates")
    assert group["count"] == 2
    assert {Path(t["path"]).name for t in group["tracks"]} == {
        "03. Night Circuit.m4a",
        "copy of night circuit.m4a",
    }


def test_hostile_names_are_kept_byte_for_byte(library: Path) -> None:
    tracktion("scan", "--no-analysis", str(library / "bad"))
    listed = {os.fsencode(t["path"]) for t in as_json("tracks", "list")}
    on_disk = {
        os.fsencode(os.path.join(folder, name))
        for folder, _, names in os.walk(library / "bad")
        for name in names
    }
    assert listed == on_disk


def test_json_scan_report_and_exit_codes(library: Path, tmp_path: Path) -> None:
    report = json.loads(tracktion("scan", "--no-analysis", str(library), "--json").stdout)
    assert report["found"] == 39
    assert report["events"] == {"file.discovered": 39}
    assert len(report["errors"]) == 3

    again = json.loads(tracktion("scan", "--no-analysis", str(library), "--json").stdout)
    assert (again["unchanged"], again["read"]) == (39, 0)

    missing = tracktion("scan", str(tmp_path / "no such folder"), check=False)
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr
    unknown = tracktion("tracks", "show", "no-such-track", check=False)
    assert unknown.returncode == 3


def test_data_dir_is_chosen_by_the_environment(library: Path, tmp_path: Path) -> None:
    assert "no catalog yet" in tracktion("db", "status").stdout
    tracktion("scan", "--no-analysis", str(library / "tracks"))
    assert (Path(os.environ["TRACKTION_DATA_DIR"]) / "tracktion.db").is_file()
    status = tracktion("db", "status")
    assert "up to date" in status.stdout
    assert "ok: 24" in status.stdout


def test_up_watches_until_interrupted(library: Path) -> None:
    incoming = library / "incoming"
    incoming.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "tracktion", "up", str(incoming)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while "Scan summary" not in (process.stdout.readline() if process.stdout else ""):
            assert time.monotonic() < deadline
            assert process.poll() is None
        shutil.copy2(library / "tracks" / "Inês Açaí - Paper Drive.m4a", incoming / "new.m4a")
        found: list[Any] = []
        while not found and time.monotonic() < deadline:
            time.sleep(0.2)
            found = as_json("tracks", "list", "--path", str(incoming))
        assert [t["title"] for t in found] == ["Paper Drive"]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr


def test_a_killed_scan_loses_nothing_and_the_next_one_completes(tmp_path: Path) -> None:
    root = tmp_path / "big"
    template = (CORPUS / "bad" / "one-second.mp3").read_bytes()
    for number in range(1500):
        folder = root / f"album {number // 15:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{number:04d}.mp3").write_bytes(template + number.to_bytes(4, "big"))
    process = subprocess.Popen(
        [sys.executable, "-m", "tracktion", "scan", "--no-analysis", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    process.kill()
    process.wait(timeout=30)

    report = json.loads(tracktion("scan", "--no-analysis", str(root), "--json").stdout)

    tracks = as_json("tracks", "list")
    assert len(tracks) == 1500
    assert len({t["path"] for t in tracks}) == 1500
    assert {t["status"] for t in tracks} == {"ok"}
    assert report["found"] == 1500
    assert report["unchanged"] + report["read"] == 1500


def test_two_scans_at_once_share_one_catalog_safely(library: Path) -> None:
    command = [sys.executable, "-m", "tracktion", "scan", "--no-analysis", str(library), "--json"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs = [process.communicate(timeout=120) for process in (first, second)]

    assert [process.returncode for process in (first, second)] == [0, 0], outputs
    tracks = as_json("tracks", "list")
    assert len(tracks) == 39
    assert len({t["path"] for t in tracks}) == 39
    assert sum(t["status"] == "error" for t in tracks) == 3


def test_analyze_prints_one_json_object_per_file(library: Path) -> None:
    files = [
        str(library / "tracks" / "夜光ループ - Substrata - 05 - Midnight Harbor.m4a"),
        str(library / "bad" / "not-audio.mp3"),
    ]

    result = tracktion("analyze", *files, "--json")

    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["path"] for line in lines] == files
    good, bad = lines
    assert good["bpm"] == pytest.approx(126, rel=0.04)
    assert (good["key"], good["camelot"], good["open_key"]) == ("E minor", "9A", "2m")
    assert good["error"] is None
    assert -30 < good["loudness_lufs"] < 0
    assert bad["error"]
    assert bad["bpm"] is None


def test_scan_analyses_and_tracks_list_filters_by_bpm_and_key(library: Path) -> None:
    tracktion("scan", str(library / "tracks"))

    house = as_json("tracks", "list", "--bpm", "120-130")
    e_minor_neighbours = as_json("tracks", "list", "--key", "Em", "--compatible")

    assert all(120 <= t["analysis"]["bpm"] <= 130 for t in house)
    assert "Midnight Harbor" in {t["title"] for t in house}
    assert {t["analysis"]["camelot"] for t in e_minor_neighbours} <= {"9A", "10A", "8A", "9B"}
    assert "Midnight Harbor" in {t["title"] for t in e_minor_neighbours}


def test_tracks_list_filters_by_primary_mood_and_energy(library: Path) -> None:
    tracktion("scan", str(library / "tracks"))
    tracks = as_json("tracks", "list")

    def primary(track: dict[str, Any]) -> str:
        tags = track["analysis"]["moods"]["tags"]
        return str(max(tags, key=lambda tag: tag["probability"])["name"]).lower()

    moods = {primary(t) for t in tracks}
    mood = sorted(moods)[0]
    chosen = as_json("tracks", "list", "--mood", mood)
    energetic = as_json("tracks", "list", "--energy", "6-10")
    bad = tracktion("tracks", "list", "--energy", "11", check=False)

    assert chosen
    assert {t["path"] for t in chosen} == {t["path"] for t in tracks if primary(t) == mood}
    assert {t["path"] for t in energetic} == {
        t["path"] for t in tracks if t["analysis"]["energy"] >= 6
    }
    assert bad.returncode == 2
    assert "--energy" in bad.stderr
