"""Key estimation over the 24 corpus tracks: exact accuracy and the MIREX weighted score."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tracktion.analysis.decode import decode
from tracktion.analysis.key import estimate_key
from tracktion.core.keys import Key, parse_key

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).parents[2] / "fixtures" / "corpus"
SR = 44100


def _mirex(truth: Key, estimate: Key | None) -> float:
    """1 exact, 0.5 a fifth either way, 0.3 relative, 0.2 parallel, else 0."""
    if estimate is None:
        return 0.0
    if estimate == truth:
        return 1.0
    interval = (estimate.pitch_class - truth.pitch_class) % 12
    if estimate.mode == truth.mode:
        return 0.5 if interval in (5, 7) else 0.0
    if interval == (9 if truth.mode == "major" else 3):
        return 0.3
    return 0.2 if interval == 0 else 0.0


def _tracks() -> list[tuple[Path, Key]]:
    with (CORPUS / "truth.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["file"].startswith("tracks/")]
    result = []
    for row in rows:
        key = parse_key(row["key"])
        assert key is not None
        result.append((CORPUS / row["file"], key))
    return result


def test_mirex_scoring() -> None:
    a_minor = Key(9, "minor")
    assert _mirex(a_minor, Key(9, "minor")) == 1.0
    assert _mirex(a_minor, Key(4, "minor")) == 0.5
    assert _mirex(a_minor, Key(0, "major")) == 0.3
    assert _mirex(a_minor, Key(9, "major")) == 0.2
    assert _mirex(a_minor, Key(1, "major")) == 0.0


def test_corpus_key_accuracy() -> None:
    tracks = _tracks()
    assert len(tracks) == 24
    exact = 0
    score = 0.0
    misses = []
    for path, truth in tracks:
        result = estimate_key(decode(path, sample_rate=SR).mono, SR)
        estimate = parse_key(f"{result.tonic} {result.mode}") if result.tonic else None
        exact += estimate == truth
        score += _mirex(truth, estimate)
        if estimate != truth:
            misses.append(f"{path.name}: {truth.name} -> {result.tonic} {result.mode}")
    assert exact / len(tracks) >= 0.9, misses
    assert score / len(tracks) >= 0.93, misses
