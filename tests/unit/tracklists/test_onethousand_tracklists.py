from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tracktion.core.errors import TracklistBlockedError, TracklistError
from tracktion.core.tracklist import CuePrecision, EntryKind
from tracktion.tracklists.onethousand_tracklists import parse_1001tracklists

if TYPE_CHECKING:
    from collections.abc import Callable

    from tracktion.core.tracklist import Tracklist


def _page(fixture_text: Callable[[str], str], name: str) -> Tracklist:
    return parse_1001tracklists(fixture_text(f"1001tracklists/{name}"))


def test_2018_table_layout_with_cues(fixture_text: Callable[[str], str]) -> None:
    mix = _page(fixture_text, "san-holo-bitbird-radio-023-2018-09-21.html")

    assert mix.title == "San Holo - bitbird Radio 023 2018-09-21"
    assert (mix.djs, mix.date, mix.styles) == (("San Holo",), "2018-09-21", ("Trap",))
    assert mix.source_kind == "1001tracklists"
    assert (
        mix.source
        == "https://www.1001tracklists.com/tracklist/1ftrfqc9/san-holo-bitbird-radio-023-2018-09-21.html"
    )
    assert len(mix.entries) == 12
    assert [e.position for e in mix.entries] == list(range(1, 13))
    first, second = mix.entries[0], mix.entries[1]
    assert (first.cue_s, first.cue_precision) == (None, CuePrecision.UNKNOWN)
    assert first.title == "Everything Matters (When It Comes To You)"
    assert (second.cue_s, second.cue_precision) == (444.0, CuePrecision.EXACT)
    assert second.artists == ("San Holo", "Sofie Winterson")
    assert second.featured == ("Sofie Winterson",)
    assert (second.title, second.label) == ("Lift Me From The Ground", "bitbird")
    assert mix.entries[-1].cue_s == 3365.0
    assert mix.entries[9].artists == ("Duskus", "San Holo")


def test_2018_layout_id_rows(fixture_text: Callable[[str], str]) -> None:
    mix = _page(fixture_text, "swacq-revealed-night-ade-2018-10-20.html")

    assert len(mix.entries) == 9
    kinds = [e.kind for e in mix.entries]
    assert kinds.count(EntryKind.UNKNOWN) == 2
    swacq_id, id_id = mix.entries[2], mix.entries[6]
    assert (swacq_id.kind, swacq_id.artists, swacq_id.title) == (
        EntryKind.UNKNOWN,
        ("SWACQ",),
        None,
    )
    assert (id_id.kind, id_id.artists, id_id.title) == (EntryKind.UNKNOWN, (), None)
    mi_gente = mix.entries[5]
    assert (mi_gente.kind, mi_gente.title, mi_gente.remix) == (
        EntryKind.TRACK,
        "Mi Gente",
        "ID Remix",
    )
    assert mi_gente.label == "Scorpio Music"
    assert mix.entries[8].remix == "Steff Da Campo Remix"
    assert all(e.cue_s is None for e in mix.entries)


def test_2022_div_layout(fixture_text: Callable[[str], str]) -> None:
    mix = _page(fixture_text, "bicep-nts-radio-2022-06-16.html")

    assert mix.title == "Bicep - NTS Radio 2022-06-16"
    assert (mix.djs, mix.date) == (("Bicep",), "2022-06-16")
    assert mix.styles == ("Drum & Bass", "Electronica")
    assert mix.duration_s == 3660.0
    assert len(mix.entries) == 14
    amex = mix.entries[0]
    assert (amex.artists, amex.featured, amex.title) == (("DJ Amex", "Swisha"), ("Swisha",), "1nce")
    assert (amex.cue_s, amex.cue_precision) == (None, CuePrecision.UNKNOWN)
    priori = mix.entries[2]
    assert (priori.title, priori.remix, priori.label) == ("Winged", "Priori Rezone", "Naff")
    assert mix.entries[7].artists == ("Sully",)


def test_2023_layout_id_rows_and_edits(fixture_text: Callable[[str], str]) -> None:
    mix = _page(fixture_text, "bicep-warehouse-project-rotterdam-2023-04-28.html")

    assert len(mix.entries) == 22
    assert mix.date == "2023-04-28"
    unknown = [e.position for e in mix.entries if e.kind is EntryKind.UNKNOWN]
    assert unknown == [8, 9, 13, 18, 19, 20]
    id_id = [e.position for e in mix.entries if e.kind is EntryKind.UNKNOWN and not e.artists]
    assert id_id == [8, 13, 19]
    assert mix.entries[17].artists == ("Bicep", "Clara La San")
    apricots = mix.entries[0]
    assert (apricots.title, apricots.remix, apricots.label) == (
        "Apricots",
        "Live Edit",
        "Ninja Tune",
    )
    assert (mix.entries[21].title, mix.entries[21].remix) == ("Glue", "Live Edit")
    copy = mix.entries[2]
    assert (copy.title, copy.remix) == ("Copy Copy", "LOGIC1000 & Big Ever Remix")


def _snippet(fixture_text: Callable[[str], str], name: str) -> str:
    return fixture_text(f"1001tracklists/snippets/tracklist-engine-{name}.html")


def test_w_rows_share_the_previous_position(fixture_text: Callable[[str], str]) -> None:
    html = "".join(
        _snippet(fixture_text, name)
        for name in ("row_text", "row_track", "row_track_concurrent", "row_suggestion")
    )

    entries = parse_1001tracklists(html).entries

    assert [(e.position, e.kind) for e in entries] == [
        (1, EntryKind.TRACK),
        (1, EntryKind.PLAYED_WITH),
    ]
    nirvana, sound = entries
    assert (nirvana.artists, nirvana.title, nirvana.label) == (
        ("Nirvana",),
        "Smells Like Teen Spirit",
        "GEFFEN (UMG)",
    )
    assert (sound.artists, sound.title, sound.label) == (
        ("Dillon Francis", "Julian Jordan"),
        "The Sound",
        "STMPD",
    )


def test_hidden_cue_seconds_give_exact_cues(fixture_text: Callable[[str], str]) -> None:
    row = _snippet(fixture_text, "row_track").replace(
        'type="hidden" value="0"', 'type="hidden" value="4000"'
    )

    entry = parse_1001tracklists(row).entries[0]

    assert (entry.cue_s, entry.cue_precision) == (4000.0, CuePrecision.EXACT)


def test_mashup_parts_share_the_mashup_position(fixture_text: Callable[[str], str]) -> None:
    # The real rows, re-marked as a mashup constituent the way current pages mark them
    # (``data-mashpos="true"``, classes ``con subPos1 tgHid tlpSubTog``).
    part = _snippet(fixture_text, "row_track_concurrent").replace(
        'class="tlpTog bItm tlpItem trRow1 con"',
        'class="bItm con subPos1 tgHid tlpItem tlpSubTog" data-mashpos="true"',
    )
    html = _snippet(fixture_text, "row_track") + part + _snippet(fixture_text, "row_track")

    entries = parse_1001tracklists(html).entries

    assert [(e.position, e.kind) for e in entries] == [
        (1, EntryKind.TRACK),
        (1, EntryKind.MASHUP_PART),
        (2, EntryKind.TRACK),
    ]
    assert entries[1].artists == ("Dillon Francis", "Julian Jordan")


@pytest.mark.parametrize(
    "name",
    ["challenge-page-bicep-nts-radio-2022-06-16.html", "challenge-page-drinks-on-decks-001.html"],
)
def test_challenge_pages_are_blocked_not_empty(
    fixture_text: Callable[[str], str], name: str
) -> None:
    with pytest.raises(TracklistBlockedError, match="captcha"):
        _page(fixture_text, name)


def test_1001tracklists_page_without_rows_names_the_reason() -> None:
    html = (
        '<html><head><meta property="og:site_name" content="1001Tracklists"></head>'
        "<body>DJ</body></html>"
    )

    with pytest.raises(TracklistError, match="not a tracklist page") as caught:
        parse_1001tracklists(html)

    assert not isinstance(caught.value, TracklistBlockedError)


def test_empty_tracklist_table_names_the_reason() -> None:
    with pytest.raises(TracklistError, match="has no rows"):
        parse_1001tracklists('<div id="tlTab" itemtype="http://schema.org/MusicPlaylist"></div>')


@pytest.mark.parametrize("html", ["", "<html></html>", "<p>hello", "not html at all"])
def test_other_documents_are_not_1001tracklists_pages(html: str) -> None:
    with pytest.raises(TracklistError, match="not a 1001Tracklists page"):
        parse_1001tracklists(html)


def test_given_source_wins_over_the_page_url(fixture_text: Callable[[str], str]) -> None:
    html = fixture_text("1001tracklists/bicep-nts-radio-2022-06-16.html")

    assert parse_1001tracklists(html, source="/tmp/saved.html").source == "/tmp/saved.html"
