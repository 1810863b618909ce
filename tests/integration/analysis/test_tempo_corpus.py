"""Decode and tempo on the fixture corpus (rendered from MIDI, so the truth is exact)."""

from __future__ import annotations

import csv
import logging
import statistics
from pathlib import Path

import pytest

from tracktion.analysis.decode import decode, decode_with_report, iter_blocks
from tracktion.analysis.errors import DecodeError
from tracktion.analysis.tempo import estimate_tempo

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).parents[2] / "fixtures" / "corpus"
TRUTH = Path("/work/shared/corpus/truth.csv")


def _rows() -> list[dict[str, str]]:
    if not TRUTH.is_file():
        pytest.skip("corpus truth.csv not available")
    with TRUTH.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["file"].startswith("tracks/")]


@pytest.fixture(scope="module")
def estimates() -> dict[str, tuple[float, float | None]]:
    """Truth and estimated BPM of every track with drums."""
    out: dict[str, tuple[float, float | None]] = {}
    for row in _rows():
        if row["has_drums"] == "1":
            audio = decode(CORPUS / row["file"])
            out[row["file"]] = (float(row["bpm"]), estimate_tempo(audio.mono, 44100).bpm)
    return out


def test_tempo_accuracy_1_on_every_track(
    estimates: dict[str, tuple[float, float | None]],
) -> None:
    misses = {
        name: bpm
        for name, (truth, bpm) in estimates.items()
        if bpm is None or abs(bpm - truth) > 0.04 * truth
    }
    assert len(estimates) == 20
    assert not misses


def test_tempo_median_error(estimates: dict[str, tuple[float, float | None]]) -> None:
    errors = [abs(bpm - truth) for truth, bpm in estimates.values() if bpm is not None]
    assert statistics.median(errors) <= 0.05


@pytest.mark.parametrize("row", _rows() if TRUTH.is_file() else [], ids=lambda r: r["file"])
def test_decode_duration(row: dict[str, str]) -> None:
    audio = decode(CORPUS / row["file"])
    assert audio.duration_s == pytest.approx(float(row["duration_s"]), abs=0.1)
    assert audio.stereo.shape == (int(row["channels"]), round(audio.duration_s * 44100))
    assert audio.source_sample_rate == int(row["sample_rate"])


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("empty.mp3", "empty"),
        ("not-audio.mp3", "not a readable audio file"),
        ("random-bytes.wav", "not a readable audio file"),
    ],
)
def test_bad_files_raise(name: str, problem: str) -> None:
    with pytest.raises(DecodeError, match=problem) as info:
        decode(CORPUS / "bad" / name)
    assert name in str(info.value)


def test_truncated_decodes_partially(caplog: pytest.LogCaptureFixture) -> None:
    path = CORPUS / "bad" / "truncated.flac"
    with caplog.at_level(logging.WARNING):
        audio, report = decode_with_report(path)
    assert report.partial
    assert 1.0 < audio.duration_s < 12.0
    assert "Partial decode" in caplog.text


def test_blocks_cover_the_file() -> None:
    path = CORPUS / "bad" / "one-second.mp3"
    blocks = list(iter_blocks(path, sample_rate=22050, block_s=0.25))
    assert all(b.ndim == 1 for b in blocks)
    assert sum(b.size for b in blocks) == decode(path, sample_rate=22050).stereo.shape[1]


def test_max_seconds_limits_decode() -> None:
    audio = decode(CORPUS / "bad" / "one-second.mp3", max_seconds=0.5)
    assert audio.duration_s == pytest.approx(0.5, abs=1e-3)


def test_short_file_has_no_tempo() -> None:
    audio = decode(CORPUS / "bad" / "one-second.mp3")
    assert estimate_tempo(audio.mono, audio.sample_rate).bpm is None
