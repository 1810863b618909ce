from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tracktion.core.errors import CueSheetError
from tracktion.core.models import AudioFormat
from tracktion.core.tracklist import CuePrecision, EntryKind, Tracklist, TracklistEntry
from tracktion.tracklists.cue_reader import parse_cue
from tracktion.tracklists.cue_sheet import CueFile, CueSheet, CueTrack
from tracktion.tracklists.cue_writer import (
    cue_file_type,
    cue_sheet_for_mix,
    cue_sheets_for_mix,
    render_cue,
)

CUE_FIXTURES = Path(__file__).parents[2] / "fixtures" / "cue"
EXACT = CuePrecision.EXACT


def track(
    position: int, cue_s: float | None, artists: tuple[str, ...], title: str | None, **kw: object
) -> TracklistEntry:
    precision = kw.pop("cue_precision", EXACT if cue_s is not None else CuePrecision.UNKNOWN)
    kind = kw.pop("kind", EntryKind.TRACK)
    return TracklistEntry(
        position=position,
        kind=kind,  # type: ignore[arg-type]
        cue_s=cue_s,
        cue_precision=precision,  # type: ignore[arg-type]
        artists=artists,
        title=title,
        **kw,  # type: ignore[arg-type]
    )


def mix(*entries: TracklistEntry, **kw: object) -> Tracklist:
    return Tracklist(title="Warehouse Session", djs=("DJ Pelmeni",), entries=entries, **kw)  # type: ignore[arg-type]


def lines(sheet: CueSheet) -> list[str]:
    return render_cue(sheet).decode("utf-8").splitlines()


def test_a_dj_mix_is_written_as_players_expect() -> None:
    tracklist = Tracklist(
        title='Live at "The Warehouse"',
        djs=("Bicep", "Hammer"),
        date="2024-05-01",
        source="https://www.1001tracklists.com/tracklist/x/y.html",
        styles=("Techno", "Electro"),
        entries=(
            track(1, 0.0, ("Mørk Tåke", "Linnea Ångström"), "Distant Circuit",
                  featured=("Linnea Ångström",), label="Aurora"),
            track(2, 68.24, ("Ólöf Brandr",), "Velvet Avenue", remix="Bicep Remix"),
            track(2, None, ("Inês Açaí",), "Paper Drive", kind=EntryKind.PLAYED_WITH),
            track(3, 120.0, ("Nobody",), "Say \"Hi\"", cue_precision=CuePrecision.MINUTE),
            track(4, 6066 + 65 / 75, (), None, kind=EntryKind.UNKNOWN),
        ),
    )  # fmt: skip

    sheet = cue_sheet_for_mix(tracklist, "Live at the Warehouse.mp3")

    assert lines(sheet) == [
        'REM GENRE "Techno, Electro"',
        "REM DATE 2024-05-01",
        "REM COMMENT https://www.1001tracklists.com/tracklist/x/y.html",
        'PERFORMER "Bicep & Hammer"',
        'TITLE "Live at \u201cThe Warehouse\u201d"',
        'FILE "Live at the Warehouse.mp3" MP3',
        "  TRACK 01 AUDIO",
        '    TITLE "Distant Circuit"',
        '    PERFORMER "Mørk Tåke feat. Linnea Ångström"',
        "    REM LABEL Aurora",
        "    INDEX 01 00:00:00",
        "  TRACK 02 AUDIO",
        '    TITLE "Velvet Avenue (Bicep Remix)"',
        '    PERFORMER "Ólöf Brandr"',
        '    REM PLAYED_WITH "Inês Açaí - Paper Drive"',
        "    INDEX 01 01:08:18",
        "  TRACK 03 AUDIO",
        '    TITLE "Say \u201cHi\u201d"',
        '    PERFORMER "Nobody"',
        "    REM CUE_PRECISION minute",
        "    INDEX 01 02:00:00",
        "  TRACK 04 AUDIO",
        '    TITLE "ID"',
        '    PERFORMER "ID"',
        "    INDEX 01 101:06:65",
    ]
    assert sheet.warnings == ()
    assert parse_cue(render_cue(sheet)) == sheet


def test_mashup_parts_fold_into_the_mashup() -> None:
    tracklist = mix(
        track(1, 0.0, ("A",), "One"),
        track(2, 300.0, ("A", "B"), "Two vs Three (Mashup)"),
        track(2, None, ("A",), "Two", kind=EntryKind.MASHUP_PART),
        track(2, None, ("B",), "Three", kind=EntryKind.MASHUP_PART),
    )

    sheet = cue_sheet_for_mix(tracklist, "mix.flac")

    assert len(sheet.tracks) == 2
    assert sheet.tracks[1].rems == {"MASHUP_OF": "A - Two / B - Three"}
    assert sheet.tracks[1].performer == "A & B"


def test_mix01_tracklist_gives_the_reference_sheet() -> None:
    truth = parse_cue((CUE_FIXTURES / "mix01.truth.cue").read_bytes())
    tracklist = Tracklist(
        title=truth.title or "",
        djs=(truth.performer or "",),
        entries=tuple(
            track(t.number, t.index01_s, (t.performer or "",), t.title) for t in truth.tracks
        ),
    )

    sheet = cue_sheet_for_mix(tracklist, "mix01.mp3")

    assert sheet.files == (CueFile("mix01.mp3", "MP3"),)
    assert [(t.performer, t.title, t.index01_s) for t in sheet.tracks] == [
        (t.performer, t.title, t.index01_s) for t in truth.tracks
    ]
    rendered = [line for line in lines(sheet) if "INDEX" in line]
    expected = (CUE_FIXTURES / "mix01.truth.cue").read_text(encoding="utf-8").splitlines()
    assert rendered == [line for line in expected if "INDEX" in line]


@pytest.mark.parametrize(
    ("audio_format", "file_type"),
    [
        ("mp3", "MP3"),
        (".MP3", "MP3"),
        ("mp2", "MP3"),
        ("aiff", "AIFF"),
        ("aif", "AIFF"),
        ("wav", "WAVE"),
        ("flac", "WAVE"),
        ("opus", "WAVE"),
        (AudioFormat.M4A, "WAVE"),
        (AudioFormat.FLAC, "WAVE"),
    ],
)
def test_file_type(audio_format: str, file_type: str) -> None:
    assert cue_file_type(audio_format) == file_type


def test_file_type_comes_from_the_name_unless_given() -> None:
    tracklist = mix(track(1, 0.0, ("A",), "One"))

    assert cue_sheet_for_mix(tracklist, "set.aiff").files[0].type == "AIFF"
    assert cue_sheet_for_mix(tracklist, "set.bin", audio_format="mp3").files[0].type == "MP3"


def test_track_one_always_starts_the_file() -> None:
    sheet = cue_sheet_for_mix(
        mix(track(1, 42.0, ("A",), "One"), track(2, 300.0, ("B",), "Two")), "m.wav"
    )

    assert [t.index01_s for t in sheet.tracks] == [0.0, 300.0]
    assert sheet.warnings == ("track 1 starts at 00:00:00 (its tracklist cue is 0:42)",)


def test_unknown_cues_between_known_ones_are_interpolated() -> None:
    tracklist = mix(
        track(1, 0.0, ("A",), "One"),
        track(2, 600.0, ("B",), "Two"),
        track(3, None, ("C",), "Three"),
        track(4, None, ("D",), "Four"),
        track(5, 900.0, ("E",), "Five"),
    )

    sheet = cue_sheet_for_mix(tracklist, "m.wav")

    assert [t.index01_s for t in sheet.tracks] == [0.0, 600.0, 700.0, 800.0, 900.0]
    assert [t.rems.get("CUE_PRECISION") for t in sheet.tracks] == [
        None, None, "estimated", "estimated", None,
    ]  # fmt: skip


def test_trailing_unknown_cues_use_the_mix_duration_or_are_left_out() -> None:
    entries = (
        track(1, 0.0, ("A",), "One"),
        track(2, 600.0, ("B",), "Two"),
        track(3, None, ("C",), "Three"),
    )

    with_duration = cue_sheet_for_mix(mix(*entries, duration_s=1200.0), "m.wav")
    without = cue_sheet_for_mix(mix(*entries), "m.wav")

    assert [t.index01_s for t in with_duration.tracks] == [0.0, 600.0, 900.0]
    assert [t.index01_s for t in without.tracks] == [0.0, 600.0]
    assert without.warnings == ("'C - Three': no cue time and nothing to estimate it: left out",)


def test_skip_policy_leaves_unknown_cues_out() -> None:
    tracklist = mix(
        track(1, 0.0, ("A",), "One"), track(2, None, ("B",), "Two"), track(3, 60.0, ("C",), "Three")
    )

    sheet = cue_sheet_for_mix(tracklist, "m.wav", unknown_cues="skip")

    assert [(t.number, t.title) for t in sheet.tracks] == [(1, "One"), (2, "Three")]
    assert sheet.warnings == ("'B - Two': no cue time: left out",)


def test_indexes_strictly_increase_even_with_equal_minute_cues() -> None:
    minute = CuePrecision.MINUTE
    tracklist = mix(
        track(1, 0.0, ("A",), "One", cue_precision=minute),
        track(2, 180.0, ("B",), "Two", cue_precision=minute),
        track(3, 180.0, ("C",), "Three", cue_precision=minute),
        track(4, 240.0, ("D",), "Four", cue_precision=minute),
    )

    sheet = cue_sheet_for_mix(tracklist, "m.wav")

    times = [t.index01_s for t in sheet.tracks]
    assert times == [0.0, 180.0, 210.0, 240.0]
    assert all(a < b for a, b in itertools.pairwise(times))
    assert sheet.tracks[2].rems["CUE_PRECISION"] == "estimated"
    assert "cue of 'C - Three' is not after the one before: unknown" in sheet.warnings


def test_cue_times_are_rounded_to_the_nearest_frame() -> None:
    sheet = cue_sheet_for_mix(mix(track(1, 0.0, ("A",), "One"), track(2, 61.0066, ("B",), "Two"),
                                  track(3, 62.0067, ("C",), "Three")), "m.wav")  # fmt: skip

    assert [line for line in lines(sheet) if "INDEX" in line][1:] == [
        "    INDEX 01 01:01:00",
        "    INDEX 01 01:02:01",
    ]


def many(count: int) -> Tracklist:
    return mix(*(track(n, (n - 1) * 60.0, ("A",), f"T{n}") for n in range(1, count + 1)))


def test_more_than_99_tracks_raise_by_default() -> None:
    with pytest.raises(CueSheetError, match=r"150 tracks .*at most 99.*overflow='truncate'"):
        cue_sheet_for_mix(many(150), "long.flac")


def test_99_tracks_fit() -> None:
    sheet = cue_sheet_for_mix(many(99), "long.flac")

    assert len(sheet.tracks) == 99
    assert "  TRACK 99 AUDIO" in lines(sheet)


def test_truncate_keeps_99_tracks() -> None:
    sheet = cue_sheet_for_mix(many(150), "long.flac", overflow="truncate")

    assert len(sheet.tracks) == 99
    assert sheet.title == "Warehouse Session"
    assert sheet.warnings[-1] == "51 tracks after track 99 left out (CUE limit)"


def test_split_gives_sheets_of_at_most_99_tracks() -> None:
    sheets = cue_sheets_for_mix(many(150), "long.flac")

    assert [len(s.tracks) for s in sheets] == [99, 51]
    assert [s.title for s in sheets] == [
        "Warehouse Session (part 1/2)",
        "Warehouse Session (part 2/2)",
    ]
    assert [t.number for t in sheets[1].tracks] == list(range(1, 52))
    assert sheets[1].tracks[0].index01_s == 99 * 60.0
    assert sheets[1].tracks[0].title == "T100"
    assert all(parse_cue(render_cue(s)) == s for s in sheets)
    assert cue_sheets_for_mix(many(3), "short.flac")[0].title == "Warehouse Session"


def test_render_refuses_more_than_99_tracks() -> None:
    sheet = CueSheet(tracks=tuple(CueTrack(n, "a.wav", float(n)) for n in range(1, 101)))

    with pytest.raises(CueSheetError, match="100 tracks"):
        render_cue(sheet)


def test_empty_tracklist_is_refused() -> None:
    with pytest.raises(CueSheetError, match="no tracks"):
        cue_sheet_for_mix(mix(), "m.wav")


def test_utf8_without_bom_and_lf_by_default_with_options() -> None:
    sheet = cue_sheet_for_mix(mix(track(1, 0.0, ("Ólöf",), "Ä")), "m.wav")

    plain = render_cue(sheet)
    both = render_cue(sheet, bom=True, crlf=True)

    assert not plain.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in plain
    assert plain.endswith(b"\n")
    assert both.startswith(b"\xef\xbb\xbf")
    assert both.count(b"\r\n") == both.count(b"\n") == plain.count(b"\n")
    assert both[3:].decode("utf-8") == plain.decode("utf-8").replace("\n", "\r\n")
    assert "Ólöf".encode() in plain


def test_control_characters_and_rem_values() -> None:
    sheet = CueSheet(
        title="two\nlines\tand tabs",
        rems={"COMMENT": "", "date": "2024", "my key": 'say "x"'},
        files=(CueFile("a.wav"),),
        tracks=(CueTrack(1, "a.wav", 0.0),),
    )

    assert lines(sheet)[:4] == [
        'REM COMMENT ""',
        "REM DATE 2024",
        'REM MY_KEY "say \u201cx\u201d"',
        'TITLE "two lines and tabs"',
    ]


def test_an_audio_name_a_cue_sheet_cannot_hold_is_refused() -> None:
    with pytest.raises(CueSheetError, match="cannot name"):
        cue_sheet_for_mix(mix(track(1, 0.0, ("A",), "One")), 'say "hi".wav')
