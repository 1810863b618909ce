from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

import pytest

from tracktion.core.errors import TracklistError
from tracktion.core.tracklist import CuePrecision, EntryKind
from tracktion.tracklists.text_tracklist import parse_text_tracklist

if TYPE_CHECKING:
    from collections.abc import Callable


def test_numbered_bracketed_times_with_a_title_header(fixture_text: Callable[[str], str]) -> None:
    name = "text/1001tl-extractor-output-sebastien-leger-2021-07-04.txt"
    mix = parse_text_tracklist(fixture_text(name), source=name)

    assert mix.title.startswith("S\u00e9bastien L\u00e9ger @ The Moment Presents")
    assert (mix.djs, mix.date, mix.source, mix.source_kind) == (
        ("S\u00e9bastien L\u00e9ger",),
        "2021-07-04",
        name,
        "text",
    )
    assert len(mix.entries) == 14
    first, second = mix.entries[:2]
    assert (first.cue_s, first.artists, first.title) == (None, ("Budakid",), "Astray In Woodland")
    assert (second.cue_s, second.cue_precision) == (300.0, CuePrecision.EXACT)
    assert [e.position for e in mix.entries if e.kind is EntryKind.UNKNOWN] == [5, 9, 12, 13]
    alien = mix.entries[9]
    assert (alien.artists, alien.featured) == (("Cypherpunx", "Sian Evans"), ("Sian Evans",))
    assert (alien.cue_s, alien.title, alien.remix) == (
        3240.0,
        "Alien",
        "S\u00e9bastien L\u00e9ger Remix",
    )
    assert mix.entries[-1].cue_s == 4770.0


def test_two_cd_layout_numbering_restarts(fixture_text: Callable[[str], str]) -> None:
    mix = parse_text_tracklist(fixture_text("text/tracklist-searcher-numbered-timestamped-2cd.txt"))

    assert len(mix.entries) == 39
    assert [e.section for e in mix.entries].count("CD 1") == 18
    assert [e.section for e in mix.entries].count("CD 2") == 21
    spirit = mix.entries[18]
    assert (spirit.position, spirit.cue_s, spirit.artists, spirit.title) == (
        19,
        4734.0,
        ("Spirit Guide",),
        "The First Few Steps",
    )
    goldrush = mix.entries[16]
    assert goldrush.artists == ("Christian Smith", "Jean-Phillippe Aviance")
    assert (mix.entries[-1].cue_s, mix.entries[-1].cue_precision) == (8933.0, CuePrecision.EXACT)
    assert (mix.entries[37].title, mix.entries[37].artists) == ("4.50", ("Adam Beyer",))


def test_plain_artist_title_lines(fixture_text: Callable[[str], str]) -> None:
    mix = parse_text_tracklist(fixture_text("text/tracklist-searcher-plain-artist-title.txt"))

    assert len(mix.entries) == 17
    assert all(e.cue_precision is CuePrecision.UNKNOWN for e in mix.entries)
    assert (mix.entries[1].artists, mix.entries[1].title) == (("Y.S.",), "Magic Dome")
    assert (mix.entries[5].title, mix.entries[5].remix) == ("Entrance", "D. Angel Rmx")
    assert (mix.entries[15].artists, mix.entries[15].title) == (("F2",), "Dominica")


def test_discogs_paste_skips_credit_lines(fixture_text: Callable[[str], str]) -> None:
    mix = parse_text_tracklist(fixture_text("text/tracklist-searcher-discogs-copy-paste.txt"))

    assert len(mix.entries) == 18
    armani = mix.entries[1]
    assert (armani.artists, armani.title, armani.remix) == (
        ("Robert Armani",),
        "Circus Bells",
        "Hardfloor Remix",
    )
    assert mix.entries[-1].title == "Go To Sleep"
    assert all(e.section is None for e in mix.entries)


def test_youtube_licensing_block(fixture_text: Callable[[str], str]) -> None:
    mix = parse_text_tracklist(
        fixture_text("text/tracklist-searcher-youtube-music-licensing-block.txt")
    )

    assert len(mix.entries) == 10
    awb = mix.entries[1]
    assert (awb.artists, awb.title, awb.remix) == (("AWB",), "Kinetic Lullaby", "Pris Remix")
    assert (mix.entries[-1].artists, mix.entries[-1].title) == (("Jeroen Search",), "Steady Pulse")


def test_youtube_timestamps_with_album_sections(fixture_text: Callable[[str], str]) -> None:
    mix = parse_text_tracklist(fixture_text("text/youtube-touhou-cafe-timestamps.txt"))

    assert len(mix.entries) == 78
    first = mix.entries[0]
    assert (first.cue_s, first.cue_precision, first.title, first.section) == (
        0.0,
        CuePrecision.EXACT,
        "If the sky clears...",
        "Album 1",
    )
    cracker = mix.entries[14]
    assert (cracker.cue_s, cracker.title, cracker.section) == (
        3658.0,
        "Cracker Holidays",
        "Album 2",
    )
    assert (mix.entries[-1].cue_s, mix.entries[-1].section) == (19578.0, "Album 8")
    assert mix.entries[35].title == "Song time with you"


@pytest.mark.parametrize(
    ("name", "precision"),
    [("mix/mix01.1001tl.txt", CuePrecision.EXACT), ("mix/mix01.plain.txt", CuePrecision.UNKNOWN)],
)
def test_corpus_mix_texts_match_their_truth(
    fixture_text: Callable[[str], str], name: str, precision: CuePrecision
) -> None:
    truth = list(csv.DictReader(io.StringIO(fixture_text("mix/mix_truth.csv"))))
    mix = parse_text_tracklist(fixture_text(name))

    assert len(mix.entries) == 6
    for entry, row in zip(mix.entries, truth, strict=True):
        assert entry.display.replace(" & ", " feat. ") == f"{row['artist']} - {row['title']}"
        assert entry.cue_precision is precision
        if precision is CuePrecision.EXACT:
            minutes, seconds = row["tl1001_cue"].split(":")
            assert entry.cue_s == int(minutes) * 60 + int(seconds)


def test_corpus_1001_text_header_gives_title_dj_and_date(
    fixture_text: Callable[[str], str],
) -> None:
    mix = parse_text_tracklist(fixture_text("mix/mix01.1001tl.txt"))

    assert (mix.title, mix.djs, mix.date) == (
        "DJ Pelmeni @ Hafenkante Warehouse Session 2024-05-01",
        ("DJ Pelmeni",),
        "2024-05-01",
    )


@pytest.mark.parametrize(
    ("line", "cue_s"),
    [
        ("00:00 Artist - Title", 0.0),
        ("[01:02:03] Artist - Title", 3723.0),
        ("07. [00:05:00] Artist - Title", 300.0),
        ("12 - 01:00:16 - Artist - Title", 3616.0),
        ("3) 4:14 Artist - Title", 254.0),
        ("(12:34) Artist - Title", 754.0),
        ("12:34 | Artist - Title", 754.0),
        ("1:00:58 - Artist - Title", 3658.0),
    ],
)
def test_timestamp_styles(line: str, cue_s: float) -> None:
    entry = parse_text_tracklist(f"{line}\n{line}").entries[0]

    assert (entry.cue_s, entry.cue_precision, entry.artists, entry.title) == (
        cue_s,
        CuePrecision.EXACT,
        ("Artist",),
        "Title",
    )


def test_windows_line_endings_urls_and_headers_are_skipped() -> None:
    text = "My Mix\r\nTracklist:\r\n\r\n01. A - B\r\n02. C - D\r\nSource: https://example.org/x\r\n"

    mix = parse_text_tracklist(text)

    assert mix.title == "My Mix"
    assert [(e.artists, e.title) for e in mix.entries] == [(("A",), "B"), (("C",), "D")]


def test_text_without_tracks_raises() -> None:
    with pytest.raises(TracklistError, match="no line"):
        parse_text_tracklist("Hello\n\nthis is just a note\n=====\n")
