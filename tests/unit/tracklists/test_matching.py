"""Matching entries to library tracks: versions, featured artists, accents, typos, coverage."""

from datetime import UTC, datetime

import pytest

from tracktion.core.ids import TrackId
from tracktion.core.models import FileObservation, FileStat, Tags, Track, TrackStatus
from tracktion.core.tracklist import CuePrecision, EntryKind, Tracklist, TracklistEntry
from tracktion.tracklists.entry_text import parse_entry_text
from tracktion.tracklists.matching import (
    MATCH_THRESHOLD,
    EntryMatch,
    TrackText,
    best_match,
    coverage,
    score_track,
    track_text,
)

NOW = datetime(2024, 5, 1, tzinfo=UTC)


def entry(text: str, position: int = 1, cue_s: float | None = None) -> TracklistEntry:
    precision = CuePrecision.EXACT if cue_s is not None else CuePrecision.UNKNOWN
    return parse_entry_text(text).entry(position, cue_s=cue_s, cue_precision=precision)


def library(text: str, track_id: str = "t1") -> TrackText:
    parsed = parse_entry_text(text)
    return TrackText(track_id, parsed.artists, parsed.title, parsed.remix)


def score(row: str, track: str) -> float:
    return score_track(entry(row), library(track))[0]


def track(path: str, tags: Tags) -> Track:
    observation = FileObservation(FileStat(path, 1, 1, 1), None, tags=tags)
    return Track(TrackId("t1"), path, TrackStatus.OK, observation, NOW, NOW)


@pytest.mark.parametrize(
    ("row", "track_side"),
    [
        ("Ólöf Brandr - Night Garden", "ÓLÖF BRANDR - night garden (dj pelmeni remix)"),
        ("Ólöf Brandr - Night Garden (DJ Pelmeni Remix)", "Ólöf Brandr - Night Garden"),
        (
            "Ólöf Brandr - Night Garden (Bicep Remix)",
            "Ólöf Brandr - Night Garden (DJ Pelmeni Remix)",
        ),
        ("Ólöf Brandr - Night Garden (Original Mix)", "Ólöf Brandr - Night Garden (Live Edit)"),
    ],
)
def test_a_named_remix_never_matches_another_version(row: str, track_side: str) -> None:
    assert score(row, track_side) < MATCH_THRESHOLD


def test_the_same_remix_matches_whatever_the_case() -> None:
    row = "Olof Brandr - Night Garden (DJ Pelmeni Remix)"
    assert score(row, "ÓLÖF BRANDR - night garden (dj pelmeni remix)") == 100


@pytest.mark.parametrize(
    "track_side",
    [
        "Ólöf Brandr - Neon Drive",
        "Ólöf Brandr - Neon Drive (Extended Mix)",
        "Ólöf Brandr - Neon Drive (Radio Edit)",
    ],
)
def test_original_like_versions_match_each_other(track_side: str) -> None:
    assert score("Ólöf Brandr - Neon Drive (Original Mix)", track_side) >= MATCH_THRESHOLD + 10


def test_a_different_edit_scores_below_the_same_edit() -> None:
    same = score(
        "Ólöf Brandr - Neon Drive (Original Mix)", "Ólöf Brandr - Neon Drive (Original Mix)"
    )
    other = score(
        "Ólöf Brandr - Neon Drive (Original Mix)", "Ólöf Brandr - Neon Drive (Radio Edit)"
    )
    assert same > other


@pytest.mark.parametrize(
    ("row", "track_side"),
    [
        ("Hydrant Club - Velvet Orbit", "Hydrant Club feat. Bass Cartographer - Velvet Orbit"),
        ("Hydrant Club feat. Bass Cartographer - Velvet Orbit", "Hydrant Club - Velvet Orbit"),
        (
            "Hydrant Club - Velvet Orbit (feat. Bass Cartographer)",
            "Hydrant Club ft. Bass Cartographer - Velvet Orbit",
        ),
        ("Ólöf Brandr & Hydrant Club - Crystal Rain", "Hydrant Club & Ólöf Brandr - Crystal Rain"),
    ],
)
def test_featured_artists_and_artist_order_do_not_matter(row: str, track_side: str) -> None:
    assert score(row, track_side) >= 95


@pytest.mark.parametrize(
    ("row", "track_side"),
    [
        ("Ines Acai - Paper Drive", "Inês Açaí - Paper Drive"),
        ("MORK TAKE - DISTANT CIRCUIT", "Mørk Tåke - Distant Circuit"),
        ("Emilie Sorensen - Distant Lights", "Émilie Sørensen - Distant Lights"),
    ],
)
def test_case_and_accents_are_ignored(row: str, track_side: str) -> None:
    assert score(row, track_side) == 100


@pytest.mark.parametrize(
    ("row", "track_side"),
    [
        ("Olof Brnadr - Neon Drve (Original Mix)", "Ólöf Brandr - Neon Drive (Original Mix)"),
        ("Deep Feret - Frozen Orbitt", "Deep Ferret - Frozen Orbit"),
        ("Senor Casette - Crystal Drive", "Señor Cassette - Crystal Drive"),
    ],
)
def test_typos_still_match(row: str, track_side: str) -> None:
    assert MATCH_THRESHOLD <= score(row, track_side) < 100


@pytest.mark.parametrize(
    ("row", "track_side"),
    [
        ("Hydrant Club - Distant Rain", "Hydrant Club - Distant Lights"),
        ("Inês Açaí - Silent Tides", "Inês Açaí - Paper Drive"),
        ("Deep Ferret - Frozen Orbit", "Hydrant Club - Frozen Orbit"),
        ("Ólöf Brandr - Velvet Avenue", "Ólöf Brandr - Velvet Rain"),
    ],
)
def test_other_titles_and_other_artists_stay_below_the_threshold(row: str, track_side: str) -> None:
    assert score(row, track_side) < MATCH_THRESHOLD


def test_best_match_picks_the_right_track_among_versions() -> None:
    candidates = [
        library("Ólöf Brandr - Night Garden (DJ Pelmeni Remix)", "remix"),
        library("Ólöf Brandr - Night Garden (Original Mix)", "original"),
        library("Ólöf Brandr - Night Garden (Extended Mix)", "extended"),
    ]
    found = best_match(3, entry("Olof Brandr - Night Garden (Extended Mix)"), candidates)
    assert (found.ordinal, found.track_id, found.score) == (3, "extended", 100)
    remix = best_match(0, entry("Olof Brandr - Night Garden (DJ Pelmeni Remix)"), candidates)
    assert remix.track_id == "remix"


def test_below_threshold_keeps_the_score_but_no_track() -> None:
    found = best_match(
        0, entry("Hydrant Club - Distant Rain"), [library("Hydrant Club - Distant Lights")]
    )
    assert found.track_id is None
    assert found.score is not None
    assert found.score < MATCH_THRESHOLD
    assert "below threshold" in found.reason


@pytest.mark.parametrize("row", ["ID - ID", "Ólöf Brandr - ID"])
def test_unidentified_rows_are_not_matched(row: str) -> None:
    found = best_match(0, entry(row), [library("Ólöf Brandr - Neon Drive")])
    assert found == EntryMatch(0, None, None, "not identified")


def test_track_text_from_tags_or_else_from_the_file_name() -> None:
    tagged = track("/m/x.mp3", Tags(title="night garden (dj pelmeni remix)", artist="ÓLÖF BRANDR"))
    assert track_text(tagged) == TrackText(
        "t1", ("ÓLÖF BRANDR",), "night garden", "dj pelmeni remix"
    )
    named = track("/m/11 - Ólöf Brandr - Neon Drive (Original Mix).flac", Tags())
    assert track_text(named) == TrackText("t1", ("Ólöf Brandr",), "Neon Drive", "Original Mix")
    numbered = track("/m/03. Night Circuit.m4a", Tags(artist="Nova Koala"))
    assert track_text(numbered) == TrackText("t1", ("Nova Koala",), "Night Circuit", None)


def test_coverage_counts_identified_entries_and_matched_minutes() -> None:
    entries = (
        entry("A - One", 1, 0.0),
        entry("B - Two", 2, 60.0),
        TracklistEntry(position=2, kind=EntryKind.PLAYED_WITH, artists=("C",), title="Acapella"),
        entry("ID - ID", 3, 150.0),
        entry("D - Four", 4, 240.0),
    )
    mix = Tracklist(title="Mix", entries=entries, duration_s=300.0)
    matches = [
        EntryMatch(0, "t1", 100.0, "matched"),
        EntryMatch(1, None, 60.0, "below"),
        EntryMatch(2, "t9", 100.0, "matched"),
        EntryMatch(3, None, None, "not identified"),
        EntryMatch(4, "t4", 90.0, "matched"),
    ]
    found = coverage(mix, matches)
    assert (found.identified, found.matched) == (3, 2)
    assert found.ratio == pytest.approx(2 / 3)
    assert (found.matched_s, found.timed_s) == (60.0 + 60.0, 300.0)


def test_coverage_without_cues_has_no_minutes() -> None:
    mix = Tracklist(title="Mix", entries=(entry("A - One"), entry("B - Two", 2)))
    found = coverage(mix, [EntryMatch(0, "t1", 100.0, "matched"), EntryMatch(1, None, None, "x")])
    assert (found.identified, found.matched, found.matched_s, found.timed_s) == (2, 1, None, None)
    assert found.to_dict()["ratio"] == 0.5
