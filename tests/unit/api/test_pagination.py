import base64
import json

import pytest

from tracktion.api.pagination import Cursor, InvalidCursorError, query_fingerprint


def test_a_cursor_round_trips_and_is_url_safe() -> None:
    cursor = Cursor("abc123", 50, "0190-track", 128.5)

    text = cursor.encode()

    assert Cursor.decode(text, "abc123") == cursor
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize("key", [None, "Ólöf Brandr", 7, 1e-3])
def test_any_sort_key_survives_encoding(key: object) -> None:
    cursor = Cursor("q", 1, "id", key)

    assert Cursor.decode(cursor.encode(), "q").last_key == key


def test_a_cursor_of_another_query_is_refused() -> None:
    text = Cursor("query-a", 10, "id", None).encode()

    with pytest.raises(InvalidCursorError, match="another query"):
        Cursor.decode(text, "query-b")


def encoded(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "text",
    [
        "not base64 at all!",
        encoded([1, 2, 3]),
        encoded({"q": "q", "o": 0, "id": "x", "k": None}),
        encoded({"q": "q", "o": -5, "id": "x", "k": None}),
        encoded({"q": "q", "o": "10", "id": "x", "k": None}),
        encoded({"q": "q", "o": 10, "id": "x", "k": {"nested": 1}}),
        encoded({"q": "q", "o": 10**9, "id": "x", "k": None}),
        encoded({"q": "q", "o": 10}),
    ],
)
def test_malformed_cursors_are_refused(text: str) -> None:
    with pytest.raises(InvalidCursorError):
        Cursor.decode(text, "q")


def test_the_fingerprint_depends_on_every_parameter_but_not_their_order() -> None:
    base = query_fingerprint({"sort": "bpm", "genre": "house"})

    assert query_fingerprint({"genre": "house", "sort": "bpm"}) == base
    assert query_fingerprint({"sort": "bpm", "genre": "techno"}) != base
