"""The preferred tempo range: the octave tie-breaker, chosen by the track's genre tag."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracktion.core.text import fold

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_RANGE: tuple[float, float] = (70.0, 180.0)


def preferred_range(
    genre: str | None, ranges: Mapping[str, tuple[float, float]]
) -> tuple[float, float]:
    """The range of the first configured genre name contained in ``genre`` (case- and
    accent-insensitive), else the default 70-180 BPM."""
    folded = fold(genre)
    if folded:
        for name, bounds in ranges.items():
            if (fold(name) or "") in folded:
                return bounds
    return DEFAULT_RANGE
