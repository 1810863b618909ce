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
from typing import Any

import essentia
import essentia.standard as es
import numpy as np
import numpy.typing as npt

from tracktion.analysis import beats
from tracktion.analysis.frames import HOP, SAMPLE_RATE, FrameSpectra, to_analysis_rate
from tracktion.analysis.onsets import OnsetEnvelope, Onsets
from tracktion.analysis.results import FloatArray, TempoEstimate

essentia.log.infoActive = False
essentia.log.warningActive = False

_FPS = SAMPLE_RATE / HOP
_MIN_SECONDS = 3.0
_SILENCE_RMS = 1e-4
_MIN_PULSE = 0.08
_RATIOS = (2.0, 0.5, 1.5, 2.0 / 3.0)
"""Metrical-level errors between methods: octave and 3:2."""
_AGREE = 0.04
"""Relative tempo difference within which two answers agree (Acc1)."""
EXCERPT_SAMPLES = 30 * SAMPLE_RATE
"""essentia cross-checks on at most this much (the middle) of a track: it costs the most."""
_SHORT_EXCERPT_SAMPLES = 15 * SAMPLE_RATE
_CLEAR_PULSE = 0.5
"""Onset periodicity at the tracked period above which the cross-check hears 15 s only."""
_TEMPOGRAM_FRAMES = round(60.0 * _FPS)
"""librosa's tracker period comes from the middle minute (its tempogram grows with length)."""
_RANGE_SLACK = 1.04
"""Tempi this close outside the preferred range count as inside (70 stays 69.99)."""

_local = threading.local()

Float64Array = npt.NDArray[np.float64]


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
    signal = to_analysis_rate(np.ascontiguousarray(mono, dtype=np.float32), sample_rate)
    envelope = OnsetEnvelope()
    envelope.push(signal)
    frames = FrameSpectra((envelope,))
    frames.push(signal)
    frames.finish()
    return tempo_of(envelope, middle(signal, EXCERPT_SAMPLES), preferred=preferred)


def tempo_of(
    envelope: OnsetEnvelope, excerpt: FloatArray, *, preferred: tuple[float, float]
) -> TempoEstimate:
    """Consensus tempo from a whole signal's onset envelope (fed block by block or at once)
    and an excerpt of its middle at 44.1 kHz (essentia's cross-check listens to that)."""
    power = envelope.energy / max(envelope.samples, 1)
    if envelope.samples < _MIN_SECONDS * SAMPLE_RATE or math.sqrt(power) < _SILENCE_RMS:
        return TempoEstimate(bpm=None, confidence=0.0, beat_offset_s=None)
    algorithms: dict[str, dict[str, Any]] = {}
    onsets = envelope.finish()
    grid = _librosa_grid(onsets.full, algorithms)
    if grid is None:
        _essentia_degara(np.ascontiguousarray(excerpt), algorithms)
        return TempoEstimate(bpm=None, confidence=0.0, beat_offset_s=None, algorithms=algorithms)
    pulse = _pulse_strength(onsets.full, grid.period_s)
    if pulse >= _CLEAR_PULSE:  # a clear pulse: the cross-check needs less to confirm it
        excerpt = middle(excerpt, _SHORT_EXCERPT_SAMPLES)
    degara_bpm = _essentia_degara(np.ascontiguousarray(excerpt), algorithms)
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


def middle(x: FloatArray, size: int) -> FloatArray:
    """The middle ``size`` samples of ``x`` (all of it when shorter)."""
    start = max(0, (x.size - size) // 2)
    return x[start : start + size]


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


def _librosa_grid(env: Float64Array, algorithms: dict[str, dict[str, Any]]) -> _Grid | None:
    """librosa beat tracking, then a robust line fit of beat time against beat index."""
    if not np.any(env > 0):
        algorithms["librosa_beats"] = {"bpm": None, "beats": 0}
        return None
    start = max(0, (env.size - _TEMPOGRAM_FRAMES) // 2)
    tracker_bpm = beats.tempo(env[start : start + _TEMPOGRAM_FRAMES], _FPS, HOP)
    frames = beats.beat_frames(env, tracker_bpm, _FPS)
    times = np.array([_peak_time(env, int(f)) for f in frames], dtype=np.float64)
    fitted = _fit_period(times)
    algorithms["librosa_beats"] = {
        "bpm": None if fitted is None else 60.0 / fitted[0],
        "tracker_bpm": tracker_bpm,
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
    onsets: Onsets, grid: _Grid, other_bpm: float | None, preferred: tuple[float, float]
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
