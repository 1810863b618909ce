"""librosa's tempo estimate and dynamic-programming beat tracker (Ellis 2007), in numpy.

Same algorithms and defaults as ``librosa.feature.tempo`` (8 s autocorrelation tempogram,
log-normal prior around 120 BPM) and ``librosa.beat.beat_track`` (Gaussian local score,
tightness 100, weak leading and trailing beats trimmed), without numba: loading LLVM for
librosa's jitted kernels costs an analysis worker ~170 MB of memory. The dynamic program is
vectorised over half a beat at a time (no beat can follow another sooner).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import scipy.fft

Float64Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_AC_SECONDS: Final = 8.0
_START_BPM: Final = 120.0
_MAX_BPM: Final = 320.0
_TIGHTNESS: Final = 100.0


def tempo(envelope: Float64Array, frame_rate: float, hop: int) -> float:
    """The tempo (BPM) of an onset envelope, as ``librosa.feature.tempo`` (its defaults)."""
    window = int(_AC_SECONDS * frame_rate * hop) // hop
    n = envelope.size
    half = window // 2
    padded = np.pad(envelope, (half, half), mode="linear_ramp", end_values=(0, 0))
    frames = np.lib.stride_tricks.sliding_window_view(padded, window)[:n]
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(window) / window)
    size = scipy.fft.next_fast_len(2 * window - 1, real=True)
    spectrum = scipy.fft.rfft(frames * hann, n=size, axis=1)
    autocorrelation = scipy.fft.irfft(np.square(np.abs(spectrum)), n=size, axis=1)[:, :window]
    peak = np.max(np.abs(autocorrelation), axis=1, keepdims=True)
    peak[peak < np.finfo(np.float64).tiny] = 1.0
    mean = (autocorrelation / peak).mean(axis=0)
    with np.errstate(divide="ignore"):
        bpms = np.concatenate(([np.inf], 60.0 * frame_rate / np.arange(1, window)))
        prior = -0.5 * (np.log2(bpms) - np.log2(_START_BPM)) ** 2
    prior[: int(np.argmax(bpms < _MAX_BPM))] = -np.inf
    return float(bpms[int(np.argmax(np.log1p(1e6 * mean) + prior))])


def beat_frames(envelope: Float64Array, bpm: float, frame_rate: float) -> IntArray:
    """Beat positions (frames) in an onset envelope, as ``librosa.beat.beat_track`` with a
    given ``bpm``; empty for an envelope without onsets."""
    if not envelope.any():
        return np.zeros(0, dtype=np.int64)
    period = float(np.round(frame_rate * 60.0 / bpm))
    score = _local_score(envelope / (envelope.std(ddof=1) + np.finfo(np.float64).tiny), period)
    backlink, cumulative = _dynamic_program(score, period)
    beats = np.zeros(score.size, dtype=bool)
    position = _last_beat(cumulative)
    while position >= 0:
        beats[position] = True
        position = int(backlink[position])
    return np.flatnonzero(_trimmed(score, beats)).astype(np.int64)


def _local_score(onsets: Float64Array, period: float) -> Float64Array:
    """Onsets smoothed by a Gaussian a beat wide (librosa's centred convolution, whose bounds
    leave out the first frame)."""
    window = np.exp(-0.5 * (np.arange(-period, period + 1) * 32.0 / period) ** 2)
    full = np.convolve(np.concatenate(([0.0], onsets[1:])), window)
    start = window.size // 2
    return full[start : start + onsets.size]


def _dynamic_program(score: Float64Array, period: float) -> tuple[IntArray, Float64Array]:
    """Best cumulative score per frame and the previous beat it came from (-1: none).

    A beat at frame i follows one at i - round(period / 2) down to i - 2 period; the frames of
    one half-beat step depend only on earlier steps, so each step is one vectorised pass.
    """
    n = score.size
    nearest, farthest = int(np.round(period / 2)), int(2 * period)
    distances = np.arange(nearest, farthest + 1)  # nearest candidate first, as librosa scans
    penalty = _TIGHTNESS * (np.log(distances) - np.log(period)) ** 2
    cumulative = np.empty(n)
    backlink = np.full(n, -1, dtype=np.int64)
    step = max(1, nearest)
    for start in range(0, n, step):
        rows = np.arange(start, min(n, start + step))
        locations = rows[:, None] - distances[None, :]
        valid = locations >= 0
        candidates = np.where(valid, cumulative[np.maximum(locations, 0)] - penalty, -np.inf)
        best = np.argmax(candidates, axis=1)
        found = valid[np.arange(rows.size), best]
        best_score = candidates[np.arange(rows.size), best]
        cumulative[rows] = score[rows] + np.where(found, best_score, 0.0)
        backlink[rows] = np.where(found, locations[np.arange(rows.size), best], -1)
    # Before the first onset of note, frames start no chain.
    strong = np.flatnonzero(score >= 0.01 * score.max())
    first = int(strong[0]) if strong.size else n
    backlink[:first] = -1
    return backlink, cumulative


def _last_beat(cumulative: Float64Array) -> int:
    """The last local maximum of the cumulative score above half the median maximum."""
    peaks = np.zeros(cumulative.size, dtype=bool)
    peaks[1:-1] = (cumulative[1:-1] > cumulative[:-2]) & (cumulative[1:-1] >= cumulative[2:])
    if cumulative.size > 1:
        peaks[-1] = cumulative[-1] > cumulative[-2]
    threshold = 0.5 * float(np.median(cumulative[peaks])) if peaks.any() else 0.0
    chosen = np.flatnonzero(peaks & (cumulative >= threshold))
    return int(chosen[-1]) if chosen.size else cumulative.size - 1


def _trimmed(score: Float64Array, beats: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Beats without the leading and trailing frames weaker than half the beats' RMS."""
    window = np.hanning(5)
    smooth = np.convolve(score[beats], window)[window.size // 2 : score.size + window.size // 2]
    threshold = 0.5 * float(np.sqrt(np.mean(smooth**2))) if smooth.size else 0.0
    trimmed = beats.copy()
    weak = score <= threshold
    lead = int(np.argmin(weak)) if not weak.all() else score.size
    trail = int(np.argmin(weak[::-1])) if not weak.all() else score.size
    trimmed[:lead] = False
    trimmed[score.size - trail :] = False
    return trimmed
