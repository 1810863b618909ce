"""Key estimation on synthetic music: chords, a bass on the roots and a melody on the tonic."""

from __future__ import annotations

import essentia.standard as es
import numpy as np
import numpy.typing as npt
import pytest
import scipy.signal

from tracktion.analysis.key import PROFILES, estimate_key
from tracktion.core.keys import PITCH_CLASSES, parse_key

SR = 44100
BAR_S = 2.0
MAJOR = "maj"
MINOR = "min"
Chord = tuple[int, str]
"""Chord root in semitones above the tonic, and its quality."""

I_V_VI_IV: list[Chord] = [(0, MAJOR), (7, MAJOR), (9, MINOR), (5, MAJOR)]
I_IV_V_I: list[Chord] = [(0, MAJOR), (5, MAJOR), (7, MAJOR), (0, MAJOR)]
AEOLIAN: list[Chord] = [(0, MINOR), (8, MAJOR), (3, MAJOR), (10, MAJOR)]
MINOR_CADENCE: list[Chord] = [(0, MINOR), (5, MINOR), (7, MAJOR), (0, MINOR)]


def _note(midi: float, seconds: float, partials: int, cents: float) -> npt.NDArray[np.float64]:
    t = np.arange(int(seconds * SR)) / SR
    frequency = 440.0 * 2 ** ((midi - 69) / 12 + cents / 1200)
    tone = sum(
        np.sin(2 * np.pi * k * frequency * t) / k
        for k in range(1, partials + 1)
        if k * frequency < SR / 2
    )
    envelope = np.minimum(1.0, t / 0.01) * np.exp(-1.5 * t)
    return np.asarray(tone * envelope, dtype=np.float64)


def _song(tonic: int, progression: list[Chord], cents: float = 0.0) -> npt.NDArray[np.float32]:
    """Progression twice, then a final bar on the tonic chord; melody starts and ends on it."""
    bars = [*progression, *progression, (0, progression[0][1])]
    beat = BAR_S / 4
    out = np.zeros(int(len(bars) * BAR_S * SR) + SR)
    for index, (degree, quality) in enumerate(bars):
        start = int(index * BAR_S * SR)
        root = 60 + (tonic + degree) % 12
        third = root + (4 if quality == MAJOR else 3)
        for midi in (root, third, root + 7):
            tone = 0.25 * _note(midi, BAR_S, 6, cents)
            out[start : start + tone.size] += tone
        bass = 0.5 * _note(36 + (tonic + degree) % 12, BAR_S, 3, cents)
        out[start : start + bass.size] += bass
        melody = [root + 12, third + 12, root + 19, third + 12]
        if index == len(bars) - 1:
            melody[-1] = 72 + tonic
        for step, midi in enumerate(melody):
            tone = 0.2 * _note(midi, beat, 4, cents)
            offset = start + int(step * beat * SR)
            out[offset : offset + tone.size] += tone
    return np.asarray(0.5 * out / np.abs(out).max(), dtype=np.float32)


@pytest.mark.parametrize(
    ("tonic", "progression", "expected"),
    [
        ("C", I_V_VI_IV, "C major"),
        ("A", AEOLIAN, "A minor"),
        ("F#", MINOR_CADENCE, "F# minor"),
        ("D#", I_IV_V_I, "D# major"),
        ("E", AEOLIAN, "E minor"),
    ],
)
def test_synthetic_keys(tonic: str, progression: list[Chord], expected: str) -> None:
    result = estimate_key(_song(PITCH_CLASSES.index(tonic), progression), SR)
    assert f"{result.tonic} {result.mode}" == expected
    assert 0.5 < result.confidence <= 1.0
    assert abs(result.tuning_cents) < 10
    assert {"essentia_edma", "essentia_shaath", "chroma", "bass"} <= set(result.algorithms)
    assert "b" not in (result.tonic or "")


def test_detuned_minor_keeps_key_and_reports_tuning() -> None:
    result = estimate_key(_song(PITCH_CLASSES.index("A"), AEOLIAN, cents=30.0), SR)
    assert (result.tonic, result.mode) == ("A", "minor")
    assert result.tuning_cents == pytest.approx(30.0, abs=5.0)


def test_algorithms_are_json_like() -> None:
    result = estimate_key(_song(0, I_V_VI_IV), SR)
    edma = result.algorithms["essentia_edma"]
    assert isinstance(edma["key"], str)
    assert isinstance(edma["strength"], float)


@pytest.mark.parametrize(
    "signal",
    [
        np.zeros(SR * 5, dtype=np.float32),
        np.random.default_rng(1).normal(0, 0.1, SR * 8).astype(np.float32),
        np.random.default_rng(2).normal(0, 0.1, SR // 2).astype(np.float32),
        np.full(SR * 3, np.nan, dtype=np.float32),
    ],
    ids=["silence", "white-noise", "too-short", "nan"],
)
def test_no_key_without_raising(signal: npt.NDArray[np.float32]) -> None:
    result = estimate_key(signal, SR)
    assert result.tonic is None
    assert result.mode is None
    assert result.confidence < 0.2


@pytest.mark.parametrize(
    ("tonic", "progression"), [("C", I_V_VI_IV), ("A", AEOLIAN), ("F#", MINOR_CADENCE)]
)
def test_essentia_profiles_match_key_extractor(tonic: str, progression: list[Chord]) -> None:
    """The shared, vectorised HPCP gives what one essentia KeyExtractor pass per profile gives."""
    song = _song(PITCH_CLASSES.index(tonic), progression)
    result = estimate_key(song, SR)
    tuning_hz = result.algorithms["tuning"]["frequency_hz"]
    for profile in PROFILES:
        key, scale, strength = es.KeyExtractor(
            profileType=profile, sampleRate=SR, tuningFrequency=tuning_hz
        )(song)
        answer = result.algorithms[f"essentia_{profile}"]
        assert parse_key(answer["key"]) == parse_key(f"{key} {scale}"), profile
        assert answer["strength"] == pytest.approx(strength, abs=0.01), profile


def test_other_sample_rate() -> None:
    song = scipy.signal.resample_poly(_song(PITCH_CLASSES.index("E"), AEOLIAN), 160, 147)
    result = estimate_key(song.astype(np.float32), 48000)
    assert f"{result.tonic} {result.mode}" == "E minor"
    assert abs(result.tuning_cents) < 10
