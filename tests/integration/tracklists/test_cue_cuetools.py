"""Generated CUE sheets checked by Debian's cuetools: ``cueprint`` and ``cuebreakpoints``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tracktion.core.tracklist import CuePrecision, EntryKind, Tracklist, TracklistEntry
from tracktion.tracklists.cue_reader import parse_cue
from tracktion.tracklists.cue_sheet import CueSheet, seconds_to_frames
from tracktion.tracklists.cue_writer import cue_sheet_for_mix, cue_sheets_for_mix, render_cue

pytestmark = pytest.mark.integration

CUE_FIXTURES = Path(__file__).parents[2] / "fixtures" / "cue"
_MISSING = [tool for tool in ("cueprint", "cuebreakpoints") if shutil.which(tool) is None]
if _MISSING:
    reason = f"cuetools not installed ({', '.join(_MISSING)} missing): apt-get install cuetools"
    print(reason)  # noqa: T201 - the brief asks for a printed reason
    pytest.skip(reason, allow_module_level=True)


def run(*args: str | Path) -> str:
    result = subprocess.run(
        [str(arg) for arg in args], capture_output=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return result.stdout.decode("utf-8")


def breakpoint_text(seconds: float) -> str:
    """cuebreakpoints' ``m:ss.ff`` (frames after the dot), from our own frame count."""
    minutes, rest = divmod(seconds_to_frames(seconds), 60 * 75)
    secs, frames = divmod(rest, 75)
    return f"{minutes}:{secs:02d}.{frames:02d}"


def write(tmp_path: Path, sheet: CueSheet, name: str = "mix.cue", **options: bool) -> Path:
    path = tmp_path / name
    path.write_bytes(render_cue(sheet, **options))
    return path


def breakpoints(path: Path) -> list[str]:
    return run("cuebreakpoints", path).split()


def printed(path: Path) -> tuple[str, list[str]]:
    disc = run("cueprint", "-d", "%N|%P|%T\n", "-t", "", path).strip()
    tracks = run("cueprint", "-d", "", "-t", "%n|%p|%t\n", path).strip().splitlines()
    return disc, tracks


def entry(position: int, cue_s: float, artist: str, title: str, **kw: object) -> TracklistEntry:
    return TracklistEntry(
        position,
        EntryKind.TRACK,
        cue_s,
        CuePrecision.EXACT,
        (artist,),
        title,
        **kw,  # type: ignore[arg-type]
    )


def long_mix() -> Tracklist:
    return Tracklist(
        title='Marathon "Live"',
        djs=("Ólöf Brandr", "夜光ループ"),
        date="2020-10-04",
        styles=("Techno",),
        duration_s=7300.0,
        entries=(
            entry(1, 12.0, "Edem", "Ankh", remix="Khetouin's Deep Origins Remix"),
            entry(2, 516.6133, "Armin van Buuren", "Blue Fear"),
            entry(3, 5999.99, "Ben Böhmer", "After Earth"),
            entry(4, 6066.8667, "Mod21", 'Epilogue "4"'),
            TracklistEntry(5, EntryKind.UNKNOWN, None),
        ),
    )


@pytest.mark.parametrize(
    "options", [{}, {"crlf": True}, {"bom": True}, {"bom": True, "crlf": True}]
)
def test_a_long_mix_with_minutes_past_99(tmp_path: Path, options: dict[str, bool]) -> None:
    sheet = cue_sheet_for_mix(long_mix(), "marathon.flac")
    path = write(tmp_path, sheet, **options)

    assert breakpoints(path) == ["8:36.46", "99:59.74", "101:06.65", "111:23.33"]
    assert breakpoints(path) == [breakpoint_text(t.index01_s) for t in sheet.tracks[1:]]
    disc, tracks = printed(path)
    assert disc == "5|Ólöf Brandr & 夜光ループ|Marathon \u201cLive\u201d"
    assert tracks == [
        "1|Edem|Ankh (Khetouin's Deep Origins Remix)",
        "2|Armin van Buuren|Blue Fear",
        "3|Ben Böhmer|After Earth",
        "4|Mod21|Epilogue \u201c4\u201d",
        "5|ID|ID",
    ]


def test_mix01_sheet_matches_the_reference(tmp_path: Path) -> None:
    truth_path = CUE_FIXTURES / "mix01.truth.cue"
    truth = parse_cue(truth_path.read_bytes())
    tracklist = Tracklist(
        title=truth.title or "",
        djs=(truth.performer or "",),
        entries=tuple(
            entry(t.number, t.index01_s, t.performer or "", t.title or "") for t in truth.tracks
        ),
    )
    path = write(tmp_path, cue_sheet_for_mix(tracklist, "mix01.mp3"))

    assert breakpoints(path) == breakpoints(truth_path)
    assert breakpoints(path) == ["1:08.18", "2:07.52", "3:02.63", "4:03.17", "5:03.56"]
    assert printed(path) == printed(truth_path)


def test_split_sheets_each_validate(tmp_path: Path) -> None:
    tracklist = Tracklist(
        title="Radio marathon",
        djs=("Various",),
        entries=tuple(entry(n, (n - 1) * 61.5, f"Artist {n}", f"Title {n}") for n in range(1, 151)),
    )

    sheets = cue_sheets_for_mix(tracklist, "radio.mp3")

    assert len(sheets) == 2
    for part, sheet in enumerate(sheets, start=1):
        path = write(tmp_path, sheet, f"part{part}.cue")
        assert breakpoints(path) == [breakpoint_text(t.index01_s) for t in sheet.tracks[1:]]
        disc, tracks = printed(path)
        assert disc == f"{len(sheet.tracks)}|Various|Radio marathon (part {part}/2)"
        assert tracks[0] == f"1|Artist {99 * (part - 1) + 1}|Title {99 * (part - 1) + 1}"
    assert seconds_to_frames(sheets[1].tracks[0].index01_s) == seconds_to_frames(99 * 61.5)
    assert breakpoints(tmp_path / "part2.cue")[0] == breakpoint_text(100 * 61.5)


SINGLE_FILE = [
    "1001tl-splitter-mat-zo-abgt500-2022-10-15.cue",
    "audiocuesheeteditor/djfreezet-rabbit-hole-mix-april-2021.issue36-frames.cue",
    "audiocuesheeteditor/djfreezet-rautemusik-2020-10-04.bug30.bom.cue",
    "cuesheetnet/encoding-1252.cue",
    "cuesheetnet/encoding-utf-8.cue",
    "cuesheetnet/spandau-ballet-true.cue",
    "deflacue/vys1.utf8-cyrillic.cue",
    "go-cuesheet/mojibake-test.cue",
    "whipper/bloc.cue",
    "whipper/breeders.cue",
    "whipper/cure.cue",
    "whipper/kings-single.cue",
    "whipper/surferrosa.eac.single.cue",
    "whipper/track-single.cue",
]


@pytest.mark.parametrize("name", SINGLE_FILE)
def test_real_sheets_rewritten_keep_their_breakpoints(tmp_path: Path, name: str) -> None:
    original = CUE_FIXTURES / name
    rewritten = write(tmp_path, parse_cue(original.read_bytes(), name=name))

    assert breakpoints(rewritten) == breakpoints(original)
    assert breakpoints(rewritten)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be-bom", "utf-32-le", "utf-32-be-bom"])
def test_sheets_libcue_cannot_read_become_readable(tmp_path: Path, codec: str) -> None:
    wide = CUE_FIXTURES / f"cuesheetnet/encoding-{codec}.cue"
    rewritten = write(tmp_path, parse_cue(wide.read_bytes()))

    assert breakpoints(rewritten) == breakpoints(CUE_FIXTURES / "cuesheetnet/encoding-utf-8.cue")
    disc, tracks = printed(rewritten)
    assert disc == "11|Jethro Tull|Aqualung"
    assert tracks[4] == "5||Wond\u2019ring Aloud"


def test_rekordbox_sheet_is_rewritten_in_standard_time(tmp_path: Path) -> None:
    name = "rekordbox-recording-tnnr-2024-05-05.hhmmss-index.cue"
    rewritten = write(tmp_path, parse_cue((CUE_FIXTURES / name).read_bytes()))

    points = breakpoints(rewritten)
    assert points[0] == "2:45.00"
    assert points[-1] == "36:24.00"
    assert len(points) == 12
