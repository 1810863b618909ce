"""Where a library track plays in a DJ mix, and how much of the mix it carries frame by frame.

Three steps, all at 11025 Hz mono:

1. Coarse placement: log-mel frames (20 fps) of the track slid along those of the mix
   (normalised cross-correlation, via FFT). Loop-based music gives near-equal peaks every bar or
   phrase, so this only bounds where to look.
2. Fine placement: the track's waveform cross-correlated with the mix's waveform over that
   stretch. The mix contains the track itself (same recording, not time-stretched), so the true
   lag adds up coherently over every matching bar and beats repeats of a loop; it is exact to
   the sample. A remaining ambiguity between identical loops does not matter for step 3.
3. Share: per frame (1024-sample Hann STFT, 20 fps) and per band (40-200-800-2500-5000 Hz, so
   EQ'd fades are followed), the track's gain is the coherent projection of the mix spectrum on
   the aligned track spectrum, ``b = max(0, Re<Q, M> / |Q|^2)``, with both sums taken over a
   second of frames (a least-squares gain; per frame its square would be biased up by the
   outgoing track). The outgoing track is uncorrelated with the incoming one, so the
   projection needs no model of it. The share is ``sum b^2 |Q|^2 / sum |M|^2``.

Assumes the mix plays the library recording at its own speed and pitch (no time-stretch or
key-lock; a DJ's tempo fader breaks the coherence of step 2 and 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING, Final

import librosa
import numpy as np
import numpy.typing as npt
from scipy.ndimage import uniform_filter1d
from scipy.signal import fftconvolve

from tracktion.analysis.decode import iter_blocks

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from tracktion.analysis.results import FloatArray

Float64Array = npt.NDArray[np.float64]
ComplexArray = npt.NDArray[np.complex64]

SAMPLE_RATE: Final = 11025
HOP: Final = 551
"""Samples between frames (20.01 frames per second)."""
FPS: Final = SAMPLE_RATE / HOP
_MEL_FRAME: Final = 2048
_STFT_FRAME: Final = 1024
_N_MELS: Final = 64
_BAND_EDGES_HZ: Final = (40.0, 200.0, 800.0, 2500.0, 5000.0)
_SMOOTH_S: Final = 1.0
_SCAN_BLOCK_S: Final = 60.0
_MIN_OVERLAP_S: Final = 30.0
"""Coarse placements overlapping the mix by less than this are not considered."""


@cache
def _mel_basis() -> FloatArray:
    basis = librosa.filters.mel(
        sr=SAMPLE_RATE, n_fft=_MEL_FRAME, n_mels=_N_MELS, fmin=40.0, fmax=5000.0
    )
    return np.asarray(basis.T, dtype=np.float32)


def log_mel(signal: FloatArray) -> FloatArray:
    """Log-mel frames (n, 64) of a mono signal at :data:`SAMPLE_RATE`, frame k at ``k * HOP``."""
    if len(signal) < _MEL_FRAME:
        signal = np.pad(signal, (0, _MEL_FRAME - len(signal)))
    count = 1 + (len(signal) - _MEL_FRAME) // HOP
    window = np.hanning(_MEL_FRAME).astype(np.float32)
    out = np.empty((count, _N_MELS), dtype=np.float32)
    for first in range(0, count, 1024):
        rows = np.arange(first, min(count, first + 1024))
        frames = signal[rows[:, None] * HOP + np.arange(_MEL_FRAME)[None, :]] * window
        power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
        out[rows] = np.log(power.astype(np.float32) @ _mel_basis() + 1e-6)
    return out


def mix_log_mel(path: str) -> FloatArray:
    """Log-mel frames of a whole mix, decoded block by block (memory: the frames only)."""
    parts: list[FloatArray] = []
    carry = np.zeros(0, dtype=np.float32)
    for block in iter_blocks(path, sample_rate=SAMPLE_RATE, block_s=60.0):
        signal = np.concatenate([carry, block])
        if len(signal) < _MEL_FRAME:
            carry = signal
            continue
        frames = log_mel(signal)
        parts.append(frames)
        carry = signal[len(frames) * HOP :]
    if len(carry):
        parts.append(log_mel(carry))
    return np.concatenate(parts) if parts else np.zeros((0, _N_MELS), dtype=np.float32)


def coarse_placement(mix: FloatArray, track: FloatArray, lo: int, hi: int) -> int | None:
    """The frame of the mix where the track's first frame best fits, within ``[lo, hi]``."""
    lo, hi = max(lo, -len(track) + 1), min(hi, len(mix) - 1)
    if hi < lo:
        return None
    start, stop = max(0, lo), min(len(mix), hi + len(track))
    segment = mix[start:stop].astype(np.float64)
    segment -= segment.mean(axis=0)
    template = track.astype(np.float64) - track.mean(axis=0)
    lags = np.arange(lo, hi + 1)
    numerator = np.zeros(len(lags))
    for band in range(template.shape[1]):
        full = fftconvolve(segment[:, band], template[::-1, band], mode="full")
        numerator += full[lags - start + len(template) - 1]
    seg_energy = np.concatenate([[0.0], np.cumsum((segment**2).sum(axis=1))])
    tpl_energy = np.concatenate([[0.0], np.cumsum((template**2).sum(axis=1))])
    first = np.maximum(lags, start) - lags
    last = np.minimum(lags + len(template), stop) - lags
    overlap = last - first
    energy = (tpl_energy[last] - tpl_energy[first]) * (
        seg_energy[lags + last - start] - seg_energy[lags + first - start]
    )
    score = numerator / np.sqrt(np.maximum(energy, 1e-12))
    score[overlap < min(len(template), _MIN_OVERLAP_S * FPS)] = -np.inf
    if not np.isfinite(score).any():
        return None
    return int(lags[int(np.argmax(score))])


def fine_placement(segment: FloatArray, track: FloatArray, lo: int, hi: int) -> int:
    """The sample offset of the track in ``segment`` (within ``[lo, hi]``) whose coherent
    correlation with the mix is largest."""
    full = fftconvolve(segment.astype(np.float64), track[::-1].astype(np.float64), mode="full")
    lags = np.arange(max(lo, -len(track) + 1), min(hi, len(segment) - 1) + 1)
    return int(lags[int(np.argmax(full[lags + len(track) - 1]))])


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a track plays in a mix, found by streaming the whole mix."""

    lag: int
    """Mix sample of the track's first sample."""
    segment: FloatArray
    """The mix from ``lag`` for the track's length."""


def scan_placement(path: str, track: FloatArray, first: int, last: int) -> Placement | None:
    """The lag in ``[first, last]`` (mix samples) where the track, wholly inside the mix, has
    the largest coherent correlation with it: :func:`fine_placement` over the whole mix,
    decoded block by block (memory: one block plus the track's length)."""
    best: tuple[float, int, FloatArray] | None = None
    carry = np.zeros(0, dtype=np.float32)
    origin = 0
    reversed_track = track[::-1].astype(np.float64)
    for block in iter_blocks(path, sample_rate=SAMPLE_RATE, block_s=_SCAN_BLOCK_S):
        buffer = np.concatenate([carry, block])
        if len(buffer) >= len(track) and origin <= last:
            scores = fftconvolve(buffer.astype(np.float64), reversed_track, mode="valid")
            lags = origin + np.arange(len(scores))
            scores[(lags < first) | (lags > last)] = -np.inf
            k = int(np.argmax(scores))
            if np.isfinite(scores[k]) and (best is None or scores[k] > best[0]):
                best = (float(scores[k]), origin + k, buffer[k : k + len(track)].copy())
        keep = min(len(buffer), max(0, len(track) - 1))
        origin += len(buffer) - keep
        carry = buffer[len(buffer) - keep :]
    return Placement(best[1], best[2]) if best is not None else None


@dataclass(frozen=True, slots=True)
class ShareCurve:
    """The incoming track's share of the mix's energy, per frame where its template covers."""

    times_s: Float64Array
    share: Float64Array
    weight: Float64Array
    """How much each frame counts: 0 where the template is silent or absent."""


def _stft(signal: FloatArray, starts: npt.NDArray[np.int64]) -> ComplexArray:
    window = np.hanning(_STFT_FRAME).astype(np.float32)
    top = int(_BAND_EDGES_HZ[-1] * _STFT_FRAME / SAMPLE_RATE) + 1
    frames = signal[starts[:, None] + np.arange(_STFT_FRAME)[None, :]] * window
    return np.fft.rfft(frames, axis=1)[:, :top].astype(np.complex64)


def _smooth(values: Float64Array) -> Float64Array:
    """Moving average over :data:`_SMOOTH_S` along the first axis."""
    width = max(1, round(_SMOOTH_S * FPS))
    return np.asarray(uniform_filter1d(values, width, axis=0, mode="nearest"), dtype=np.float64)


def share_curve(segment: FloatArray, origin: int, track: FloatArray, lag: int) -> ShareCurve:
    """Per-frame share of ``track`` (placed at sample ``lag`` of ``segment``) in the mix.

    ``origin`` is the mix sample where ``segment`` begins (times are mix times).
    """
    first = max(lag, 0)
    last = min(len(segment), lag + len(track)) - _STFT_FRAME
    starts = np.arange(first, last + 1, HOP, dtype=np.int64)
    if len(starts) < 2:
        empty = np.zeros(0)
        return ShareCurve(empty, empty, empty)
    bins = np.fft.rfftfreq(_STFT_FRAME, 1 / SAMPLE_RATE)
    edges = [int(np.searchsorted(bins, hz)) for hz in _BAND_EDGES_HZ]
    cross = np.zeros((len(starts), len(edges) - 1))
    power = np.zeros_like(cross)
    mixed_power = np.zeros_like(cross)
    for chunk in range(0, len(starts), 2048):
        at = starts[chunk : chunk + 2048]
        mixed, template = _stft(segment, at), _stft(track, at - lag)
        rows = slice(chunk, chunk + len(at))
        for band, (low, high) in enumerate(pairwise(edges)):
            cross[rows, band] = np.real(np.conj(template[:, low:high]) * mixed[:, low:high]).sum(1)
            power[rows, band] = (np.abs(template[:, low:high]) ** 2).sum(axis=1)
            mixed_power[rows, band] = (np.abs(mixed[:, low:high]) ** 2).sum(axis=1)
    cross, power, mixed_power = _smooth(cross), _smooth(power), _smooth(mixed_power)
    energy_in = np.where(power > 1e-9, np.maximum(cross, 0.0) ** 2 / np.maximum(power, 1e-9), 0.0)
    energy_in = np.minimum(energy_in, mixed_power).sum(axis=1)
    total = mixed_power.sum(axis=1)
    floor = 1e-4 * float(np.median(total)) if total.any() else 1.0
    share = np.where(total > floor, energy_in / np.maximum(total, 1e-12), 0.0)
    times = (origin + starts + _STFT_FRAME / 2) / SAMPLE_RATE
    return ShareCurve(times, share, (total > floor).astype(np.float64))


def iter_windows(path: str, windows: Sequence[tuple[int, int]]) -> Iterator[tuple[int, FloatArray]]:
    """Decode the mix once more and yield ``(index, samples)`` for each ``(start, stop)`` sample
    window as soon as it is complete (memory: the windows open at the same time)."""
    order = sorted(range(len(windows)), key=lambda i: windows[i][0])
    open_parts: dict[int, list[FloatArray]] = {}
    position = 0
    pending = 0
    for block in iter_blocks(path, sample_rate=SAMPLE_RATE, block_s=30.0):
        end = position + len(block)
        while pending < len(order) and windows[order[pending]][0] < end:
            open_parts[order[pending]] = []
            pending += 1
        for index in list(open_parts):
            start, stop = windows[index]
            piece = block[max(0, start - position) : max(0, min(len(block), stop - position))]
            open_parts[index].append(piece)
            if stop <= end:
                yield index, np.concatenate(open_parts.pop(index))
        position = end
    for index, parts in open_parts.items():
        yield index, np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    for index in order[pending:]:  # windows that begin after the end of the mix
        yield index, np.zeros(0, dtype=np.float32)
