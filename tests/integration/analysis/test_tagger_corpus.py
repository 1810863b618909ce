"""MSD_musicnn tags on the corpus: drum tracks are more aroused than the ambient pads.

On these General-MIDI soundfont renders MSD_musicnn hears most drum tracks as rock, indie,
country or jazz (only 2 of 20 get "electronic" on top), so the test asks for "not ambient"
rather than "electronic".
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from tracktion.analysis.decode import decode
from tracktion.analysis.tagger import SAMPLE_RATE, tag_audio

if TYPE_CHECKING:
    from tracktion.analysis.results import TagEstimate

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).parents[2] / "fixtures" / "corpus"
CALM = {"ambient", "chillout", "easy listening"}


@cache
def _tagged() -> dict[str, tuple[bool, TagEstimate]]:
    with (CORPUS / "truth.csv").open(encoding="utf-8") as handle:
        drums = {Path(r["file"]).name: r["has_drums"] == "1" for r in csv.DictReader(handle)}
    return {
        path.name: (drums[path.name], tag_audio(decode(path, sample_rate=SAMPLE_RATE).mono))
        for path in sorted((CORPUS / "tracks").iterdir())
    }


def test_outputs_are_valid() -> None:
    for _, result in _tagged().values():
        assert 0.0 <= result.arousal <= 1.0
        assert 0.0 <= result.valence <= 1.0
        assert 1 <= result.energy <= 10
        assert all(np.isfinite(p) for p in result.algorithms["msd_musicnn"]["tags"].values())


def test_drum_tracks_are_more_aroused_than_ambient_pads() -> None:
    drums = [r.arousal for has, r in _tagged().values() if has]
    pads = [r.arousal for has, r in _tagged().values() if not has]
    assert len(pads) == 4
    assert np.mean(drums) > np.mean(pads)


def test_ambient_pads_are_tagged_ambient() -> None:
    for has_drums, result in _tagged().values():
        if not has_drums:
            assert result.genres[0][0] in CALM


def test_drum_tracks_are_not_tagged_calm() -> None:
    tops = [r.genres[0][0] for has, r in _tagged().values() if has]
    assert not CALM.intersection(tops)
