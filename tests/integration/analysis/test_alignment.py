"""Cue alignment on a real DJ mix of corpus tracks (truth: ``dominant_s``) and a generated one."""

from __future__ import annotations

import csv
import wave
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from tracktion.analysis.alignment import AlignedCue, AlignMethod, CueHint, align_cues
from tracktion.core.tracklist import CuePrecision

if TYPE_CHECKING:
    from tracktion.analysis.results import FloatArray

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).parents[2] / "fixtures" / "corpus"
MIX = CORPUS / "mix" / "mix01.mp3"
TOLERANCE_S = 2.0
"""The target, met on mix01 from every starting point (worst: 1.91 s; benchmarks/alignment.py)."""
RATE = 22050


def _rows() -> list[dict[str, str]]:
    with (CORPUS / "mix" / "mix_truth.csv").open(encoding="utf-8") as stream:
        return [row for row in csv.DictReader(stream) if row["mix"] == "mix01"]


def _hints(column: str | None, library: set[int] | None = None) -> list[CueHint]:
    """mix01's entries with the minute cues of ``column``, or no cues when it is None."""
    return [
        CueHint(
            int(row["position"]),
            str(CORPUS / row["file"])
            if library is None or int(row["position"]) in library
            else None,
            60.0 * int(row[column][:2]) if column else None,
            CuePrecision.MINUTE if column else CuePrecision.UNKNOWN,
        )
        for row in _rows()
    ]


@pytest.fixture(scope="module", params=["tl1001_cue", "mixesdb_cue", None])
def aligned(request: pytest.FixtureRequest) -> list[AlignedCue]:
    """The mix's cues aligned from minute-rounded, floor-minute and unknown cues."""
    return align_cues(str(MIX), _hints(request.param))


def test_every_cue_with_a_library_track_is_aligned_near_the_truth(
    aligned: list[AlignedCue],
) -> None:
    rows = _rows()
    assert [cue.position for cue in aligned] == [int(row["position"]) for row in rows]
    assert aligned[0].cue_s == 0.0
    for cue, row in zip(aligned[1:], rows[1:], strict=True):
        assert cue.method == AlignMethod.AUDIO
        assert cue.cue_s == pytest.approx(float(row["dominant_s"]), abs=TOLERANCE_S), row["title"]
        assert 0.0 <= cue.confidence <= 1.0


def test_aligned_cues_stay_in_order(aligned: list[AlignedCue]) -> None:
    times = [cue.cue_s for cue in aligned]
    assert times == sorted(times)


def test_entries_without_a_library_file_keep_their_cue() -> None:
    hints = _hints("mixesdb_cue", library={1, 2, 3, 5, 6})
    aligned = align_cues(str(MIX), hints)
    assert aligned[3].method == AlignMethod.KEPT
    assert aligned[3].cue_s == hints[3].cue_s
    rows = _rows()
    for index in (1, 2, 4):
        assert aligned[index].method == AlignMethod.AUDIO
        truth = float(rows[index]["dominant_s"])
        assert aligned[index].cue_s == pytest.approx(truth, abs=TOLERANCE_S)


def _chord(freqs: tuple[float, ...], seconds: float, beat_s: float, seed: int) -> FloatArray:
    """A chord with a decaying hit on every beat and a little noise: loop-like, like real tracks."""
    time = np.arange(round(seconds * RATE)) / RATE
    tone = sum(np.sin(2 * np.pi * f * time) for f in freqs)
    envelope = 0.4 + 0.6 * np.exp(-(time % beat_s) * 6.0)
    noise = np.random.default_rng(seed).standard_normal(len(time)) * 0.05
    signal = tone * envelope + noise
    return np.asarray(signal / np.sqrt(np.mean(signal**2)) * 0.1, dtype=np.float32)


def _write(path: Path, signal: FloatArray) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(signal, -1.0, 1.0) * 32767).astype("<i2").tobytes())


def test_a_generated_equal_power_crossfade_is_found_within_2_s(tmp_path: Path) -> None:
    fade_start, fade_length = 58.0, 12.0
    outgoing = _chord((220.0, 277.18, 329.63), 70.0, 0.5, seed=1)
    incoming = _chord((196.0, 246.94, 293.66, 392.0), 60.0, 0.4286, seed=2)
    mix = np.zeros(round((fade_start + 60.0) * RATE), dtype=np.float32)
    first, last = round(fade_start * RATE), round((fade_start + fade_length) * RATE)
    phase = np.clip((np.arange(len(mix)) - first) / (last - first), 0.0, 1.0)
    mix[: len(outgoing)] += outgoing * np.cos(np.pi / 2 * phase[: len(outgoing)])
    mix[first : first + len(incoming)] += incoming * np.sin(np.pi / 2 * phase[first:])
    for name, signal in (("a.wav", outgoing), ("b.wav", incoming), ("mix.wav", mix)):
        _write(tmp_path / name, signal)
    hints = [
        CueHint(1, str(tmp_path / "a.wav"), 0.0, CuePrecision.MINUTE),
        CueHint(2, str(tmp_path / "b.wav"), 60.0, CuePrecision.MINUTE),
    ]
    aligned = align_cues(str(tmp_path / "mix.wav"), hints)
    assert aligned[0].cue_s == 0.0
    assert aligned[1].method == AlignMethod.AUDIO
    assert aligned[1].cue_s == pytest.approx(fade_start + fade_length / 2, abs=2.0)
