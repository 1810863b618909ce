"""Accurate CUE times for a DJ mix: each tracklist cue moved to the real transition by matching
the library tracks' audio against the mix (``cue generate --align``).

The cue of an entry is the moment its track becomes dominant: the middle of an equal-power
crossfade (see :mod:`tracktion.analysis.crossfade`). For each entry with a library file:

1. The tracklist's cue and its precision bound where that moment can be (exact: +-45 s;
   minute-only: the minute before to 90 s after, which covers both floored and rounded
   minutes; partial: 10 minutes from the earliest time; unknown: anywhere), narrowed so the
   entries stay in order.
2. The track is placed in the mix (:mod:`tracktion.analysis.mix_matching`): log-mel
   correlation finds where it plays; the waveform's coherent correlation then finds its exact
   start between the previous track's placement and 30 s after that one. When the bounds are
   wide (unknown or partial cues), the waveform is searched over all of them, after the
   previous entry's exact start, streaming the mix once per such entry.
3. Its share of the mix energy is measured frame by frame, between the previous entry's cue
   and the next entry's placement, up to where the library file stops matching the mix (a
   shorter render or another edit), and an equal-power fade is fitted to it (least absolute
   deviation, start and length free), then refitted with the share rescaled by the mix's
   level before and after the fade.

Entries without a library file keep their cue; unknown ones are interpolated by position
between resolved neighbours. Memory: the mix's log-mel frames (a 2-hour mix: 37 MB) plus one
track and its mix window at a time; the mix is decoded twice at 11025 Hz mono.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from tracktion.analysis.crossfade import FadeFit, fit_fade
from tracktion.analysis.decode import decode
from tracktion.analysis.errors import DecodeError
from tracktion.analysis.mix_matching import (
    FPS,
    HOP,
    SAMPLE_RATE,
    ShareCurve,
    coarse_placement,
    fine_placement,
    iter_windows,
    log_mel,
    mix_log_mel,
    scan_placement,
    share_curve,
)
from tracktion.core.tracklist import CuePrecision

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracktion.analysis.mix_matching import Float64Array
    from tracktion.analysis.results import FloatArray

logger = logging.getLogger(__name__)

_REACH_S: Final = {
    CuePrecision.EXACT: (45.0, 45.0),
    CuePrecision.MINUTE: (30.0, 90.0),
    CuePrecision.PARTIAL: (0.0, 600.0),
}
"""How far before and after a cue of each precision the real transition may be."""
_KEPT_ERROR_S: Final = {CuePrecision.EXACT: 1.0, CuePrecision.MINUTE: 60.0}
_WIDE_S: Final = 300.0
"""Bounds wider than this (unknown or partial cues): the log-mel placement is not trusted; the
waveform is searched over the whole span after the previous entry's exact placement."""
_FINE_REACH_S: Final = 30.0
"""The waveform search covers this much either side of the coarse placement."""
_GAP_S: Final = 1.0
"""Least time between two cues."""
_LEVEL_S: Final = 20.0
"""Span of the mix before and after a fade whose levels rescale the share."""
_REFITS: Final = 2
_DROP: Final = 0.35
"""A share this far below its running maximum (once that passed :data:`_HIGH`) means the
library file stopped matching the mix (another render or edit from there on)."""
_HIGH: Final = 0.6


class AlignMethod(StrEnum):
    """Where an aligned cue came from."""

    AUDIO = "audio"
    """Measured: the library track was found in the mix."""
    KEPT = "kept"
    """The tracklist's cue, unchanged (no library file, or the track was not found)."""
    INTERPOLATED = "interpolated"
    """No cue and no audio match: placed by position between resolved neighbours."""


@dataclass(frozen=True, slots=True)
class CueHint:
    """One tracklist entry as the aligner sees it."""

    position: int
    track_path: str | None
    """The matched library file, None when the track is not in the library."""
    cue_s: float | None
    precision: CuePrecision


@dataclass(frozen=True, slots=True)
class AlignedCue:
    """A refined cue: seconds from the start of the mix."""

    position: int
    cue_s: float
    confidence: float
    """0-1: how clearly the track was found and how well the fade fits (1 for the first cue)."""
    method: AlignMethod
    error_hint: float | None
    """Likely error in seconds (+-), None when nothing bounds it."""


@dataclass(slots=True)
class _Job:
    """One entry's search: bounds of its cue, its track, where it was placed, its share."""

    lo_s: float
    hi_s: float
    path: str | None = None
    """The library file, once it decoded."""
    coarse: int | None = None
    """Mix frame of the track's first frame."""
    lags: tuple[int, int] = (0, 0)
    """Mix samples where the track's first sample may be."""
    window: tuple[int, int] = (0, 0)
    lag: int | None = None
    """Mix sample of the track's first sample."""
    curve: ShareCurve | None = None
    wide: bool = False
    """Placed by :func:`scan_placement`, after the previous entries."""


def _bounds(entries: Sequence[CueHint], duration_s: float) -> list[tuple[float, float]]:
    """Per entry, where its cue can be: its own precision, then kept in tracklist order."""
    raw: list[tuple[float, float]] = []
    for entry in entries:
        reach = _REACH_S.get(entry.precision) if entry.cue_s is not None else None
        if entry.cue_s is None or reach is None:
            raw.append((0.0, duration_s))
        else:
            raw.append((max(0.0, entry.cue_s - reach[0]), min(duration_s, entry.cue_s + reach[1])))
    lows = np.maximum.accumulate([lo for lo, _ in raw]) if raw else np.zeros(0)
    highs = np.minimum.accumulate([hi for _, hi in raw][::-1])[::-1] if raw else np.zeros(0)
    return [(float(lo), float(max(lo, hi))) for lo, hi in zip(lows, highs, strict=True)]


def _load(path: str) -> FloatArray | None:
    try:
        return decode(path, sample_rate=SAMPLE_RATE).mono
    except DecodeError as exc:
        logger.warning("Cannot align with %s: %s", path, exc)
        return None


def _place(jobs: list[_Job], mix_frames: FloatArray, paths: Sequence[str | None]) -> None:
    """Decode each library track, find where it plays (coarse) and the mix window to read.

    The coarse placement favours where the track plays alone, usually after its fade-in, so
    the window reaches back to the previous placed track (the fade-in cannot start before that
    track was playing) and to the earliest start the cue's bounds allow.
    """
    lengths: dict[int, int] = {}
    for index, (job, path) in enumerate(zip(jobs, paths, strict=True)):
        track = _load(path) if path else None
        if track is None:
            continue
        if job.hi_s - job.lo_s > _WIDE_S:
            job.path, job.wide = path, True
            continue
        frames = log_mel(track)
        lo = round(job.lo_s * FPS) - len(frames)
        job.coarse = coarse_placement(mix_frames, frames, lo, round(job.hi_s * FPS))
        if job.coarse is not None:
            job.path = path
            lengths[index] = len(track)
    previous: int | None = None
    for index, job in enumerate(jobs):
        if job.coarse is None:
            continue
        length = lengths[index]
        latest = min(
            job.coarse * HOP + round(_FINE_REACH_S * SAMPLE_RATE), round(job.hi_s * SAMPLE_RATE)
        )
        earliest = round(job.lo_s * SAMPLE_RATE) - length
        if previous is not None and previous < latest:
            earliest = max(earliest, previous)
        earliest = max(min(earliest, latest - round(2 * _FINE_REACH_S * SAMPLE_RATE)), -length)
        job.lags = (earliest, latest)
        job.window = (max(0, earliest), min(len(mix_frames) * HOP, latest + length))
        previous = job.coarse * HOP


def _measure(jobs: list[_Job], mix_path: str) -> None:
    """Read each placed track's window of the mix: exact placement and share curve (tracks
    are decoded again here rather than all kept in memory)."""
    placed = [i for i, job in enumerate(jobs) if job.path is not None and not job.wide]
    windows = [jobs[i].window for i in placed]
    for index, segment in iter_windows(mix_path, windows):
        job = jobs[placed[index]]
        track = _load(job.path) if job.path else None
        if track is None or job.coarse is None or len(segment) < len(track) // 4:
            continue
        origin = job.window[0]
        lag = fine_placement(segment, track, job.lags[0] - origin, job.lags[1] - origin)
        job.lag = origin + lag
        job.curve = share_curve(segment, origin, track, lag)
    previous = 0
    for job in jobs:
        if job.wide and job.path is not None:
            _scan(job, job.path, mix_path, previous)
        previous = max(previous, job.lag + 1) if job.lag is not None else previous


def _scan(job: _Job, path: str, mix_path: str, first: int) -> None:
    """Place a track whose cue bounds little, after ``first``, streaming the mix."""
    track = _load(path)
    if track is None:
        return
    found = scan_placement(mix_path, track, first, round(job.hi_s * SAMPLE_RATE))
    if found is not None:
        job.lag = found.lag
        job.curve = share_curve(found.segment, found.lag, track, 0)


def _level(energy: FloatArray, lo_s: float, hi_s: float) -> float | None:
    """Median mix energy between two times (None when the span is shorter than a second)."""
    lo, hi = max(0, round(lo_s * FPS)), min(len(energy), round(hi_s * FPS))
    return float(np.median(energy[lo:hi])) if hi - lo >= FPS else None


def _matching(share: Float64Array, inside: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``inside`` up to where the library file stops matching the mix.

    Between the previous cue and the next track's placement the incoming track only gains, so
    a large fall of its share after it was high means the template no longer fits the mix.
    """
    peak = np.maximum.accumulate(np.where(inside, share, 0.0))
    fallen = inside & (peak >= _HIGH) & (share < peak - _DROP)
    if not fallen.any():
        return inside
    out = inside.copy()
    out[int(np.argmax(fallen)) :] = False
    return out


def _fit(
    job: _Job, energy: FloatArray, after_s: float, before_s: float
) -> tuple[FadeFit, float] | None:
    """The fade fitted between the previous cue and the next track's placement, and its
    confidence.

    The share of energy reaches 1/2 at the fade's middle only if both tracks are equally loud
    in the analysed band; so after a first fit the energies are rescaled by the mix's level
    before the fade (the outgoing track alone) and after it (the incoming one), and refitted.
    """
    curve = job.curve
    if curve is None or not len(curve.times_s):
        return None
    inside = _matching(curve.share, (curve.times_s > after_s) & (curve.times_s < before_s))
    weight = curve.weight * inside
    lo, hi = max(job.lo_s, after_s + _GAP_S), min(job.hi_s, before_s)
    share = curve.share
    fit = fit_fade(curve.times_s, share, weight, lo_s=lo, hi_s=hi)
    for _ in range(_REFITS):
        if fit is None:
            return None
        end_s = fit.start_s + fit.length_s
        alone = _level(energy, max(after_s, fit.start_s - _LEVEL_S), fit.start_s)
        joined = _level(energy, end_s, min(before_s, end_s + _LEVEL_S))
        if not alone or not joined:
            break
        rescaled = (curve.share / joined) / (curve.share / joined + (1 - curve.share) / alone)
        refit = fit_fade(curve.times_s, rescaled, weight, lo_s=lo, hi_s=hi)
        if refit is None or abs(refit.dominant_s - fit.dominant_s) > fit.length_s / 2:
            break  # the levels moved the fade out of its own span: keep the plain fit
        share, fit = rescaled, refit
    if fit is None:
        return None
    used = weight > 0
    late = used & (curve.times_s >= fit.start_s + fit.length_s)
    early = used & (curve.times_s <= fit.start_s)
    contrast = float(
        (share[late].mean() if late.any() else 1.0) - (share[early].mean() if early.any() else 0.0)
    )
    confidence = float(np.clip(contrast, 0.0, 1.0) * np.clip(1.0 - 2.0 * fit.cost, 0.0, 1.0))
    return fit, confidence


def _resolve(
    entries: Sequence[CueHint], jobs: list[_Job], energy: FloatArray
) -> list[AlignedCue | None]:
    """Aligned or kept cues in order; None where only interpolation can help."""
    out: list[AlignedCue | None] = []
    previous = -np.inf
    for index, (entry, job) in enumerate(zip(entries, jobs, strict=True)):
        if index == 0 and (entry.cue_s is None or entry.cue_s <= 0.0):
            out.append(AlignedCue(entry.position, 0.0, 1.0, AlignMethod.KEPT, 0.0))
            previous = 0.0
            continue
        following = [j.lag / SAMPLE_RATE for j in jobs[index + 1 :] if j.lag is not None]
        before = following[0] if following else np.inf
        fitted = _fit(job, energy, previous, before if before > previous + _GAP_S else np.inf)
        if fitted is not None:
            fit, confidence = fitted
            cue = AlignedCue(
                entry.position, fit.dominant_s, confidence, AlignMethod.AUDIO, fit.uncertainty_s
            )
        elif entry.cue_s is not None:
            error = _KEPT_ERROR_S.get(entry.precision)
            cue = AlignedCue(entry.position, entry.cue_s, 0.0, AlignMethod.KEPT, error)
        else:
            out.append(None)
            continue
        previous = max(previous, cue.cue_s)
        out.append(cue)
    return out


def _interpolate(
    entries: Sequence[CueHint], resolved: list[AlignedCue | None], duration_s: float
) -> list[AlignedCue]:
    """Fill the gaps linearly by position between resolved cues (or the ends of the mix)."""
    anchors = [(-1, 0.0)] + [(i, c.cue_s) for i, c in enumerate(resolved) if c is not None]
    anchors.append((len(resolved), duration_s))
    out: list[AlignedCue] = []
    for index, (entry, cue) in enumerate(zip(entries, resolved, strict=True)):
        if cue is not None:
            out.append(cue)
            continue
        left = max((a for a in anchors if a[0] < index), key=lambda a: a[0])
        right = min((a for a in anchors if a[0] > index), key=lambda a: a[0])
        share = (index - left[0]) / (right[0] - left[0])
        time = left[1] + share * (right[1] - left[1])
        spread = (right[1] - left[1]) / (right[0] - left[0]) / 2
        out.append(AlignedCue(entry.position, time, 0.0, AlignMethod.INTERPOLATED, spread))
    return out


def align_cues(mix_path: str, entries: Sequence[CueHint]) -> list[AlignedCue]:
    """Refine the cues of a mix's tracklist entries (in tracklist order) by matching audio.

    Raises DecodeError when the mix cannot be decoded; a library file that cannot be decoded
    is logged and its entry keeps its cue.
    """
    mix_frames = mix_log_mel(mix_path)
    duration_s = len(mix_frames) * HOP / SAMPLE_RATE
    jobs = [_Job(lo, hi) for lo, hi in _bounds(entries, duration_s)]
    paths = [e.track_path if i or e.cue_s else None for i, e in enumerate(entries)]
    _place(jobs, mix_frames, paths)
    energy = np.exp(mix_frames).sum(axis=1)
    del mix_frames
    _measure(jobs, mix_path)
    resolved = _resolve(entries, jobs, energy)
    return _interpolate(entries, resolved, duration_s)
