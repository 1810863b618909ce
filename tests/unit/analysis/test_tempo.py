"""Tempo estimation on synthetic drum patterns built here with numpy (no files, no downloads)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from tracktion.analysis.tempo import estimate_tempo
from tracktion.analysis.tempo_range import preferred_range
from tracktion.config import load_settings

SR = 44100
Signal = npt.NDArray[np.float32]


def _kick(rng: np.random.Generator) -> Signal:
    t = np.arange(int(0.25 * SR)) / SR
    freq = 50.0 + 100.0 * np.exp(-t / 0.03)
    return (np.sin(2 * np.pi * np.cumsum(freq) / SR) * np.exp(-t / 0.12)).astype(np.float32)


def _snare(rng: np.random.Generator) -> Signal:
    t = np.arange(int(0.2 * SR)) / SR
    body = 0.5 * np.sin(2 * np.pi * 190.0 * t) + rng.standard_normal(t.size)
    return (0.5 * body * np.exp(-t / 0.07)).astype(np.float32)


def _hat(rng: np.random.Generator) -> Signal:
    t = np.arange(int(0.05 * SR)) / SR
    noise = np.diff(rng.standard_normal(t.size + 1))
    return (0.12 * noise * np.exp(-t / 0.015)).astype(np.float32)


def _render(
    bpm: float,
    pattern: dict[str, list[float]],
    *,
    beats_per_bar: int = 4,
    seconds: float = 30.0,
    swing: float | None = None,
    bass: bool = True,
    seed: int = 0,
) -> Signal:
    """Loop a one-bar pattern (positions in beats) at ``bpm``; swing moves off-beat 8ths."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(seconds * SR) + SR, dtype=np.float32)
    beat = 60.0 / bpm
    sounds = {"kick": _kick(rng), "snare": _snare(rng), "hat": _hat(rng)}
    bars = int(seconds / (beat * beats_per_bar)) + 1
    for bar in range(bars):
        for name, positions in pattern.items():
            for pos in positions:
                frac = pos % 1.0
                if swing is not None and abs(frac - 0.5) < 1e-9:
                    pos = pos - frac + swing
                start = round((bar * beats_per_bar + pos) * beat * SR)
                sound = sounds[name]
                end = min(start + sound.size, out.size)
                if start < out.size:
                    out[start:end] += sound[: end - start]
    if bass:
        t = np.arange(out.size) / SR
        note = np.floor(t / (beat * beats_per_bar)) % 2
        out += (0.15 * np.sin(2 * np.pi * np.where(note == 0, 55.0, 65.4) * t)).astype(np.float32)
    return out[: int(seconds * SR)] / np.float32(np.abs(out).max())


EIGHTHS = [i / 2 for i in range(8)]

FOUR_ON_FLOOR = {"kick": [0, 1, 2, 3], "snare": [1, 3], "hat": [0.5, 1.5, 2.5, 3.5]}
ROCK = {"kick": [0, 2], "snare": [1, 3], "hat": EIGHTHS}
BREAKBEAT = {"kick": [0, 1.5], "snare": [1, 3], "hat": EIGHTHS}
HALF_TIME = {"kick": [0], "snare": [2], "hat": EIGHTHS}
HIP_HOP = {"kick": [0, 1.5, 2.5], "snare": [1, 3], "hat": EIGHTHS}
WALTZ = {"kick": [0], "snare": [1, 2], "hat": [0, 0.5, 1, 1.5, 2, 2.5]}


def test_four_on_the_floor_123_5_is_precise() -> None:
    est = estimate_tempo(_render(123.5, FOUR_ON_FLOOR), SR)
    assert est.bpm is not None
    assert est.bpm == pytest.approx(123.5, abs=0.05)
    assert est.confidence > 0.5
    assert est.beat_offset_s is not None
    assert 0.0 <= est.beat_offset_s < 4 * 60.0 / 123.5
    assert {"essentia_degara", "librosa_beats"} <= est.algorithms.keys()


def test_rock_97_3_is_not_rounded() -> None:
    est = estimate_tempo(_render(97.3, ROCK), SR)
    assert est.bpm == pytest.approx(97.3, abs=0.05)


def test_drum_and_bass_breakbeat_174_is_not_halved() -> None:
    est = estimate_tempo(_render(174.0, BREAKBEAT), SR)
    assert est.bpm == pytest.approx(174.0, abs=0.1)


def test_half_time_dubstep_140_is_not_halved() -> None:
    est = estimate_tempo(_render(140.0, HALF_TIME), SR)
    assert est.bpm == pytest.approx(140.0, abs=0.1)


def test_swung_hip_hop_90() -> None:
    est = estimate_tempo(_render(90.0, HIP_HOP, swing=0.66), SR)
    assert est.bpm == pytest.approx(90.0, abs=0.1)


def test_waltz_150_in_three_four() -> None:
    est = estimate_tempo(_render(150.0, WALTZ, beats_per_bar=3), SR)
    assert est.bpm == pytest.approx(150.0, abs=0.1)


def test_preferred_range_moves_the_octave() -> None:
    est = estimate_tempo(_render(174.0, BREAKBEAT), SR, preferred=(60.0, 100.0))
    assert est.bpm == pytest.approx(87.0, abs=0.1)


@pytest.mark.parametrize(
    "signal",
    [
        pytest.param(np.random.default_rng(1).standard_normal(10 * SR), id="noise"),
        pytest.param(np.zeros(10 * SR), id="silence"),
        pytest.param(np.sin(2 * np.pi * 220.0 * np.arange(10 * SR) / SR), id="held-tone"),
    ],
)
def test_no_pulse_gives_no_or_weak_tempo(signal: npt.NDArray[np.float64]) -> None:
    est = estimate_tempo(signal.astype(np.float32) * np.float32(0.3), SR)
    assert est.bpm is None or est.confidence < 0.3


def test_one_second_gives_no_tempo() -> None:
    est = estimate_tempo(_render(120.0, FOUR_ON_FLOOR, seconds=1.0), SR)
    assert est.bpm is None
    assert est.confidence == 0.0
    assert est.beat_offset_s is None


def test_other_sample_rate() -> None:
    y = _render(128.0, FOUR_ON_FLOOR)
    est = estimate_tempo(y[::2].copy(), SR // 2)
    assert est.bpm == pytest.approx(128.0, abs=0.1)


def test_a_genre_range_settles_an_even_groove_that_fits_two_octaves() -> None:
    drum_and_bass = preferred_range("Drum & Bass", load_settings().tempo_ranges)

    est = estimate_tempo(_render(175.0, ROCK), SR, preferred=drum_and_bass)

    assert est.bpm == pytest.approx(175.0, abs=0.1)
