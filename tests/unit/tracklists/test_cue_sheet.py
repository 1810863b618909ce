from __future__ import annotations

import math

import pytest

from tracktion.core.errors import CueSheetError
from tracktion.tracklists.cue_sheet import (
    FRAMES_PER_SECOND,
    MAX_TRACKS,
    CueFile,
    CueSheet,
    CueTrack,
    format_msf,
    frames_to_seconds,
    parse_msf,
    seconds_to_frames,
    snap_to_frame,
)


def test_constants_are_the_cd_ones() -> None:
    assert FRAMES_PER_SECOND == 75
    assert MAX_TRACKS == 99


@pytest.mark.parametrize(
    ("seconds", "frames"),
    [
        (0.0, 0),
        (1 / 75, 1),
        (0.0066, 0),  # 0.495 frame
        (0.0067, 1),  # 0.5025 frame
        (0.1, 8),  # 7.5 frames: halves round up, not to even
        (0.02, 2),  # 1.5 frames
        (0.0333, 2),  # 2.4975 frames
        (1.0, 75),
        (2184.0, 163_800),
        (6066 + 65 / 75, 455_015),
    ],
)
def test_seconds_round_to_the_nearest_frame(seconds: float, frames: int) -> None:
    assert seconds_to_frames(seconds) == frames


@pytest.mark.parametrize("bad", [-0.5, math.nan, math.inf])
def test_negative_or_non_finite_times_are_refused(bad: float) -> None:
    with pytest.raises(CueSheetError, match="finite number of seconds"):
        seconds_to_frames(bad)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "00:00:00"),
        (68.24, "01:08:18"),
        (556.6, "09:16:45"),
        (5999 + 74 / 75, "99:59:74"),
        (6000.0, "100:00:00"),
        (6066 + 65 / 75, "101:06:65"),
        (6816.0, "113:36:00"),
        (59.999, "01:00:00"),  # 74.925 frames round up into the next second
    ],
)
def test_format_msf_pads_and_lets_minutes_grow_past_99(seconds: float, text: str) -> None:
    assert format_msf(seconds) == text


@pytest.mark.parametrize(
    ("text", "frames"),
    [("00:00:00", 0), ("01:08:18", 5118), ("101:06:65", 455_015), ("1:2:3", 4653)],
)
def test_parse_msf(text: str, frames: int) -> None:
    assert parse_msf(text) == frames_to_seconds(frames)


@pytest.mark.parametrize("text", ["00:60:00", "00:00:75", "12:34", "ab:cd:ef", "-1:00:00", ""])
def test_parse_msf_refuses_what_is_not_mm_ss_ff(text: str) -> None:
    with pytest.raises(CueSheetError):
        parse_msf(text)


def test_every_frame_survives_format_and_parse() -> None:
    for frames in range(0, 75 * 60 * 140, 97):
        seconds = frames_to_seconds(frames)
        assert parse_msf(format_msf(seconds)) == seconds
        assert seconds_to_frames(seconds) == frames


def test_snap_to_frame() -> None:
    assert snap_to_frame(68.2345) == frames_to_seconds(5118)
    assert snap_to_frame(snap_to_frame(12.3456)) == snap_to_frame(12.3456)


def test_to_dict_keeps_the_contract_names() -> None:
    sheet = CueSheet(
        performer="DJ Pelmeni",
        title="Hafenkante Warehouse Session",
        files=(CueFile("mix01.mp3", "MP3"),),
        tracks=(
            CueTrack(1, "mix01.mp3", 0.0, performer="Ólöf Brandr", title="Velvet Avenue"),
            CueTrack(2, "mix01.mp3", 68.24, index00_s=60.0, title="Paper Drive"),
        ),
        rems={"GENRE": "DJ Mix", "DATE": "2024"},
    )

    data = sheet.to_dict()

    assert {"performer", "title", "files", "tracks"} <= data.keys()
    assert data["performer"] == "DJ Pelmeni"
    assert data["title"] == "Hafenkante Warehouse Session"
    assert data["files"] == [{"name": "mix01.mp3", "type": "MP3"}]
    assert data["rems"] == {"GENRE": "DJ Mix", "DATE": "2024"}
    contract = ("number", "file", "performer", "title", "index00_s", "index01_s")
    assert [{key: track[key] for key in contract} for track in data["tracks"]] == [
        {
            "number": 1,
            "file": "mix01.mp3",
            "performer": "Ólöf Brandr",
            "title": "Velvet Avenue",
            "index00_s": None,
            "index01_s": 0.0,
        },
        {
            "number": 2,
            "file": "mix01.mp3",
            "performer": None,
            "title": "Paper Drive",
            "index00_s": 60.0,
            "index01_s": 68.24,
        },
    ]


def test_equality_ignores_how_the_sheet_was_read() -> None:
    track = CueTrack(1, "a.wav", 0.0)
    read = CueSheet(tracks=(track,), warnings=("line 3: unknown command",), encoding="cp1252")
    assert read == CueSheet(tracks=(track,))
