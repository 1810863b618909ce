"""A long file analysed in blocks (analyze_file) agrees with the in-memory functions."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import av
import numpy as np
import pytest

from tracktion.analysis.analyzer import BLOCK_SAMPLES, analyze_file
from tracktion.analysis.decode import AudioStream, decode
from tracktion.analysis.key import estimate_key
from tracktion.analysis.loudness import measure_loudness
from tracktion.analysis.tempo import estimate_tempo

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.integration

SR = 44100
BEAT = 21000  # 126 BPM
SECONDS = 150.0  # 6+ blocks


def _mix(seconds: float) -> np.ndarray:
    """Stereo: D minor chords (i iv V i, two bars each) under a kick on every beat."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    chord_of = (np.arange(n) // (8 * BEAT)) % 4
    signal = np.zeros(n)
    for index, chord in enumerate(((62, 65, 69), (67, 70, 74), (69, 73, 76), (62, 65, 69))):
        notes = sum(np.sin(2 * np.pi * 440 * 2 ** ((m - 69) / 12) * t) for m in chord)
        bass = np.sin(2 * np.pi * 440 * 2 ** ((chord[0] - 93) / 12) * t)
        signal += np.where(chord_of == index, 0.07 * notes + 0.1 * bass, 0.0)
    hit = np.arange(3000) / SR
    kick = 0.6 * np.exp(-hit / 0.03) * np.sin(2 * np.pi * 55 * hit)
    for start in range(0, n - kick.size, BEAT):
        signal[start : start + kick.size] += kick
    return np.stack([signal, 0.8 * signal]).astype(np.float32)


@pytest.fixture(scope="module")
def long_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("streaming") / "mix.flac"
    audio = _mix(SECONDS)
    with av.open(str(path), "w") as output:
        stream = output.add_stream("flac", rate=SR, layout="stereo")
        assert isinstance(stream, av.AudioStream)
        resampler = av.AudioResampler(format=stream.codec_context.format, layout="stereo")
        for start in range(0, audio.shape[1], SR):
            chunk = np.ascontiguousarray(audio[:, start : start + SR])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.rate, frame.pts, frame.time_base = SR, start, Fraction(1, SR)
            for out in resampler.resample(frame):
                output.mux(stream.encode(out))
        output.mux(stream.encode(None))
    return path


def test_the_file_streams_in_blocks(long_file: Path) -> None:
    stream = AudioStream(long_file)
    sizes = [block.shape[1] for block in stream.blocks(BLOCK_SAMPLES)]
    assert len(sizes) > 5
    assert set(sizes[:-1]) == {BLOCK_SAMPLES}
    assert stream.expected_samples == pytest.approx(SECONDS * SR, abs=SR // 10)


def test_streamed_analysis_matches_the_in_memory_functions(long_file: Path) -> None:
    record = analyze_file(str(long_file), with_tags=False)
    audio = decode(long_file)
    tempo = estimate_tempo(audio.mono, SR)
    key = estimate_key(audio.mono, SR)
    loudness = measure_loudness(audio.stereo, SR)

    assert record.error is None
    assert record.duration_s == pytest.approx(SECONDS, abs=0.05)
    assert record.bpm == pytest.approx(126.0, abs=0.05)
    assert tempo.bpm == pytest.approx(record.bpm, abs=0.01)
    assert record.key == "D minor"
    assert f"{key.tonic} {key.mode}" == record.key
    assert record.tuning_cents == key.tuning_cents
    assert record.loudness_lufs == pytest.approx(loudness.integrated_lufs, abs=0.01)
    assert record.true_peak_db == pytest.approx(loudness.true_peak_db, abs=0.01)
    assert record.warnings == ()
