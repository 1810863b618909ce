"""EBU R128 loudness (essentia ``LoudnessEBUR128``), true peak and ReplayGain 2.0 gain."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy.signal import firwin, upfirdn

from tracktion.analysis.results import FloatArray, LoudnessEstimate

REPLAYGAIN_REFERENCE_LUFS = -18.0
ABSOLUTE_GATE_LUFS = -70.0
OVERSAMPLING = 4
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


_HALF_TAPS = 10 * OVERSAMPLING
# resample_poly's 4x interpolation filter, designed once (resample_poly redesigns it per call)
_TAPS = firwin(2 * _HALF_TAPS + 1, 1.0 / OVERSAMPLING, window=("kaiser", 5.0)) * OVERSAMPLING
# No interpolated sample exceeds this times the largest input sample it depends on, so only
# the neighbourhoods of samples within this factor of the sample peak can hold the true peak.
_GAIN_BOUND = float(max(np.abs(_TAPS[p::OVERSAMPLING]).sum() for p in range(OVERSAMPLING)))
_REACH = _HALF_TAPS // OVERSAMPLING + 1  # input samples one output sample depends on, each side
_JOIN_GAP = 4096  # hot stretches closer than this are oversampled in one call


def true_peak(channels: FloatArray) -> float:
    """Largest absolute value of the 4x oversampled signal (linear, 0 for silence).

    Exact, but only the stretches that could hold the true peak are oversampled: those within
    the filter's gain bound of the sample peak (a small part of most masters).
    """
    magnitude = np.abs(channels)
    peak = float(magnitude.max()) if channels.size else 0.0
    if peak == 0.0:
        return 0.0
    threshold = peak / _GAIN_BOUND
    n = channels.shape[1]
    for channel, level in zip(channels, magnitude, strict=True):
        hot = np.flatnonzero(level >= threshold)
        if hot.size == 0:
            continue
        for lo, hi in _stretches(hot, n):
            start, stop = max(0, lo - _MARGIN), min(n, hi + _MARGIN)
            up = upfirdn(_TAPS, channel[start:stop], OVERSAMPLING)[_HALF_TAPS:]
            keep = up[(lo - start) * OVERSAMPLING : (hi - start) * OVERSAMPLING]
            peak = max(peak, float(np.max(np.abs(keep))))
    return peak


def _stretches(hot: npt.NDArray[np.intp], n: int) -> list[tuple[int, int]]:
    """Merge the neighbourhoods (+- _REACH samples) of hot samples into [lo, hi) ranges."""
    breaks = np.flatnonzero(np.diff(hot) > _JOIN_GAP)
    starts = np.concatenate(([hot[0]], hot[breaks + 1]))
    ends = np.concatenate((hot[breaks], [hot[-1]]))
    return [
        (max(0, int(lo) - _REACH), min(n, int(hi) + _REACH + 1))
        for lo, hi in zip(starts, ends, strict=True)
    ]


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
