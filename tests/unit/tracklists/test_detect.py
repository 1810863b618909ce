from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tracktion.core.errors import TracklistBlockedError, TracklistError
from tracktion.tracklists.detect import detect_format, parse_tracklist

if TYPE_CHECKING:
    from collections.abc import Callable


@pytest.mark.parametrize(
    ("name", "kind", "count"),
    [
        ("1001tracklists/san-holo-bitbird-radio-023-2018-09-21.html", "1001tracklists", 12),
        ("1001tracklists/bicep-nts-radio-2022-06-16.html", "1001tracklists", 14),
        ("mixesdb/2025-12-21_Charis_The_Sphere_Chair.hash-format.wikitext", "mixesdb", 17),
        ("mix/mix01.mixesdb.wikitext", "mixesdb", 6),
        ("mix/mix01.1001tl.txt", "text", 6),
        ("mix/mix01.plain.txt", "text", 6),
        ("text/tracklist-searcher-numbered-timestamped-2cd.txt", "text", 39),
    ],
)
def test_content_alone_picks_the_parser(
    fixture_text: Callable[[str], str], name: str, kind: str, count: int
) -> None:
    content = fixture_text(name)

    assert detect_format(content) == kind
    mix = parse_tracklist(content)
    assert (mix.source_kind, len(mix.entries)) == (kind, count)


def test_source_url_picks_the_parser_and_the_mixesdb_title(
    fixture_text: Callable[[str], str],
) -> None:
    url = "https://www.mixesdb.com/w/2025-12-21_-_Charis_-_Records_For_Chairs"

    mix = parse_tracklist(
        fixture_text("mixesdb/tracklist-searcher-mixesdb-untimed.txt"), source=url
    )

    assert (mix.source_kind, mix.source, mix.title, mix.djs) == (
        "mixesdb",
        url,
        "Charis - Records For Chairs",
        ("Charis",),
    )


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("https://www.1001tracklists.com/tracklist/2hjnqr0t/x.html", "1001tracklists"),
        ("https://mixesdb.com/w/Some_Page", "mixesdb"),
        ("/home/me/saved page.HTML", "1001tracklists"),
        ("mix.wikitext", "mixesdb"),
        ("notes.txt", "text"),
    ],
)
def test_source_decides_before_content(source: str, kind: str) -> None:
    assert detect_format("A - B", source=source) == kind


def test_hint_wins_and_unknown_hints_are_refused() -> None:
    assert detect_format("<html></html>", source="x.html", hint="text") == "text"
    assert detect_format("A - B", hint="wikitext") == "mixesdb"
    with pytest.raises(ValueError, match="unknown tracklist format hint"):
        detect_format("A - B", hint="pdf")


def test_blocked_page_stays_blocked_through_detection(fixture_text: Callable[[str], str]) -> None:
    with pytest.raises(TracklistBlockedError):
        parse_tracklist(fixture_text("1001tracklists/challenge-page-drinks-on-decks-001.html"))


NASTY = [
    "",
    "\x00\x01",
    "[[[[",
    "]]]]",
    "# [",
    "# [??",
    "<list>",
    "</list>",
    ";",
    "#",
    "''",
    "'''",
    "== Tracklist ==",
    "<html><div class='tlpItem'></div>",
    "<tr class='tlpItem'><td><input id='tlp_cue_seconds_1' value='x'></td></tr>",
    "99:99 - A - B",
    "1.1\t\u2013\t",
    "Song\nArtist\nSong",
    "\u2013 \u2014 \u2026",
]


@pytest.mark.parametrize("hint", ["1001tracklists", "mixesdb", "text"])
def test_nothing_crashes_any_parser(fixture_text: Callable[[str], str], hint: str) -> None:
    pages = [
        "1001tracklists/bicep-warehouse-project-rotterdam-2023-04-28.html",
        "mixesdb/userscripts-tracklist-merger-examples.txt",
        "text/youtube-touhou-cafe-timestamps.txt",
    ]
    inputs = list(NASTY)
    for name in pages:
        content = fixture_text(name)
        inputs.extend(content[: len(content) * cut // 7] for cut in range(1, 7))

    for content in inputs:
        try:
            mix = parse_tracklist(content, hint=hint)
        except TracklistError:
            continue
        assert mix.entries
