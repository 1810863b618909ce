"""Tempo and beat grid: essentia (degara) and librosa beats, reconciled into one precise tempo.

librosa's beat tracker on a mel-flux onset envelope gives beat times; a robust least-squares
line through them gives the period far more precisely than any tempogram bin (the final
tempo is that period times a metrical ratio, never rounded). The level (octave and 3:2
errors) is decided by kick syncopation, essentia's answer backed by onset periodicity, and the
preferred range; agreement between the methods and pulse strength make the confidence.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

import essentia
import essentia.standard as es
import librosa
import numpy as np
import numpy.typing as npt
import scipy.fft
from scipy.signal import firwin, resample_poly

from tracktion.analysis.results import FloatArray, TempoEstimate

essentia.log.infoActive = False
essentia.log.warningActive = False

_ESSENTIA_SR = 44100
_LIBROSA_SR = 22050
_HOP = 512
_FPS = _LIBROSA_SR / _HOP
_MIN_SECONDS = 3.0
_SILENCE_RMS = 1e-4
_MIN_PULSE = 0.08
_RATIOS = (2.0, 0.5, 1.5, 2.0 / 3.0)
"""Metrical-level errors between methods: octave and 3:2."""
_AGREE = 0.04
"""Relative tempo difference within which two answers agree (Acc1)."""
_ESSENTIA_MAX_S = 30.0
"""essentia cross-checks on at most this much (the middle) of a track: it costs the most."""
_TEMPOGRAM_FRAMES = round(60.0 * _FPS)
"""librosa's tracker period comes from the middle minute (its tempogram grows with length)."""
_RANGE_SLACK = 1.04
"""Tempi this close outside the preferred range count as inside (70 stays 69.99)."""
_LOW_HZ = 150.0
"""Onsets below this mark kicks (downbeat)."""
_N_FFT = 2048
_N_MELS = 64
_SPECTRUM_BLOCK = 256
"""Frames transformed at once (fits the cache; the whole track at once is slower)."""
_HALFBAND_TAPS = 15
"""Low-pass of the 2:1 decimation; its aliasing stays in the top mel bands."""

_local = threading.local()

Float64Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class _Onsets:
    full: Float64Array
    low: Float64Array


@dataclass(frozen=True, slots=True)
class _Grid:
    period_s: float
    phase_s: float


def estimate_tempo(
    mono: FloatArray, sample_rate: int, *, preferred: tuple[float, float] = (70.0, 180.0)
) -> TempoEstimate:
    """Consensus tempo, confidence and first downbeat of a mono signal.

    ``preferred`` (BPM) breaks ties between metrical levels the audio cannot decide; set it
    per genre (e.g. (160, 180) for drum & bass). Returns bpm None for signals without a pulse.
    """
    if mono.size < _MIN_SECONDS * sample_rate or _rms(mono) < _SILENCE_RMS:
        return TempoEstimate(bpm=None, confidence=0.0, beat_offset_s=None)
    signal = np.ascontiguousarray(mono, dtype=np.float32)
    algorithms: dict[str, dict[str, Any]] = {}
    excerpt = _middle(signal, int(_ESSENTIA_MAX_S * sample_rate))
    degara_bpm = _essentia_degara(_resample(excerpt, sample_rate, _ESSENTIA_SR), algorithms)
    onsets = _onsets(_to_librosa_rate(signal, sample_rate))
    grid = _librosa_grid(onsets.full, algorithms)
    if grid is None:
        return TempoEstimate(bpm=None, confidence=0.0, beat_offset_s=None, algorithms=algorithms)
    pulse = _pulse_strength(onsets.full, grid.period_s)
    ratio, agreement = _choose_level(onsets, grid, degara_bpm, preferred)
    period = grid.period_s / ratio
    confidence = float(np.clip(0.6 * min(1.0, pulse / 0.5) + 0.4 * agreement, 0.0, 1.0))
    if pulse < _MIN_PULSE:
        return TempoEstimate(
            bpm=None, confidence=min(confidence, 0.2), beat_offset_s=None, algorithms=algorithms
        )
    phase = _best_phase(onsets.full, period, grid.phase_s)
    offset = _first_downbeat(onsets.low, period, phase)
    return TempoEstimate(
        bpm=60.0 / period, confidence=confidence, beat_offset_s=offset, algorithms=algorithms
    )


def _rms(x: FloatArray) -> float:
    return math.sqrt(max(0.0, float(np.dot(x, x))) / x.size)


def _middle(x: FloatArray, size: int) -> FloatArray:
    start = max(0, (x.size - size) // 2)
    return x[start : start + size]


def _resample(x: FloatArray, rate: int, target: int) -> FloatArray:
    if rate == target:
        return x
    g = math.gcd(rate, target)
    return np.ascontiguousarray(resample_poly(x, target // g, rate // g), dtype=np.float32)


def _to_librosa_rate(x: FloatArray, rate: int) -> FloatArray:
    """``x`` at 22.05 kHz; from 44.1 kHz by a short half-band FIR (``resample_poly``'s long
    filter costs more than the whole spectrogram; aliasing stays in the top mel bands)."""
    if rate != 2 * _LIBROSA_SR:
        return _resample(x, rate, _LIBROSA_SR)
    taps = _halfband()
    half = _HALFBAND_TAPS // 2
    pad = half + half % 2  # even, so the centre tap meets even input samples
    n = (x.size + 1) // 2
    padded = np.zeros(2 * (n + pad + 1), dtype=np.float32)
    padded[pad : pad + x.size] = x
    odd = np.ascontiguousarray(padded[1::2])
    y: FloatArray = taps[half] * padded[pad : pad + 2 * n : 2]
    for k in range(1, half + 1, 2):  # a half-band filter is zero at even distances
        lo, hi = (pad - k - 1) // 2, (pad + k - 1) // 2
        y += taps[half + k] * (odd[lo : lo + n] + odd[hi : hi + n])
    return y


@cache
def _halfband() -> FloatArray:
    return np.asarray(firwin(_HALFBAND_TAPS, 0.5, window=("kaiser", 5.0)), dtype=np.float32)


def _rhythm_extractor() -> Any:
    """One RhythmExtractor2013 per thread: configuring it costs more than running it."""
    algorithm = getattr(_local, "degara", None)
    if algorithm is None:
        algorithm = _local.degara = es.RhythmExtractor2013(method="degara")
    else:
        algorithm.reset()
    return algorithm


def _essentia_degara(x: FloatArray, algorithms: dict[str, dict[str, Any]]) -> float | None:
    """essentia RhythmExtractor2013 (degara); its answer goes into ``algorithms``."""
    bpm, ticks, _, _, _ = _rhythm_extractor()(x)
    fitted = _fit_period(np.asarray(ticks, dtype=np.float64))
    answer = float(bpm) if bpm > 0 else None
    algorithms["essentia_degara"] = {
        "bpm": answer,
        "fitted_bpm": None if fitted is None else 60.0 / fitted[0],
        "beats": len(ticks),
    }
    return None if fitted is None else 60.0 / fitted[0]


def _onsets(y: FloatArray) -> _Onsets:
    """Mel spectral flux (log power, half-wave rectified): all bands and the low bands."""
    mel = _mel_power(y)
    log = librosa.power_to_db(mel, ref=np.max, top_db=80.0)
    flux = np.maximum(0.0, np.diff(log, axis=1, prepend=log[:, :1]))
    freqs = librosa.mel_frequencies(n_mels=_N_MELS, fmax=_LIBROSA_SR / 2)
    return _Onsets(full=flux.mean(axis=0), low=flux[freqs <= _LOW_HZ].mean(axis=0))


def _mel_power(y: FloatArray) -> FloatArray:
    """librosa's centred Hann-window mel power spectrogram, in float32 blocks of frames."""
    padded = np.pad(y, _N_FFT // 2)
    count = 1 + (padded.size - _N_FFT) // _HOP
    frames = np.lib.stride_tricks.sliding_window_view(padded, _N_FFT)[::_HOP][:count]
    window, basis = _spectrum_constants()
    mel = np.empty((count, _N_MELS), dtype=np.float32)
    for start in range(0, count, _SPECTRUM_BLOCK):
        spectrum = scipy.fft.rfft(frames[start : start + _SPECTRUM_BLOCK] * window, workers=1)
        parts = np.square(spectrum.view(np.float32))  # interleaved real and imaginary parts
        mel[start : start + _SPECTRUM_BLOCK] = (parts[:, 0::2] + parts[:, 1::2]) @ basis
    return mel.T


@cache
def _spectrum_constants() -> tuple[FloatArray, FloatArray]:
    """Hann window and the transposed mel filterbank, both float32."""
    window = librosa.filters.get_window("hann", _N_FFT, fftbins=True).astype(np.float32)
    basis = librosa.filters.mel(sr=_LIBROSA_SR, n_fft=_N_FFT, n_mels=_N_MELS, fmax=_LIBROSA_SR / 2)
    return window, np.ascontiguousarray(basis.T, dtype=np.float32)


def _librosa_grid(env: Float64Array, algorithms: dict[str, dict[str, Any]]) -> _Grid | None:
    """librosa beat tracking, then a robust line fit of beat time against beat index."""
    if not np.any(env > 0):
        algorithms["librosa_beats"] = {"bpm": None, "beats": 0}
        return None
    start = max(0, (env.size - _TEMPOGRAM_FRAMES) // 2)
    tempo = librosa.feature.tempo(
        onset_envelope=env[start : start + _TEMPOGRAM_FRAMES], sr=_LIBROSA_SR, hop_length=_HOP
    )
    _, frames = librosa.beat.beat_track(
        onset_envelope=env, sr=_LIBROSA_SR, hop_length=_HOP, units="frames", bpm=tempo[0]
    )
    times = np.array([_peak_time(env, int(f)) for f in frames], dtype=np.float64)
    fitted = _fit_period(times)
    algorithms["librosa_beats"] = {
        "bpm": None if fitted is None else 60.0 / fitted[0],
        "tracker_bpm": float(np.atleast_1d(tempo)[0]),
        "beats": len(frames),
    }
    if fitted is None:
        return None
    return _Grid(period_s=fitted[0], phase_s=fitted[1])


def _peak_time(env: Float64Array, frame: int) -> float:
    """Time of the onset peak near ``frame``, interpolated between frames (parabola)."""
    lo, hi = max(frame - 2, 1), min(frame + 3, env.size - 1)
    k = lo + int(np.argmax(env[lo:hi])) if hi > lo else frame
    shift = 0.0
    if 0 < k < env.size - 1:
        a, b, c = env[k - 1], env[k], env[k + 1]
        denom = a - 2 * b + c
        if denom < 0:
            shift = float(np.clip(0.5 * (a - c) / denom, -0.5, 0.5))
    return (k + shift) / _FPS


def _fit_period(times: Float64Array) -> tuple[float, float] | None:
    """(period, phase) of a line through beat times; beats off the line are dropped once."""
    if times.size < 4:
        return None
    intervals = np.diff(times)
    step = float(np.median(intervals))
    if step <= 0:
        return None
    index = np.concatenate([[0], np.cumsum(np.maximum(1, np.round(intervals / step)))])
    slope, intercept = np.polyfit(index, times, 1)
    keep = np.abs(times - (intercept + slope * index)) < 0.15 * slope
    if keep.sum() >= 4 and not keep.all():
        slope, intercept = np.polyfit(index[keep], times[keep], 1)
    if slope <= 0:
        return None
    return float(slope), float(intercept % slope)


def _comb(env: Float64Array, period_s: float, phase_s: float) -> Float64Array:
    """Onset strength at each grid position (max within one frame)."""
    n = int((env.size / _FPS - phase_s) / period_s)
    if n < 1:
        return np.zeros(0)
    frames = np.round((phase_s + period_s * np.arange(n)) * _FPS).astype(int)
    frames = frames[(frames >= 1) & (frames < env.size - 1)]
    peaks: Float64Array = np.maximum(np.maximum(env[frames - 1], env[frames]), env[frames + 1])
    return peaks


def _best_phase(env: Float64Array, period_s: float, anchor_s: float) -> float:
    """Phase (tracker phase shifted by 1/4 or 1/3 beat) whose beats have the strongest onsets."""
    candidates = [(anchor_s + k * period_s / 4) % period_s for k in range(4)]
    candidates += [(anchor_s + k * period_s / 3) % period_s for k in range(1, 3)]
    return max(candidates, key=lambda p: _mean(_comb(env, period_s, p)))


def _mean(x: Float64Array) -> float:
    return float(x.mean()) if x.size else 0.0


def _pulse_strength(env: Float64Array, period_s: float) -> float:
    """Normalised autocorrelation of the onset envelope at the beat period (0..1)."""
    x = env - env.mean()
    energy = float(np.dot(x, x))
    lag = round(period_s * _FPS)
    if energy <= 0 or lag < 1 or lag >= x.size // 2:
        return 0.0
    values = [float(np.dot(x[:-k], x[k:])) / energy for k in (lag - 1, lag, lag + 1) if k > 0]
    return max(0.0, max(values))


def _syncopation_ratio(low: Float64Array, grid: _Grid) -> float:
    """2 when kicks land on the 16ths of the tracked beat (8ths of a beat twice as fast: the
    breakbeat of drum & bass tracked at half speed), else 1."""
    quarters = _comb(low, grid.period_s / 4, grid.phase_s)
    if quarters.size < 32:
        return 1.0
    slots = np.array([_mean(quarters[k::4]) for k in range(4)])
    slots = np.roll(slots, -int(np.argmax(slots)))  # the tracked phase may be a 16th off
    return 2.0 if slots[0] > 0 and max(slots[1], slots[3]) > 0.25 * slots[0] else 1.0


def _choose_level(
    onsets: _Onsets, grid: _Grid, other_bpm: float | None, preferred: tuple[float, float]
) -> tuple[float, float]:
    """(tempo ratio to apply to the tracked grid, agreement 0..1 with the other method).

    Octaves: kick syncopation, then the preferred range (onset periodicity cannot tell a beat
    from its double). 3:2 errors: the other method's level wins if the onset envelope repeats
    clearly better at its period.
    """
    base = 60.0 / grid.period_s
    ratio = _syncopation_ratio(onsets.low, grid)
    if other_bpm is not None:
        for r in (1.5, 2.0 / 3.0):
            if (
                _agrees(other_bpm, base * ratio * r)
                and _pulse_strength(onsets.full, grid.period_s / (ratio * r))
                > _pulse_strength(onsets.full, grid.period_s / ratio) + 0.1
            ):
                ratio *= r
                break
    bpm = base * ratio
    low, high = preferred[0] / _RANGE_SLACK, preferred[1] * _RANGE_SLACK
    if bpm < low and 2 * bpm <= high:
        ratio *= 2.0
    elif bpm > high and bpm / 2 >= low:
        ratio /= 2.0
    if other_bpm is None:
        return ratio, 0.0
    if _agrees(other_bpm, base * ratio):
        return ratio, 1.0
    if any(_agrees(other_bpm, base * ratio * r) for r in _RATIOS):
        return ratio, 0.5
    return ratio, 0.0


def _agrees(a: float, b: float) -> bool:
    return abs(a / b - 1.0) < _AGREE


def _first_downbeat(low: Float64Array, period_s: float, phase_s: float) -> float:
    """First beat of the group-of-four phase with the strongest low-frequency onsets."""
    beats = _comb(low, period_s, phase_s)
    if beats.size < 4:
        return phase_s
    strength = [float(beats[k::4].mean()) for k in range(4)]
    return phase_s + period_s * int(np.argmax(strength))
