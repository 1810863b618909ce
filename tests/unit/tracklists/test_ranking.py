"""Ranking of search candidates: tiers (exact, prefix, word prefix, fuzzy) and order."""

import pytest

from tracktion.core.search import SearchHit, SearchKind
from tracktion.tracklists.ranking import (
    MIN_SCORE,
    field_score,
    normalise,
    rank,
    track_score,
    tracklist_score,
)


def test_normalise_folds_case_accents_and_punctuation() -> None:
    assert normalise("  Beyoncé!  Live (Remix) ") == "beyonce live remix"
    assert normalise("ÓLÖF Brandr") == "olof brandr"
    assert normalise(None) == ""
    assert normalise("?!") == ""


def test_exact_beats_prefix_beats_word_prefix_beats_typo() -> None:
    exact = field_score("daft punk", "daft punk")
    prefix = field_score("daft", "daft punk")
    word_prefix = field_score("punk daft", "daft punk")
    typo = field_score("daft pank", "daft punk")

    assert exact == 100.0
    assert 90.0 <= prefix < 100.0
    assert 80.0 <= word_prefix < 90.0
    assert 75.0 <= typo < word_prefix
    assert field_score("zzqx", "daft punk") < MIN_SCORE


def test_a_longer_prefix_scores_higher() -> None:
    assert field_score("daft p", "daft punk") > field_score("daft", "daft punk")
    assert field_score("da", "daft punk") > field_score("da", "daft lizard")


@pytest.mark.parametrize(
    ("typo", "right", "wrong"),
    [
        ("daft pank", "daft punk", "dark punks"),
        ("aphex twn", "aphex twin", "aphex"),
        ("boards of canda", "boards of canada", "board of directors"),
    ],
)
def test_one_edit_typos_prefer_the_closest_name(typo: str, right: str, wrong: str) -> None:
    assert field_score(typo, right) > field_score(typo, wrong)


def test_track_and_tracklist_scores_use_their_best_field() -> None:
    assert track_score("da funk", "Daft Punk", "Da Funk", "Homework") == 100.0
    assert track_score("daft punk da funk", "Daft Punk", "Da Funk", None) == 100.0
    assert track_score("homework", "Daft Punk", "Da Funk", "Homework") == 90.0
    assert tracklist_score("carl cox", "Live at Space", ["Carl Cox"]) == 95.0
    assert tracklist_score("live at space", "Live at Space", ["Carl Cox"]) == 100.0


def hit(kind: SearchKind, label: str, score: float, **fields: object) -> SearchHit:
    return SearchHit(kind, label, label, score, dict(fields))


def test_rank_orders_by_score_kind_track_count_label_and_drops_weak_hits() -> None:
    hits = [
        hit(SearchKind.TRACK, "b track", 90.0),
        hit(SearchKind.TRACKLIST, "a mix", 90.0),
        hit(SearchKind.ARTIST, "Small", 90.0, track_count=1),
        hit(SearchKind.ARTIST, "Big", 90.0, track_count=9),
        hit(SearchKind.TRACK, "a track", 90.0),
        hit(SearchKind.TRACK, "best", 100.0),
        hit(SearchKind.TRACK, "weak", MIN_SCORE - 1),
    ]

    ranked = rank(hits, 10)

    assert [h.label for h in ranked] == ["best", "Big", "Small", "a track", "b track", "a mix"]
    assert [h.label for h in rank(hits, 2)] == ["best", "Big"]
