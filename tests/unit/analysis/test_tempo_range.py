import pytest

from tracktion.analysis.tempo_range import DEFAULT_RANGE, preferred_range
from tracktion.config import load_settings


def test_genre_tags_pick_their_range_and_others_get_the_default() -> None:
    ranges = load_settings().tempo_ranges

    assert preferred_range("Drum & Bass", ranges) == (160.0, 190.0)
    assert preferred_range("Liquid DnB", ranges) == (160.0, 190.0)
    assert preferred_range("DUBSTEP", ranges) == (130.0, 155.0)
    assert preferred_range("Deep House", ranges) == DEFAULT_RANGE
    assert preferred_range(None, ranges) == DEFAULT_RANGE
    assert preferred_range("", ranges) == DEFAULT_RANGE


def test_ranges_are_configurable_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKTION_TEMPO_RANGES", '{"Trap": [130, 160]}')

    ranges = load_settings().tempo_ranges

    assert preferred_range("trap", ranges) == (130.0, 160.0)
    assert preferred_range("drum & bass", ranges) == DEFAULT_RANGE
