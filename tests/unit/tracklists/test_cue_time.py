from __future__ import annotations

import pytest

from tracktion.core.tracklist import CuePrecision
from tracktion.tracklists.cue_time import Cue, format_clock, format_cue, parse_cue


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("12:34", Cue(754.0, CuePrecision.EXACT)),
        ("1:02:03", Cue(3723.0, CuePrecision.EXACT)),
        ("[01:02:03]", Cue(3723.0, CuePrecision.EXACT)),
        ("0:00", Cue(0.0, CuePrecision.EXACT)),
        ("[00]", Cue(0.0, CuePrecision.MINUTE)),
        ("[000]", Cue(0.0, CuePrecision.MINUTE)),
        ("[36]", Cue(2160.0, CuePrecision.MINUTE)),
        ("[113]", Cue(6780.0, CuePrecision.MINUTE)),
        ("[3?]", Cue(1800.0, CuePrecision.PARTIAL)),
        ("[0?]", Cue(0.0, CuePrecision.PARTIAL)),
        ("[11?]", Cue(6600.0, CuePrecision.PARTIAL)),
        ("[1?:??]", Cue(600.0, CuePrecision.PARTIAL)),
        ("[??]", Cue(None, CuePrecision.UNKNOWN)),
        ("[???]", Cue(None, CuePrecision.UNKNOWN)),
        ("?", Cue(None, CuePrecision.UNKNOWN)),
        ("...", Cue(None, CuePrecision.UNKNOWN)),
        ("\u2026", Cue(None, CuePrecision.UNKNOWN)),
    ],
)
def test_time_tokens_give_seconds_and_precision(token: str, expected: Cue) -> None:
    assert parse_cue(token) == expected


@pytest.mark.parametrize("token", ["", "abc", "12:7", "1:75", "12:345", "1:2:3:4", "[x]", "[12"])
def test_non_time_tokens_give_none(token: str) -> None:
    assert parse_cue(token) is None


def test_a_cue_unpacks_as_seconds_and_precision() -> None:
    seconds, precision = parse_cue("[05]") or Cue(None, CuePrecision.UNKNOWN)

    assert (seconds, precision) == (300.0, CuePrecision.MINUTE)


@pytest.mark.parametrize(
    ("seconds", "precision", "shown"),
    [
        (754.0, CuePrecision.EXACT, "12:34"),
        (3723.9, CuePrecision.EXACT, "1:02:03"),
        (19578.0, CuePrecision.EXACT, "5:26:18"),
        (2160.0, CuePrecision.MINUTE, "~36:00"),
        (600.0, CuePrecision.PARTIAL, ">=10:00"),
        (None, CuePrecision.UNKNOWN, "?"),
        (None, CuePrecision.EXACT, "?"),
    ],
)
def test_cues_format_for_display(
    seconds: float | None, precision: CuePrecision, shown: str
) -> None:
    assert format_cue(seconds, precision) == shown


def test_clock_never_goes_negative() -> None:
    assert format_clock(-3) == "0:00"
