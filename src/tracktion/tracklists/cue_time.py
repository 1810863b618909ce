"""Cue time tokens of tracklists: ``12:34``, ``1:02:03``, MixesDB ``[12]``, ``[3?]``, ``[??]``."""

from __future__ import annotations

import re
from typing import NamedTuple

from tracktion.core.tracklist import CuePrecision

_GAP_TOKENS = frozenset({"?", "...", "\u2026"})
_GROUP = re.compile(r"[0-9?]{1,3}")


class Cue(NamedTuple):
    """A cue time and how precisely the source knew it."""

    seconds: float | None
    """Seconds from the start of the mix; the earliest possible for PARTIAL; None if UNKNOWN."""
    precision: CuePrecision


UNKNOWN_CUE = Cue(None, CuePrecision.UNKNOWN)


def _strip_brackets(token: str) -> tuple[str, bool]:
    text = token.strip()
    if len(text) >= 2 and (text[0], text[-1]) in (("[", "]"), ("(", ")")):
        return text[1:-1].strip(), True
    return text, False


def parse_cue(token: str) -> Cue | None:
    """Read one time token; None when ``token`` is not a time at all.

    ``12:34`` / ``1:02:03`` are EXACT; a lone number (MixesDB ``[12]``, ``[123]``) is minutes,
    MINUTE; digits written ``?`` (``[3?]``, ``[1?:??]``) give PARTIAL with the earliest time
    they can be; all-``?`` (``[??]``), ``?`` and ``...`` are UNKNOWN. Brackets are optional.
    """
    text, _ = _strip_brackets(token)
    if text in _GAP_TOKENS:
        return UNKNOWN_CUE
    groups = text.split(":")
    if not 1 <= len(groups) <= 3 or not all(_GROUP.fullmatch(group) for group in groups):
        return None
    if len(groups) > 1 and any(len(group) > 2 for group in groups[1:]):
        return None
    digits = "".join(groups)
    if not digits.strip("?"):
        return UNKNOWN_CUE
    values = [int(group.replace("?", "0")) for group in groups]
    if len(groups) > 1 and any(
        len(g) != 2 or v > 59 for g, v in zip(groups[1:], values[1:], strict=True)
    ):
        return None
    if len(groups) == 1:
        seconds = values[0] * 60
        precision = CuePrecision.MINUTE
    else:
        seconds = 0
        for value in values:
            seconds = seconds * 60 + value
        precision = CuePrecision.EXACT
    if "?" in digits:
        precision = CuePrecision.PARTIAL
    return Cue(float(seconds), precision)


def format_clock(seconds: float) -> str:
    """``m:ss`` below an hour, ``h:mm:ss`` from one hour on (whole seconds, rounded down)."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_cue(seconds: float | None, precision: CuePrecision) -> str:
    """A cue for display: ``12:34`` (exact), ``~12:00`` (minute), ``>=30:00`` (partial), ``?``."""
    if seconds is None or precision is CuePrecision.UNKNOWN:
        return "?"
    clock = format_clock(seconds)
    if precision is CuePrecision.MINUTE:
        return f"~{clock}"
    if precision is CuePrecision.PARTIAL:
        return f">={clock}"
    return clock
