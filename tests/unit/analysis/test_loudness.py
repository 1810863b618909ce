"""EBU R128 loudness, true peak and ReplayGain on synthetic signals."""

from __future__ import annotations

import numpy as np
import pytest

from tracktion.analysis.loudness import k_weighting, measure_loudness, true_peak

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


def _essentia_reference(channels: np.ndarray, rate: int) -> tuple[float, float]:
    """essentia's LoudnessEBUR128 (integrated, range); mono duplicated at -3.01 dB."""
    import essentia
    import essentia.standard as es

    essentia.log.infoActive = False
    if channels.shape[0] == 1:
        channels = np.repeat(channels * np.float32(np.sqrt(0.5)), 2, axis=0)
    stereo = np.ascontiguousarray(channels.T, dtype=np.float32)
    _, _, integrated, lra = es.LoudnessEBUR128(sampleRate=float(rate))(stereo)
    return float(integrated), float(lra)


def _gated_programme(channels: int) -> np.ndarray:
    """White noise sections at different levels separated by digital silence."""
    rng = np.random.default_rng(7)
    parts = []
    for level_db, seconds in [(-20, 6), (-90, 4), (-32, 5), (-200, 3), (-26, 8), (-45, 4)]:
        noise = rng.standard_normal((channels, int(SR * seconds)))
        noise *= 10 ** (level_db / 20) / noise.std()
        parts.append(noise if level_db > -150 else np.zeros_like(noise))
    return np.concatenate(parts, axis=1).astype(np.float32)


@pytest.mark.parametrize("channels", [1, 2])
def test_matches_essentia_with_gated_silence(channels: int) -> None:
    audio = _gated_programme(channels)
    integrated, lra = _essentia_reference(audio, SR)
    result = measure_loudness(audio, SR)
    assert result.integrated_lufs == pytest.approx(integrated, abs=0.05)
    assert result.loudness_range_lu == pytest.approx(lra, abs=0.5)


def test_k_weighting_matches_bs1770_table_at_48k() -> None:
    expected = [
        [1.53512485958697, -2.69169618940638, 1.19839281085285, 1.0, -1.69065929318241],
        [1.0, -2.0, 1.0, 1.0, -1.99004745483398],
    ]
    sos = k_weighting(SR)
    np.testing.assert_allclose(sos[:, :5], expected, atol=1e-8)
    np.testing.assert_allclose(sos[:, 5], [0.73248077421585, 0.99007225036621], atol=1e-8)


def test_short_signals() -> None:
    blip = _sine(-20.0, seconds=0.3)
    assert measure_loudness(np.stack([blip, blip]), SR).integrated_lufs is None  # < one block
    short = _sine(-20.0, seconds=2.0)
    result = measure_loudness(np.stack([short, short]), SR)
    assert result.integrated_lufs == pytest.approx(-20.0, abs=0.1)
    assert result.loudness_range_lu == 0.0  # no complete 3 s block
