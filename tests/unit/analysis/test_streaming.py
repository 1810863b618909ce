"""Block-by-block analysis gives what one block gives, whatever the block boundaries."""

from __future__ import annotations

import numpy as np
import pytest

from tracktion.analysis.frames import FRAME, HOP, SAMPLE_RATE, FrameCutter, FrameSpectra
from tracktion.analysis.key import key_of
from tracktion.analysis.loudness import LoudnessMeter, TruePeak, measure_loudness
from tracktion.analysis.onsets import OnsetEnvelope
from tracktion.analysis.spectra import Spectra
from tracktion.analysis.tempo import tempo_of

SR = SAMPLE_RATE
BEAT = 21000  # 126 BPM at 44.1 kHz


def _song(seconds: float) -> np.ndarray:
    """A minor chords (i iv V i, one per bar) under a click on every beat."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    bar = (np.arange(n) // (4 * BEAT)) % 4
    signal = np.zeros(n)
    for index, chord in enumerate(((57, 60, 64), (62, 65, 69), (64, 68, 71), (57, 60, 64))):
        notes = sum(np.sin(2 * np.pi * 440 * 2 ** ((m - 69) / 12) * t) for m in chord)
        signal += np.where(bar == index, 0.1 * notes, 0.0)
    for start in range(0, n, BEAT):
        hit = signal[start : start + 2000]
        hit += 0.6 * np.exp(-np.arange(hit.size) / 300) * np.sin(np.arange(hit.size) * 0.01)
    return signal.astype(np.float32)


def _uneven(x: np.ndarray, sizes: tuple[int, ...] = (1, 999, 4096, 77_777, 300_001)) -> list:
    """``x`` (samples on the last axis) cut into blocks of the given sizes, repeated."""
    blocks, start, k = [], 0, 0
    while start < x.shape[-1]:
        blocks.append(x[..., start : start + sizes[k % len(sizes)]])
        start += sizes[k % len(sizes)]
        k += 1
    return blocks


def test_frames_across_blocks_are_the_centred_frames() -> None:
    x = np.random.default_rng(0).standard_normal(50_000).astype(np.float32)
    cutter = FrameCutter(FRAME, HOP)
    pieces = [cutter.push(b) for b in _uneven(x)] + [cutter.finish()]
    firsts = [first for first, _ in pieces]
    frames = np.concatenate([f for _, f in pieces])
    padded = np.pad(x, FRAME // 2)
    expected = np.stack([padded[k * HOP : k * HOP + FRAME] for k in range(1 + x.size // HOP)])
    np.testing.assert_array_equal(frames, expected)
    assert firsts == sorted(firsts)


def _streamed(x: np.ndarray, blocks: list) -> tuple[Spectra, OnsetEnvelope]:
    spectra, onsets = Spectra(), OnsetEnvelope()
    frames = FrameSpectra((onsets, spectra))
    for block in blocks:
        spectra.push(block)
        onsets.push(block)
        frames.push(block)
    frames.finish()
    spectra.finish()
    return spectra, onsets


def test_key_and_tempo_do_not_depend_on_the_blocks() -> None:
    song = _song(40.0)
    whole = _streamed(song, [song])
    parts = _streamed(song, _uneven(song))
    key_whole, key_parts = key_of(whole[0]), key_of(parts[0])
    assert f"{key_whole.tonic} {key_whole.mode}" == "A minor"
    assert key_parts == key_whole
    tempo_whole = tempo_of(whole[1], song, preferred=(70.0, 180.0))
    tempo_parts = tempo_of(parts[1], song, preferred=(70.0, 180.0))
    assert tempo_whole.bpm == pytest.approx(126.0, abs=0.05)
    assert tempo_parts == tempo_whole


def test_loudness_does_not_depend_on_the_blocks() -> None:
    rng = np.random.default_rng(5)
    levels = np.repeat(rng.uniform(0.01, 0.5, 40), SR // 2)
    stereo = (rng.standard_normal((2, levels.size)) * levels).astype(np.float32)
    meter = LoudnessMeter(SR, 2)
    for block in _uneven(stereo):
        meter.push(np.ascontiguousarray(block))
    streamed, whole = meter.finish(), measure_loudness(stereo, SR)
    assert streamed.integrated_lufs == pytest.approx(whole.integrated_lufs, abs=0.01)
    assert streamed.loudness_range_lu == pytest.approx(whole.loudness_range_lu, abs=0.01)
    assert streamed.true_peak_db == whole.true_peak_db


def test_true_peak_between_blocks() -> None:
    """An inter-sample peak that straddles a block boundary is still found."""
    n = np.arange(SR)
    x = np.where(np.abs(n - 30_000) < 3, 0.5 * np.sin(np.pi / 2 * n + np.pi / 4), 0.0)
    peak = TruePeak(1)
    peak.push(x[None, :30_001].astype(np.float32))
    peak.push(x[None, 30_001:].astype(np.float32))
    whole = TruePeak(1)
    whole.push(x[None, :].astype(np.float32))
    assert peak.finish() == pytest.approx(whole.finish(), rel=1e-6)
    assert peak.peak > float(np.max(np.abs(x)))
