import pytest

from tracktion.core.text import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Ólöf Brandr", "olof brandr"),
        ("ÓLÖF BRANDR", "olof brandr"),
        ("Café", "cafe"),
        ("Cafe\u0301", "cafe"),
        ("Straße", "strasse"),
        ("夜光ループ", "夜光ループ"),
        (None, None),
    ],
)
def test_fold_ignores_case_and_accents(text: str | None, folded: str | None) -> None:
    assert fold(text) == folded
