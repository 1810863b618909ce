"""EBU R128 loudness (essentia ``LoudnessEBUR128``), true peak and ReplayGain 2.0 gain."""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import resample_poly

from tracktion.analysis.results import FloatArray, LoudnessEstimate

REPLAYGAIN_REFERENCE_LUFS = -18.0
ABSOLUTE_GATE_LUFS = -70.0
OVERSAMPLING = 4
_BLOCK = 1 << 18  # samples per true-peak block
_MARGIN = 64  # context samples either side of a block (the polyphase filter is ~20 taps)


def _stereo(channels: FloatArray) -> FloatArray:
    """(samples, 2) float32 for essentia; mono goes to both channels at -3.01 dB, so the summed
    power (and the gating) equals BS.1770's single-channel measurement (as ffmpeg's ebur128)."""
    if channels.ndim != 2 or channels.shape[0] not in (1, 2):
        raise ValueError(f"expected (1 or 2, samples) audio, got shape {channels.shape}")
    if channels.shape[0] == 1:
        pair = np.repeat(channels * np.float32(math.sqrt(0.5)), 2, axis=0)
    else:
        pair = channels
    return np.ascontiguousarray(pair.T, dtype=np.float32)


def true_peak(channels: FloatArray) -> float:
    """Largest absolute value of the 4x oversampled signal (linear, 0 for silence)."""
    peak = float(np.max(np.abs(channels))) if channels.size else 0.0
    n = channels.shape[1]
    for channel in channels:
        for start in range(0, n, _BLOCK):
            lo, hi = max(0, start - _MARGIN), min(n, start + _BLOCK + _MARGIN)
            up = resample_poly(channel[lo:hi], OVERSAMPLING, 1)
            keep = up[(start - lo) * OVERSAMPLING : (min(n, start + _BLOCK) - lo) * OVERSAMPLING]
            peak = max(peak, float(np.max(np.abs(keep))))
    return peak


def measure_loudness(channels: FloatArray, sample_rate: int) -> LoudnessEstimate:
    """Integrated loudness (LUFS), true peak (dBTP), loudness range (LU) and ReplayGain 2.0 gain.

    ``channels`` has shape (channels, samples), float32, one or two channels (mono is measured
    as one channel, per BS.1770: 3 dB below the same signal on both stereo channels). Silence
    and audio below the absolute gate give None values.
    """
    import essentia
    import essentia.standard as es

    essentia.log.infoActive = False
    stereo = _stereo(channels)
    integrated: float | None = None
    lra: float | None = None
    if len(stereo):
        _, _, lufs, lra_value = es.LoudnessEBUR128(sampleRate=float(sample_rate))(stereo)
        if math.isfinite(lufs) and lufs > ABSOLUTE_GATE_LUFS:
            integrated = round(float(lufs), 2)
            lra = round(float(lra_value), 2)
    peak = true_peak(channels.astype(np.float32, copy=False))
    return LoudnessEstimate(
        integrated_lufs=integrated,
        true_peak_db=round(20 * math.log10(peak), 2) if peak > 0 else None,
        replaygain_db=(
            round(REPLAYGAIN_REFERENCE_LUFS - integrated, 2) if integrated is not None else None
        ),
        loudness_range_lu=lra,
    )
