import csv
from pathlib import Path

import pytest

from tracktion.core.keys import Key, camelot_codes, parse_key

TRUTH = Path(__file__).parents[2] / "fixtures" / "corpus" / "truth.csv"


def truth_rows() -> list[dict[str, str]]:
    with TRUTH.open(encoding="utf-8") as stream:
        return [row for row in csv.DictReader(stream) if row["file"].startswith("tracks/")]


@pytest.mark.parametrize("row", truth_rows(), ids=lambda row: row["key"])
def test_names_camelot_and_open_key_match_the_corpus_truth(row: dict[str, str]) -> None:
    key = parse_key(row["key"])

    assert key is not None
    assert (key.name, key.camelot, key.open_key) == (row["key"], row["camelot"], row["open_key"])
    assert parse_key(row["camelot"]) == key
    assert parse_key(row["open_key"]) == key


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Am", "A minor"),
        ("Bbm", "A# minor"),
        ("Db", "C# major"),
        ("Gb major", "F# major"),
        ("f#m", "F# minor"),
        ("E♭ minor", "D# minor"),
        ("C", "C major"),
        (" 12B ", "E major"),
    ],
)
def test_common_spellings_are_understood(text: str, name: str) -> None:
    key = parse_key(text)
    assert key is not None
    assert key.name == name


@pytest.mark.parametrize("text", ["", None, "H minor", "13A", "minor", "C##"])
def test_nonsense_is_not_a_key(text: str | None) -> None:
    assert parse_key(text) is None


def test_compatible_keys_are_the_wheel_neighbours_and_the_relative() -> None:
    assert [k.camelot for k in parse_key("8A").compatible()] == ["8A", "9A", "7A", "8B"]  # type: ignore[union-attr]
    assert [k.camelot for k in Key(4, "major").compatible()] == ["12B", "1B", "11B", "12A"]


def test_camelot_codes_of_a_key_filter() -> None:
    assert camelot_codes("Am") == ("8A",)
    assert set(camelot_codes("8A", compatible=True)) == {"8A", "7A", "9A", "8B"}
    with pytest.raises(ValueError, match="'H major' is not a key"):
        camelot_codes("H major")
