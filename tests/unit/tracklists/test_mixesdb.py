from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

import pytest

from tracktion.core.errors import TracklistError
from tracktion.core.tracklist import CuePrecision, EntryKind
from tracktion.tracklists.mixesdb import (
    api_params,
    page_title_from_url,
    parse_mixesdb,
    wikitext_from_api,
)

if TYPE_CHECKING:
    from collections.abc import Callable

CHARIS = "mixesdb/2025-12-21_Charis_The_Sphere_Chair.hash-format.wikitext"
DESUS = "mixesdb/2025-10-05_dESUS_Apjok_Csaba_Thee_pHactory_042.both-formats.wikitext"


def test_hash_format_page(fixture_text: Callable[[str], str]) -> None:
    mix = parse_mixesdb(fixture_text(CHARIS))

    assert mix.title == "Charis - The Sph\u00e8re Chair"
    assert (mix.djs, mix.date, mix.source_kind) == (("Charis",), "2025-12-21", "mixesdb")
    assert mix.duration_s == 5022.0
    assert len(mix.entries) == 17
    dwig, honne, cecile = mix.entries[:3]
    assert (dwig.cue_s, dwig.cue_precision, dwig.artists, dwig.title, dwig.label) == (
        0.0,
        CuePrecision.MINUTE,
        ("DWIG",),
        "You",
        "Giegling",
    )
    assert (honne.cue_s, honne.cue_precision) == (0.0, CuePrecision.PARTIAL)
    assert (cecile.cue_s, cecile.title, cecile.label) == (480.0, "Cecile", "Scissor And Thread")
    assert cecile.artists == ("Frank", "Tony", "Eliana Glass")
    assert cecile.featured == ("Eliana Glass",)
    soft = mix.entries[4]
    assert (soft.cue_s, soft.cue_precision, soft.title) == (
        None,
        CuePrecision.UNKNOWN,
        "Night Drive",
    )
    assert mix.entries[7].artists == ("Sirko M\u00fcller",)
    assert (mix.entries[-1].cue_s, mix.entries[-1].title) == (4680.0, "Untitled 9")


def test_dj_headings_become_sections(fixture_text: Callable[[str], str]) -> None:
    mix = parse_mixesdb(fixture_text(DESUS))

    assert mix.djs == ("dESUS", "Apjok Csaba")
    assert mix.date == "2025-10-05"
    assert mix.title == "dESUS, Apjok Csaba - Thee pHactory 042, Radio Buena Vida"
    assert len(mix.entries) == 7
    assert {e.section for e in mix.entries} == {"dESUS"}
    assert (mix.entries[0].title, mix.entries[0].artists) == ("Intro", ())
    toki = mix.entries[1]
    assert (toki.title, toki.remix, toki.label) == (
        "Dub Tales",
        "Retouched Mix Digital Bonus",
        "Ivano Tetelepta",
    )
    assert all(e.cue_precision is CuePrecision.UNKNOWN for e in mix.entries)


def test_page_title_wins_over_the_image_name(fixture_text: Callable[[str], str]) -> None:
    mix = parse_mixesdb(fixture_text(DESUS), page_title="2025-10-05 - dESUS - Thee pHactory 042")

    assert (mix.title, mix.djs, mix.date) == ("dESUS - Thee pHactory 042", ("dESUS",), "2025-10-05")


def test_three_digit_minute_cues_and_catalog_numbers(fixture_text: Callable[[str], str]) -> None:
    mix = parse_mixesdb(fixture_text("mixesdb/tracklist-searcher-mixesdb-3digit-minute-cues.txt"))

    assert len(mix.entries) == 36
    assert (mix.entries[0].cue_s, mix.entries[0].cue_precision) == (0.0, CuePrecision.MINUTE)
    assert (mix.entries[1].cue_s, mix.entries[1].cue_precision) == (0.0, CuePrecision.PARTIAL)
    avni = mix.entries[15]
    assert (avni.cue_s, avni.remix, avni.label, avni.catalog_number) == (
        2580.0,
        "Sterac Remix",
        "Ovum",
        "OVM-259",
    )
    voorn = mix.entries[24]
    assert (voorn.label, voorn.catalog_number) == ("Big & Dirty", "BADRD 037")
    assert (mix.entries[33].cue_s, mix.entries[33].cue_precision) == (6780.0, CuePrecision.MINUTE)
    assert (mix.entries[34].cue_s, mix.entries[34].cue_precision) == (6600.0, CuePrecision.PARTIAL)


def test_question_mark_lines_are_unknown_tracks(fixture_text: Callable[[str], str]) -> None:
    mix = parse_mixesdb(fixture_text("mixesdb/tracklist-searcher-mixesdb-untimed.txt"))

    assert len(mix.entries) == 14
    assert [e.position for e in mix.entries if e.kind is EntryKind.UNKNOWN] == [1, 7, 9]
    assert (mix.entries[7].title, mix.entries[7].remix) == (
        "Windows On The World",
        "Moving Day Dub",
    )


def _example(
    fixture_text: Callable[[str], str], number: int, part: str = "Expected result:"
) -> str:
    examples = fixture_text("mixesdb/userscripts-tracklist-merger-examples.txt").split(
        "== Example =="
    )
    block = examples[number]
    return block.split(part, 1)[1].split("\n\n\n")[0].split("Candidate:")[0]


def test_part_headings_and_bold_notes(fixture_text: Callable[[str], str]) -> None:
    mix = parse_mixesdb(_example(fixture_text, 2))

    assert len(mix.entries) == 17
    assert [e.section for e in mix.entries].count("Part 1") == 7
    assert mix.entries[7].section == "Part 2"
    khabiar = mix.entries[10]
    assert (khabiar.cue_s, khabiar.cue_precision, khabiar.title) == (
        1800.0,
        CuePrecision.PARTIAL,
        "Ok, I'm Here",
    )
    rewind = mix.entries[-1]
    assert (rewind.note, rewind.artists) == ("Rewind 2\u20261999", ("Steve Morley",))
    assert rewind.remix == "DJ JamX & De Leon's Dumonde Remix"
    assert (rewind.cue_s, rewind.cue_precision) == (None, CuePrecision.UNKNOWN)


def test_italic_rows_are_unconfirmed(fixture_text: Callable[[str], str]) -> None:
    mix = parse_mixesdb(_example(fixture_text, 6))

    assert len(mix.entries) == 18
    linear = mix.entries[15]
    assert linear.unconfirmed
    assert (linear.kind, linear.artists, linear.title, linear.label) == (
        EntryKind.UNKNOWN,
        ("Linear System",),
        None,
        "Unreleased",
    )
    assert sum(e.unconfirmed for e in mix.entries) == 1


def test_gaps_leave_a_note_and_no_entry(fixture_text: Callable[[str], str]) -> None:
    mix = parse_mixesdb(_example(fixture_text, 7))

    assert [e.cue_s for e in mix.entries] == [
        0.0,
        600.0,
        1320.0,
        1620.0,
        2220.0,
        2400.0,
        2580.0,
        4320.0,
        4680.0,
        4800.0,
        5160.0,
        5580.0,
        5820.0,
        7020.0,
    ]
    assert [e.position for e in mix.entries if e.kind is EntryKind.UNKNOWN] == [7, 11]
    assert mix.entries[1].note == "tracks missing before this one (...)"
    assert mix.entries[0].note is None


def test_corpus_mix_matches_its_truth(fixture_text: Callable[[str], str]) -> None:
    truth = list(csv.DictReader(io.StringIO(fixture_text("mix/mix_truth.csv"))))
    mix = parse_mixesdb(fixture_text("mix/mix01.mixesdb.wikitext"))

    assert (mix.title, mix.djs, mix.date, mix.duration_s) == (
        "DJ Pelmeni - Hafenkante Warehouse Session",
        ("DJ Pelmeni",),
        "2024-05-01",
        368.0,
    )
    assert len(mix.entries) == len(truth) == 6
    for entry, row in zip(mix.entries, truth, strict=True):
        assert entry.position == int(row["position"])
        assert (entry.cue_s, entry.cue_precision) == (
            int(row["mixesdb_cue"]) * 60.0,
            CuePrecision.MINUTE,
        )
        assert entry.display.replace(" & ", " feat. ") == f"{row['artist']} - {row['title']}"
        assert entry.label == (row["label"] or None)


def test_wiki_markup_in_rows_is_removed() -> None:
    text = (
        "== Tracklist ==\n"
        "# [1:02:03] [[Surgeon]] - [[Klonk|Klonk Part 2]] <!-- checked --> {{Tip}}\n"
        "# [12:34] [[Artist Page|Shown Name]] - Title (Edit [Label - CAT 1]\n"
        "# [[[x]] (( - ]] ''\n"
        "== Links ==\n"
        "# not a track\n"
    )

    mix = parse_mixesdb(text)

    assert len(mix.entries) == 3
    surgeon, shown, garbage = mix.entries
    assert (surgeon.cue_s, surgeon.cue_precision, surgeon.artists, surgeon.title) == (
        3723.0,
        CuePrecision.EXACT,
        ("Surgeon",),
        "Klonk Part 2",
    )
    assert (shown.cue_s, shown.artists, shown.label, shown.catalog_number) == (
        754.0,
        ("Shown Name",),
        "Label",
        "CAT 1",
    )
    assert garbage.position == 3


def test_page_without_tracklist_heading_skips_image_and_category_links() -> None:
    text = "[[File:2024-05-01 - DJ A - Show.jpg|right]]\n# [00] A - B\n[[Category:DJ A - Live]]\n"

    mix = parse_mixesdb(text)

    assert [(e.artists, e.title) for e in mix.entries] == [(("A",), "B")]
    assert (mix.title, mix.djs, mix.date) == ("DJ A - Show", ("DJ A",), "2024-05-01")


def test_list_blocks_hold_rows() -> None:
    text = (
        "== Tracklist ==\n<list>\n[00] A - B\n...\n[10] C - D [E]\n</list>\n<list>\n--\n</list>\n"
    )

    mix = parse_mixesdb(text)

    assert [(e.cue_s, e.title) for e in mix.entries] == [(0.0, "B"), (600.0, "D")]


def test_page_without_tracklist_rows_raises() -> None:
    with pytest.raises(TracklistError, match="no tracklist rows"):
        parse_mixesdb("== Tracklist ==\n<list>\n--\n</list>\n[[Category:2025]]")


def test_api_params_for_parse_and_query() -> None:
    assert api_params("2025-10-05 - dESUS - Show") == {
        "action": "parse",
        "page": "2025-10-05 - dESUS - Show",
        "prop": "wikitext",
        "redirects": "1",
        "format": "json",
        "formatversion": "2",
    }
    query = api_params("X", action="query")
    assert (query["action"], query["prop"], query["titles"], query["format"]) == (
        "query",
        "revisions",
        "X",
        "json",
    )
    with pytest.raises(ValueError, match="unknown MediaWiki action"):
        api_params("X", action="edit")


@pytest.mark.parametrize(
    "answer",
    [
        {"parse": {"title": "T", "pageid": 1, "wikitext": "# A - B"}},
        {"parse": {"title": "T", "wikitext": {"*": "# A - B"}}},
        {
            "query": {
                "pages": [
                    {"title": "T", "revisions": [{"slots": {"main": {"content": "# A - B"}}}]}
                ]
            }
        },
        {"query": {"pages": {"12": {"title": "T", "revisions": [{"*": "# A - B"}]}}}},
    ],
)
def test_wikitext_from_every_answer_shape(answer: dict[str, object]) -> None:
    assert tuple(wikitext_from_api(answer)) == ("T", "# A - B")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            {"error": {"code": "missingtitle", "info": "The page you specified doesn't exist."}},
            "missingtitle",
        ),
        ({"query": {"pages": [{"title": "Nope", "missing": True}]}}, "no page 'Nope'"),
        ({"batchcomplete": True}, "no wikitext"),
    ],
)
def test_api_errors_raise(answer: dict[str, object], message: str) -> None:
    with pytest.raises(TracklistError, match=message):
        wikitext_from_api(answer)


@pytest.mark.parametrize(
    ("url", "title"),
    [
        (
            "https://www.mixesdb.com/w/2025-10-05_-_dESUS,_Apjok_Csaba_-_Thee_pHactory_042",
            "2025-10-05 - dESUS, Apjok Csaba - Thee pHactory 042",
        ),
        (
            "https://www.mixesdb.com/w/2025-12-21_-_Charis_-_The_Sph%C3%A8re_Chair",
            "2025-12-21 - Charis - The Sph\u00e8re Chair",
        ),
        (
            "https://www.mixesdb.com/db/index.php?title=2024-05-01_-_DJ_-_Set&action=edit",
            "2024-05-01 - DJ - Set",
        ),
    ],
)
def test_page_title_from_url(url: str, title: str) -> None:
    assert page_title_from_url(url) == title
