from __future__ import annotations

import pytest

from tracktion.core.tracklist import CuePrecision, EntryKind
from tracktion.tracklists.entry_text import parse_entry_text, split_artists


def test_full_row_splits_into_every_part() -> None:
    parsed = parse_entry_text("Artist A & Artist B feat. C - Title (Bicep Remix) [LABEL]")

    assert parsed.artists == ("Artist A", "Artist B", "C")
    assert parsed.featured == ("C",)
    assert (parsed.title, parsed.remix, parsed.label) == ("Title", "Bicep Remix", "LABEL")
    assert parsed.kind is EntryKind.TRACK


@pytest.mark.parametrize(
    ("text", "artists", "featured"),
    [
        ("DJ Amex ft. Swisha - 1nce", ("DJ Amex", "Swisha"), ("Swisha",)),
        ("Qrion Feat. Pinkpirate - Lean Into Light", ("Qrion", "Pinkpirate"), ("Pinkpirate",)),
        ("A featuring B & C - T", ("A", "B", "C"), ("B", "C")),
        ("Adam Beyer, Chris Avantgarde - Desolate Lands", ("Adam Beyer", "Chris Avantgarde"), ()),
        (
            "Christian Smith vs Jean-Phillippe Aviance - Goldrush",
            ("Christian Smith", "Jean-Phillippe Aviance"),
            (),
        ),
        ("A vs. B - T", ("A", "B"), ()),
        ("Marten Lou X Foals - Late Night", ("Marten Lou", "Foals"), ()),
        ("Mik&Ale - Read My Lips", ("Mik&Ale",), ()),
        ("Konx-Om-Pax - Shibuya Sunset", ("Konx-Om-Pax",), ()),
        ("Song Artist - Title (feat. Guest)", ("Song Artist", "Guest"), ("Guest",)),
    ],
)
def test_artists_split_on_credits(
    text: str, artists: tuple[str, ...], featured: tuple[str, ...]
) -> None:
    parsed = parse_entry_text(text)

    assert (parsed.artists, parsed.featured) == (artists, featured)


@pytest.mark.parametrize(
    ("text", "title", "remix"),
    [
        ("Velvet - Avenue (Original Mix)", "Avenue", "Original Mix"),
        ("Bicep - Apricots (Live Edit)", "Apricots", "Live Edit"),
        ("Priori - Winged (Priori Rezone)", "Winged", "Priori Rezone"),
        ("Dave Angel - Funk Music (Dave Angel Rework)", "Funk Music", "Dave Angel Rework"),
        ("X - Y (VIP)", "Y", "VIP"),
        ("X - Y (Bootleg)", "Y", "Bootleg"),
        ("X - Y (Moving Day Dub)", "Y", "Moving Day Dub"),
        (
            "San Holo - Everything Matters (When It Comes To You)",
            "Everything Matters (When It Comes To You)",
            None,
        ),
        ("Stranger - Untitled (B1)", "Untitled (B1)", None),
        ("Song (feat. Y) (Z Remix)", "Song", "Z Remix"),
    ],
)
def test_trailing_parentheses_give_the_remix(text: str, title: str, remix: str | None) -> None:
    parsed = parse_entry_text(text)

    assert (parsed.title, parsed.remix) == (title, remix)


@pytest.mark.parametrize(
    ("text", "label", "catalog"),
    [
        ("Yotam Avni - This Is How (Sterac Remix) [Ovum - OVM-259]", "Ovum", "OVM-259"),
        ("Planetary Assault Systems - Twelve [Peacefrog - PFG 008DA]", "Peacefrog", "PFG 008DA"),
        ("Fuse - Substance Abuse (Barem Remix) [Plus 8 - 100]", "Plus 8", "100"),
        ("Cv313 - Infinit-1 [Echospace - Detroit]", "Echospace - Detroit", None),
        ("DWIG - You [Giegling]", "Giegling", None),
        (
            "Frank & Tony Feat. Eliana Glass - Cecile (Scissor And Thread]",
            "Scissor And Thread",
            None,
        ),
        ("Adam Beyer - Desolate Lands [Drumcode", "Drumcode", None),
    ],
)
def test_trailing_brackets_give_label_and_catalog(
    text: str, label: str, catalog: str | None
) -> None:
    parsed = parse_entry_text(text)

    assert (parsed.label, parsed.catalog_number) == (label, catalog)


def test_id_rows_are_unknown() -> None:
    nobody = parse_entry_text("ID - ID")
    known_artist = parse_entry_text("Bicep ft. Clara La San - ID")

    assert (nobody.kind, nobody.artists, nobody.title) == (EntryKind.UNKNOWN, (), None)
    assert known_artist.kind is EntryKind.UNKNOWN
    assert known_artist.artists == ("Bicep", "Clara La San")
    assert known_artist.title is None


def test_an_id_remix_is_still_a_known_track() -> None:
    parsed = parse_entry_text("J Balvin & Willy William - Mi Gente (ID Remix)")

    assert (parsed.kind, parsed.title, parsed.remix) == (EntryKind.TRACK, "Mi Gente", "ID Remix")


@pytest.mark.parametrize(
    "text", ["Robert Armani\u2013\tCircus Bells", "Robert Armani \u2014 Circus Bells"]
)
def test_unicode_dashes_separate_artist_and_title(text: str) -> None:
    parsed = parse_entry_text(text)

    assert (parsed.artists, parsed.title) == (("Robert Armani",), "Circus Bells")


def test_trailing_question_mark_marks_unconfirmed() -> None:
    assert parse_entry_text("Artist - Title (?)").unconfirmed
    assert parse_entry_text("Artist - Title ?").unconfirmed
    assert not parse_entry_text("Steve Bicknell - How Can We Know? Track 3").unconfirmed


def test_text_without_separator_is_a_title() -> None:
    parsed = parse_entry_text("Deep Woods Intro")

    assert (parsed.artists, parsed.title, parsed.kind) == ((), "Deep Woods Intro", EntryKind.TRACK)


def test_unbalanced_open_parenthesis_still_gives_the_remix() -> None:
    parsed = parse_entry_text("Alewya - Sweating (Breakage Remix")

    assert (parsed.title, parsed.remix) == ("Sweating", "Breakage Remix")


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "(",
        ")",
        "[",
        "]",
        "a ) ( ] [",
        "[[x",
        " - ",
        "- - -",
        "((((",
        "]]]]",
        "(]",
        "\u2013",
    ],
)
def test_garbage_never_raises(text: str) -> None:
    parsed = parse_entry_text(text)

    assert isinstance(parsed.artists, tuple)


def test_entry_carries_position_cue_and_overrides() -> None:
    entry = parse_entry_text("Bicep - Glue [Ninja]").entry(
        3, kind=EntryKind.PLAYED_WITH, cue_s=61.0, cue_precision=CuePrecision.EXACT, section="B2B"
    )

    assert (entry.position, entry.kind, entry.cue_s, entry.cue_precision) == (
        3,
        EntryKind.PLAYED_WITH,
        61.0,
        CuePrecision.EXACT,
    )
    assert (entry.label, entry.section, entry.raw) == ("Ninja", "B2B", "Bicep - Glue [Ninja]")


def test_entry_without_cue_seconds_has_unknown_precision() -> None:
    entry = parse_entry_text("A - B").entry(1, cue_precision=CuePrecision.EXACT)

    assert (entry.cue_s, entry.cue_precision) == (None, CuePrecision.UNKNOWN)


def test_split_artists_drops_id_names() -> None:
    assert split_artists("ID & Bicep") == (("Bicep",), ())
