"""EBU R128 loudness, true peak and ReplayGain on synthetic signals."""

from __future__ import annotations

import numpy as np
import pytest

from tracktion.analysis.loudness import measure_loudness, true_peak

SR = 48000


def _sine(db_fs: float, seconds: float = 10.0, freq: float = 997.0) -> np.ndarray:
    t = np.arange(int(SR * seconds)) / SR
    return (10 ** (db_fs / 20) * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("level", [-23.0, -20.0])
def test_stereo_sine_reads_its_level(level: float) -> None:
    sine = _sine(level)
    result = measure_loudness(np.stack([sine, sine]), SR)
    assert result.integrated_lufs == pytest.approx(level, abs=0.1)
    assert result.replaygain_db == pytest.approx(-18.0 - level, abs=0.1)
    assert result.true_peak_db == pytest.approx(level, abs=0.1)
    assert result.loudness_range_lu == pytest.approx(0.0, abs=0.5)


def test_mono_is_one_channel() -> None:
    sine = _sine(-20.0)
    mono = measure_loudness(sine[None, :], SR)
    assert mono.integrated_lufs == pytest.approx(-23.01, abs=0.1)  # BS.1770: one channel
    assert mono.true_peak_db == pytest.approx(-20.0, abs=0.1)


@pytest.mark.parametrize("samples", [0, SR * 3])
def test_silence_gives_none(samples: int) -> None:
    result = measure_loudness(np.zeros((2, samples), np.float32), SR)
    assert result.integrated_lufs is None
    assert result.true_peak_db is None
    assert result.replaygain_db is None
    assert result.loudness_range_lu is None


def test_true_peak_finds_inter_sample_peaks() -> None:
    n = np.arange(SR)
    # fs/4 sine sampled 45 degrees off its crests: sample peak -9 dB, true peak -6 dB
    x = (0.5 * np.sin(np.pi / 2 * n + np.pi / 4)).astype(np.float32)
    assert float(np.max(np.abs(x))) == pytest.approx(0.3536, abs=1e-3)
    assert 20 * np.log10(true_peak(x[None, :])) == pytest.approx(-6.02, abs=0.2)


def test_rejects_bad_shape() -> None:
    with pytest.raises(ValueError, match="expected"):
        measure_loudness(np.zeros((3, 100), np.float32), SR)
