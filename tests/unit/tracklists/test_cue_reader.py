"""The reader on every real CUE sheet in tests/fixtures/cue (see its SOURCES.md)."""

# Cyrillic look-alike letters are the point of the cp1251/UTF-8 Cyrillic fixtures.
# ruff: noqa: RUF001

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tracktion.core.errors import CueSheetError
from tracktion.tracklists.cue_reader import decode_cue_text, parse_cue
from tracktion.tracklists.cue_writer import render_cue

if TYPE_CHECKING:
    from tracktion.tracklists.cue_sheet import CueSheet

CUE_FIXTURES = Path(__file__).parents[2] / "fixtures" / "cue"
ALL_CUES = sorted(path.relative_to(CUE_FIXTURES).as_posix() for path in CUE_FIXTURES.rglob("*.cue"))
AQUALUNG = [name for name in ALL_CUES if name.startswith("cuesheetnet/encoding-")]


def t(minutes: int, seconds: int, frames: int) -> float:
    """An ``mm:ss:ff`` time in seconds, computed independently of the code under test."""
    return ((minutes * 60 + seconds) * 75 + frames) / 75


def read(name: str) -> CueSheet:
    return parse_cue((CUE_FIXTURES / name).read_bytes(), name=name)


def test_every_fixture_is_found() -> None:
    assert len(ALL_CUES) == 38


@pytest.mark.parametrize("name", ALL_CUES)
def test_every_real_sheet_parses_and_round_trips(name: str) -> None:
    sheet = read(name)

    assert sheet.tracks
    assert all(track.file in {cue_file.name for cue_file in sheet.files} for track in sheet.tracks)
    assert parse_cue(render_cue(sheet)) == sheet
    assert parse_cue(render_cue(sheet, bom=True, crlf=True)) == sheet


@pytest.mark.parametrize("name", AQUALUNG)
def test_one_sheet_in_eleven_encodings_reads_the_same(name: str) -> None:
    sheet = read(name)

    assert sheet == read("cuesheetnet/encoding-utf-8.cue")
    assert sheet.performer == "Jethro Tull"
    assert sheet.title == "Aqualung"
    assert sheet.rems == {"DATE": "1971", "DISCID": "970A2F0B", "COMMENT": "ExactAudioCopy v1.6"}
    assert len(sheet.tracks) == 11
    assert sheet.tracks[4].title == "Wond\u2019ring Aloud"
    assert (sheet.tracks[1].index00_s, sheet.tracks[1].index01_s) == (t(6, 32, 18), t(6, 33, 43))
    assert sheet.tracks[9].index01_s == t(32, 53, 73)


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("cuesheetnet/encoding-1252.cue", "cp1252"),
        ("cuesheetnet/encoding-utf-8.cue", "utf-8"),
        ("cuesheetnet/encoding-utf-8-bom.cue", "utf-8-sig"),
        ("cuesheetnet/encoding-utf-16-le.cue", "utf-16-le"),
        ("cuesheetnet/encoding-utf-16-le-bom.cue", "utf-16-le"),
        ("cuesheetnet/encoding-utf-16-be.cue", "utf-16-be"),
        ("cuesheetnet/encoding-utf-16-be-bom.cue", "utf-16-be"),
        ("cuesheetnet/encoding-utf-32-le.cue", "utf-32-le"),
        ("cuesheetnet/encoding-utf-32-le-bom.cue", "utf-32-le"),
        ("cuesheetnet/encoding-utf-32-be.cue", "utf-32-be"),
        ("cuesheetnet/encoding-utf-32-be-bom.cue", "utf-32-be"),
        ("deflacue/vys2.cp1251-cyrillic-multifile.cue", "cp1251"),
        ("deflacue/vys1.utf8-cyrillic.cue", "utf-8"),
    ],
)
def test_encoding_is_detected(name: str, encoding: str) -> None:
    assert read(name).encoding == encoding


def test_cp1251_cyrillic_multi_file_sheet() -> None:
    sheet = read("deflacue/vys2.cp1251-cyrillic-multifile.cue")

    assert sheet.performer == "В. С. Высоцкий"
    assert sheet.title == "Пять песен"
    assert sheet.rems == {"GENRE": "Classic", "DATE": "2020", "COMMENT": "Dumped"}
    assert [f.name for f in sheet.files] == ["01. Сторона А.flac", "02. Сторона В.flac"]
    assert [track.title for track in sheet.tracks[:2]] == [
        "01. Песня о погибшем лётчике",
        "02. Дом Хрустальный",
    ]
    assert sheet.tracks[1].index01_s == t(4, 55, 6)
    assert (sheet.tracks[2].file, sheet.tracks[2].index01_s) == ("02. Сторона В.flac", 0.0)
    assert sheet.tracks[4].index01_s == t(4, 14, 7)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "cp1251", "utf-8"])
def test_cyrillic_text_in_other_encodings_without_bom(codec: str) -> None:
    original = read("deflacue/vys1.utf8-cyrillic.cue")
    text = (CUE_FIXTURES / "deflacue/vys1.utf8-cyrillic.cue").read_text(encoding="utf-8")

    sheet = parse_cue(text.encode(codec))

    assert sheet == original
    assert sheet.performer == "Владимир Высоцкий"
    assert sheet.tracks[2].title == "Надежда"
    assert sheet.tracks[2].index01_s == t(5, 47, 38)


@pytest.mark.parametrize("newline", [b"\r", b"\n", b"\r\n"])
def test_line_ends(newline: bytes) -> None:
    data = (CUE_FIXTURES / "whipper/kings-separate.cue").read_bytes().replace(b"\r\n", newline)

    sheet = parse_cue(data)

    assert len(sheet.tracks) == 11
    assert sheet.tracks[2].title == "Sex On Fire"
    assert (
        sheet.tracks[2].file == "Kings of Leon - Only By the Night\\Kings of Leon - Sex On Fire.wav"
    )


def test_cr_only_minimal_foobar_sheet_with_a_bare_frame_count() -> None:
    sheet = read("cuesheetnet/minimal-foobar-cr-only.cue")

    assert sheet.files[0].name == "A"
    assert sheet.files[0].type == "WAVE"
    assert [(track.number, track.index01_s) for track in sheet.tracks] == [(1, 99 / 75)]


def test_rekordbox_hh_mm_ss_indexes_are_detected_and_converted() -> None:
    sheet = read("rekordbox-recording-tnnr-2024-05-05.hhmmss-index.cue")

    assert "INDEX times read as hh:mm:ss (rekordbox's dialect)" in sheet.warnings
    assert sheet.performer == "TNNR"
    assert sheet.rems["RECORDED_BY"] == "rekordbox-dj"
    assert sheet.files == (sheet.files[0],)
    assert sheet.files[0].name == "01 REC-2024-05-05.wav"
    assert len(sheet.tracks) == 13
    assert {track.file for track in sheet.tracks} == {"01 REC-2024-05-05.wav"}
    assert sheet.tracks[1].index01_s == 2 * 60 + 45
    assert sheet.tracks[12].index01_s == 2184.0  # 00:36:24
    assert sheet.tracks[7].title == "Die Gladiator [Rebelión Extended RMX]"
    assert sheet.tracks[1].rems["SOURCE_FILE"].endswith("levitate_(extended_mix).mp3")
    assert parse_cue(render_cue(sheet)).tracks[12].index01_s == 2184.0


def test_index_format_can_be_forced() -> None:
    data = (CUE_FIXTURES / "rekordbox-recording-tnnr-2024-05-05.hhmmss-index.cue").read_bytes()

    assert parse_cue(data, index_format="msf").tracks[12].index01_s == t(0, 36, 24)
    assert parse_cue(data, index_format="hms").tracks[12].index01_s == 2184.0


@pytest.mark.parametrize(
    "name",
    ["whipper/track-single.cue", "whipper/kings-single.cue", "cuesheetnet/spandau-ballet-true.cue"],
)
def test_short_or_standard_sheets_are_not_taken_for_hh_mm_ss(name: str) -> None:
    assert not any("hh:mm:ss" in warning for warning in read(name).warnings)


def test_dj_mixes_with_minutes_past_99_and_a_bom() -> None:
    sheet = read("audiocuesheeteditor/djfreezet-rautemusik-2020-10-04.bug30.bom.cue")

    assert sheet.encoding == "utf-8-sig"
    assert sheet.performer == "DJ FreezeT"
    assert sheet.files[0].type == "MP3"
    assert len(sheet.tracks) == 22
    assert sheet.tracks[2].performer == "Ben Böhmer"
    assert sheet.tracks[19].index01_s == t(104, 18, 0)
    assert sheet.tracks[21].index01_s == 113 * 60 + 36


def test_frames_in_a_dj_mix() -> None:
    sheet = read("audiocuesheeteditor/djfreezet-rabbit-hole-mix-april-2021.issue36-frames.cue")

    assert sheet.title == "Rabbit Hole Mix April 2021"
    assert sheet.tracks[0].index01_s == 10.0
    assert sheet.tracks[2].title == "Imagination (Yotto Extended Remix)"
    assert sheet.tracks[2].performer == "Tora & Cassian"
    assert sheet.tracks[2].index01_s == t(9, 15, 45)


def test_1001tracklists_splitter_sheet() -> None:
    sheet = read("1001tl-splitter-mat-zo-abgt500-2022-10-15.cue")

    assert sheet.performer is None
    assert sheet.files[0].name.endswith("2022-10-15.opus")
    assert sheet.rems["COMMENT"] == sheet.files[0].name
    assert (sheet.tracks[0].performer, sheet.tracks[0].title) == (
        "Mat Zo ft. GQ",
        "The Next Chapter",
    )
    assert (sheet.tracks[5].performer, sheet.tracks[5].title) == (
        "Meshuggah",
        "Bleed (Mat Zo Remix)",
    )
    assert sheet.tracks[6].title == "ID"
    assert [track.index01_s for track in sheet.tracks][-2:] == [3000.0, 3300.0]


def test_synthetic_mix_reference_sheet() -> None:
    sheet = read("mix01.truth.cue")

    assert (sheet.performer, sheet.title) == ("DJ Pelmeni", "Hafenkante Warehouse Session")
    assert sheet.rems == {"GENRE": "DJ Mix", "DATE": "2024"}
    assert sheet.files[0].type == "MP3"
    assert sheet.tracks[0].performer == "Mørk Tåke feat. Linnea Ångström"
    assert sheet.tracks[4].performer == "夜光ループ"
    assert [track.index01_s for track in sheet.tracks] == [
        0.0,
        t(1, 8, 18),
        t(2, 7, 52),
        t(3, 2, 63),
        t(4, 3, 17),
        t(5, 3, 56),
    ]


def test_eac_noncompliant_gap_sits_in_the_previous_file() -> None:
    sheet = read("whipper/surferrosa.eac.noncompliant.cue")
    prefix = "Pixies - Surfer Rosa & Come on Pilgrim\\"

    assert len(sheet.files) == 21
    assert len(sheet.tracks) == 21
    assert sheet.tracks[0].pregap_s == t(0, 0, 32)
    gap = sheet.tracks[2]
    assert gap.title == "Something Against You"
    assert gap.index00_s == t(2, 5, 0)
    assert gap.index00_file == prefix + "02 - Pixies - Break My Body.wav"
    assert (gap.file, gap.index01_s) == (prefix + "03 - Pixies - Something Against You.wav", 0.0)


def test_eac_corrected_gap_sits_in_the_track_file() -> None:
    sheet = read("whipper/surferrosa.eac.corrected.cue")

    assert (sheet.tracks[2].index00_s, sheet.tracks[2].index01_s) == (0.0, t(0, 0, 45))
    assert sheet.tracks[2].index00_file is None


def test_eac_gaps_left_out_become_pregaps() -> None:
    sheet = read("whipper/surferrosa.eac.leftout.cue")

    assert all(track.index00_s is None for track in sheet.tracks)
    assert sheet.tracks[2].pregap_s == t(0, 0, 45)


def test_single_file_image_with_pregaps() -> None:
    sheet = read("whipper/surferrosa.eac.single.cue")

    assert sheet.catalog == "0000000000000"
    assert [f.name for f in sheet.files] == ["Range.wav"]
    assert (sheet.tracks[0].index00_s, sheet.tracks[0].index01_s) == (0.0, t(0, 0, 32))
    assert (sheet.tracks[2].index00_s, sheet.tracks[2].index01_s) == (t(5, 8, 42), t(5, 9, 12))
    assert sheet.tracks[1].index00_s is None


def test_whipper_rips() -> None:
    bloc = read("whipper/bloc.cue")
    breeders = read("whipper/breeders.cue")
    cure = read("whipper/cure.cue")

    assert bloc.rems == {"DISCID": "AD0BE00D", "COMMENT": "whipper 0.5.1"}
    assert bloc.tracks[0].pregap_s == t(3, 22, 70)
    assert (bloc.tracks[4].index00_s, bloc.tracks[4].index01_s) == (t(15, 18, 0), t(15, 18, 72))
    assert breeders.catalog == "0652637280326"
    assert (breeders.tracks[1].title, breeders.tracks[1].isrc) == ("BANG ON", "GBAFL0700214")
    assert breeders.tracks[1].index00_s == t(2, 14, 51)
    assert len(cure.tracks) == 13
    assert cure.tracks[12].isrc == "USUM70839885"
    assert (cure.tracks[12].index00_s, cure.tracks[12].index01_s) == (t(48, 35, 63), t(48, 36, 71))


def test_eac_file_per_track_with_a_data_track_missing_its_index() -> None:
    sheet = read("whipper/kanye.cue")

    assert sheet.rems["GENRE"] == "Hip Hop"
    assert len(sheet.tracks) == 12
    assert "line 85: TRACK 13 has no INDEX 01: left out" in sheet.warnings
    heartless = sheet.tracks[2]
    assert heartless.title == "Heartless"
    assert heartless.index00_s == t(4, 22, 70)
    assert heartless.index00_file is not None
    assert heartless.index00_file.endswith("Welcome To Heartbreak (Feat. Kid Cudi).wav")
    assert heartless.file.endswith("Kanye West - Heartless.wav")


def test_flags_pregap_and_replaygain_rems() -> None:
    strokes = read("whipper/strokes-someday.eac.cue")
    billy = read("go-cuesheet/billy-joel-cold-spring-harbor.replaygain.cue")

    assert strokes.tracks[0].flags == ("DCP",)
    assert strokes.tracks[0].pregap_s == t(0, 0, 1)
    assert billy.rems["REPLAYGAIN_ALBUM_GAIN"] == "-7.11 dB"
    assert billy.rems["DATE"] == "2011"
    assert billy.tracks[0].title == "She's Got A Way"
    assert billy.tracks[0].isrc == "USSM11100711"
    assert billy.tracks[0].rems == {
        "REPLAYGAIN_TRACK_GAIN": "-6.37 dB",
        "REPLAYGAIN_TRACK_PEAK": "0.977173",
    }
    assert len(billy.files) == len(billy.tracks) == 10


def test_other_multi_file_sheets() -> None:
    journey = read("go-cuesheet/eac-various-journey-through-the-past.multifile.cue")
    kings = read("whipper/kings-separate.cue")
    separate = read("whipper/track-separate.cue")
    single = read("whipper/track-single.cue")

    assert journey.tracks[0].title == "For What's It Worth/Mr. Soul"
    assert journey.tracks[0].performer == "Buffalo Springfield"
    assert journey.files[0].name.endswith("\\01 - For What's It Worth,Mr. Soul.wav")
    assert journey.rems["GENRE"] == "Soundtrack"
    assert len(kings.files) == len(kings.tracks) == 11
    assert [f.name for f in separate.files] == ["track.flac"] * 4
    assert [track.index01_s for track in separate.tracks] == [0.0] * 4
    assert [track.index01_s for track in single.tracks] == [0.0, 2 / 75, 4 / 75, 6 / 75]


def test_binary_game_disc_with_97_files() -> None:
    sheet = read("cuesheetnet/redump-97-track-binary-long.cue")

    assert len(sheet.files) == len(sheet.tracks) == 97
    assert {f.type for f in sheet.files} == {"BINARY"}
    assert sheet.tracks[0].mode == "MODE2/2352"
    assert sheet.files[0].name.startswith("Sabrina l'Apprentie Sorciere")
    assert (sheet.tracks[1].index00_s, sheet.tracks[1].index01_s) == (0.0, 2.0)


def test_mojibake_is_read_as_the_utf8_it_is() -> None:
    sheet = read("go-cuesheet/mojibake-test.cue")

    assert sheet.encoding == "utf-8"
    assert sheet.rems["GENRE"] == "Rock & Roll"
    assert sheet.performer is not None
    assert sheet.performer.startswith("Р")
    assert sheet.tracks[1].index00_s == t(3, 35, 23)


def test_unknown_commands_are_listed_and_skipped() -> None:
    data = b'ARRANGER "x"\nFILE "a.wav" WAVE\nTRACK 01 AUDIO\n  MESSAGE hi\n  INDEX 01 00:00:00\n'

    sheet = parse_cue(data)

    assert len(sheet.tracks) == 1
    assert sheet.warnings == (
        "line 1: unknown command 'ARRANGER' ignored",
        "line 4: unknown command 'MESSAGE' ignored",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no TRACK"),
        (b"\x00\xff\x10garbage\n", "no TRACK"),
        (b'TITLE "x"\nTRACK 01 AUDIO\n', "line 2: TRACK before any FILE: 'TRACK 01 AUDIO'"),
        (b'FILE "a" WAVE\nINDEX 01 00:00:00\n', "line 2: INDEX outside a TRACK"),
        (b'FILE "a" WAVE\nTRACK xx AUDIO\n', "line 2: TRACK without a number"),
        (b'FILE "a" WAVE\nTRACK 1 AUDIO\nINDEX 01 00:61:00\n', "line 3: time out of range"),
        (b'FILE "a" WAVE\nTRACK 1 AUDIO\nINDEX 01 00:00:75\n', "line 3: time out of range"),
        (b'FILE "a" WAVE\nTRACK 1 AUDIO\nINDEX 01 soon\n', "line 3: not a time .*'INDEX 01 soon'"),
        (b'FILE "a" WAVE\nTRACK 1 AUDIO\nINDEX 01\n', "line 3: INDEX needs a number"),
        (b'FILE "a" WAVE\nTRACK 1 AUDIO\nTITLE "no index"\n', "no TRACK with an INDEX 01"),
        (b"FILE\n", "line 1: FILE without a name"),
    ],
)
def test_broken_input_names_the_line(data: bytes, message: str) -> None:
    with pytest.raises(CueSheetError, match=message):
        parse_cue(data, name="broken.cue")


def test_error_messages_start_with_the_file_name() -> None:
    with pytest.raises(CueSheetError, match=r"^broken\.cue: line 2: "):
        parse_cue(b'FILE "a" WAVE\nINDEX 01 00:00:00\n', name="broken.cue")


def test_decode_cue_text_prefers_cp1252_for_western_legacy_bytes() -> None:
    text, encoding = decode_cue_text('TITLE "Café Ŕ"'.encode("cp1250"))
    assert encoding != "utf-8"
    assert text.startswith('TITLE "Caf')

    text, encoding = decode_cue_text((CUE_FIXTURES / "cuesheetnet/encoding-1252.cue").read_bytes())
    assert (encoding, "Wond\u2019ring" in text) == ("cp1252", True)
