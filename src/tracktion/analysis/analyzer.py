"""analyze_file: decode once, in blocks, feed every step, combine into one AnalysisRecord.

The file streams through in blocks of ~24 s, so memory hardly grows with its length (a
3-hour mix peaks ~75 MB above a single track): loudness keeps one energy per 100 ms, the key
the spectral peaks of one frame per 0.19 s, the tempo two onset strengths per 23 ms, and the
excerpts essentia's tempo check and the tagging model listen to are copied out as they pass.
Runs inside a worker process (see :mod:`tracktion.analysis.runner`); it never raises for a bad
file: the record carries the error instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from scipy.signal import resample_poly

from tracktion.analysis import tagger
from tracktion.analysis.decode import AudioStream
from tracktion.analysis.errors import DecodeError
from tracktion.analysis.frames import SAMPLE_RATE, FrameSpectra
from tracktion.analysis.key import key_of
from tracktion.analysis.loudness import LoudnessMeter
from tracktion.analysis.onsets import OnsetEnvelope
from tracktion.analysis.spectra import Spectra
from tracktion.analysis.tempo import EXCERPT_SAMPLES, tempo_of
from tracktion.analysis.tempo_range import DEFAULT_RANGE
from tracktion.core.analysis import AnalysisRecord

if TYPE_CHECKING:
    from tracktion.analysis.results import (
        FloatArray,
        KeyEstimate,
        LoudnessEstimate,
        TagEstimate,
        TempoEstimate,
    )

logger = logging.getLogger(__name__)

ANALYSIS_RATE: Final = SAMPLE_RATE
BLOCK_SAMPLES: Final = 2**20
"""Samples per decoded block (23.8 s at 44.1 kHz; a multiple of every frame hop)."""
TAG_WINDOW_S: Final = 10.0
TAG_SHARES: Final = (0.25, 0.5, 0.75)
_M_TRIM_THRESHOLD: Final = -1
_M_MMAP_THRESHOLD: Final = -3
REVIEW_BELOW: Final = 0.5
"""A tempo or key confidence below this marks the result for review."""


def analyze_file(
    path: str,
    sha256: str | None = None,
    *,
    with_tags: bool = True,
    preferred: tuple[float, float] = DEFAULT_RANGE,
) -> AnalysisRecord:
    """Analyse one file completely; errors are returned in the record, not raised."""
    _keep_heap_memory()
    stream = AudioStream(path, sample_rate=ANALYSIS_RATE)
    analysis = _Analysis(with_tags=with_tags)
    try:
        for block in stream.blocks(BLOCK_SAMPLES):
            analysis.push(block, stream.expected_samples)
    except DecodeError as exc:
        return AnalysisRecord(path=path, sha256=sha256, error=str(exc))
    duration_s = stream.samples / ANALYSIS_RATE
    warnings: list[str] = []
    if stream.errors:
        warnings.append(
            f"partly undecodable ({stream.errors} bad packet(s): {stream.first_error}); "
            f"analysed the {duration_s:.1f} s that decoded"
        )
    tempo, key, loudness = analysis.finish(preferred)
    algorithms = {
        "tempo": {**tempo.algorithms, "preferred_range": {"range": list(preferred)}},
        "key": key.algorithms,
    }
    tags = analysis.tags() if with_tags else None
    if tags is not None:
        algorithms["tags"] = tags.algorithms
    record = _record(path, sha256, tempo, key, loudness, tags, algorithms, warnings)
    return replace(record, duration_s=round(duration_s, 3), sample_rate=stream.source_sample_rate)


@cache
def _keep_heap_memory() -> None:
    """Let glibc serve the analysis' multi-megabyte temporaries from the heap.

    By default each is mapped fresh and its pages faulted in again (~5 % of the CPU time);
    with fixed thresholds freed memory is reused, and the peak RSS stays the same. Elsewhere
    than glibc this does nothing.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 64 * 2**20)
        libc.mallopt(_M_TRIM_THRESHOLD, 128 * 2**20)
    except (OSError, AttributeError):
        logger.debug("mallopt unavailable; default allocator settings kept")


def tagging_excerpt(mono: FloatArray, sample_rate: int) -> FloatArray:
    """What the tagging model hears: at most 30 s, as three 10 s windows at 25, 50 and 75 %.

    Intro and outro say little about genre or mood, and tagging costs ~30x realtime, so this
    bounds it to about a second per file whatever the length.
    """
    windows = _tag_windows(mono.size, sample_rate)
    return np.concatenate([mono[start:stop] for start, stop in windows])


def _tag_windows(total: int, sample_rate: int) -> list[tuple[int, int]]:
    window = int(TAG_WINDOW_S * sample_rate)
    if total <= len(TAG_SHARES) * window:
        return [(0, total)]
    starts = [int(total * share) - window // 2 for share in TAG_SHARES]
    return [(start, start + window) for start in starts]


class _Excerpts:
    """Copies of given sample ranges of a signal that passes block by block, and its last
    30 s (used instead when the container's duration was wrong and a range was missed)."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self.ranges = ranges
        self._parts: list[list[FloatArray]] = [[] for _ in ranges]
        self._recent: list[FloatArray] = []
        self._position = 0

    def push(self, mono: FloatArray) -> None:
        end = self._position + mono.size
        for (start, stop), parts in zip(self.ranges, self._parts, strict=True):
            lo, hi = max(start, self._position), min(stop, end)
            if lo < hi:
                parts.append(mono[lo - self._position : hi - self._position].copy())
        self._recent.append(mono)
        while sum(b.size for b in self._recent[1:]) >= EXCERPT_SAMPLES:
            self._recent.pop(0)
        self._position = end

    def get(self, index: int) -> FloatArray:
        """The range ``index`` as far as it was seen, or the last 30 s if that is more."""
        start, stop = self.ranges[index]
        wanted = min(stop, self._position) - max(0, start)
        parts = self._parts[index]
        if sum(p.size for p in parts) >= wanted - ANALYSIS_RATE and parts:
            return np.concatenate(parts)
        recent = np.concatenate(self._recent) if self._recent else np.zeros(0, np.float32)
        return recent[-max(1, min(stop - start, EXCERPT_SAMPLES)) :]


class _Analysis:
    """Every step's state while a file streams through."""

    def __init__(self, *, with_tags: bool) -> None:
        self._with_tags = with_tags
        self._loudness: LoudnessMeter | None = None
        self._onsets = OnsetEnvelope()
        self._spectra = Spectra()
        self._frames = FrameSpectra((self._onsets, self._spectra))
        self._excerpts: _Excerpts | None = None
        self._tag_count = 0

    def push(self, block: FloatArray, expected: int | None) -> None:
        """Feed the next (channels, samples) block; ``expected`` is the file's length."""
        if self._loudness is None:
            self._loudness = LoudnessMeter(ANALYSIS_RATE, block.shape[0])
            self._excerpts = self._plan(expected or 0)
        assert self._excerpts is not None
        mono = block[0] + block[1] if block.shape[0] == 2 else block[0].copy()
        if block.shape[0] == 2:
            mono *= np.float32(0.5)
        if not np.isfinite(np.dot(mono, mono)):  # a corrupt float stream: treat as silence
            block = np.nan_to_num(block, nan=0.0, posinf=0.0, neginf=0.0)
            mono = np.nan_to_num(mono, nan=0.0, posinf=0.0, neginf=0.0)
        self._loudness.push(block)
        self._onsets.push(mono)
        self._spectra.push(mono)
        self._frames.push(mono)
        self._excerpts.push(mono)

    def _plan(self, expected: int) -> _Excerpts:
        middle = max(0, (expected - EXCERPT_SAMPLES) // 2)
        ranges = [(middle, middle + EXCERPT_SAMPLES)]
        if self._with_tags:
            ranges += _tag_windows(expected, ANALYSIS_RATE)
        return _Excerpts(ranges)

    def finish(
        self, preferred: tuple[float, float]
    ) -> tuple[TempoEstimate, KeyEstimate, LoudnessEstimate]:
        """Tempo, key and loudness of everything pushed."""
        assert self._loudness is not None
        assert self._excerpts is not None
        self._frames.finish()
        self._spectra.finish()
        tempo = tempo_of(self._onsets, self._excerpts.get(0), preferred=preferred)
        key = key_of(self._spectra)
        # The per-frame state of a long mix is done with: free it before the tagging model runs.
        self._onsets, self._spectra = OnsetEnvelope(), Spectra()
        self._frames = FrameSpectra(())
        return tempo, key, self._loudness.finish()

    def tags(self) -> TagEstimate:
        """Genre and mood from the tagging excerpt."""
        assert self._excerpts is not None
        count = len(self._excerpts.ranges) - 1
        excerpt = np.concatenate([self._excerpts.get(1 + k) for k in range(count)])
        mono16k = resample_poly(excerpt, tagger.SAMPLE_RATE, ANALYSIS_RATE).astype(np.float32)
        return tagger.tag_audio(mono16k)


def _record(
    path: str,
    sha256: str | None,
    tempo: TempoEstimate,
    key: KeyEstimate,
    loudness: LoudnessEstimate,
    tags: TagEstimate | None,
    algorithms: dict[str, dict[str, Any]],
    warnings: list[str],
) -> AnalysisRecord:
    key_name = f"{key.tonic} {key.mode}" if key.tonic and key.mode else None
    pulse_doubt = tempo.bpm is not None and tempo.confidence < REVIEW_BELOW
    key_doubt = key_name is not None and key.confidence < REVIEW_BELOW
    return AnalysisRecord(
        path=path,
        sha256=sha256,
        bpm=round(tempo.bpm, 3) if tempo.bpm is not None else None,
        bpm_confidence=round(tempo.confidence, 3),
        beat_offset_s=round(tempo.beat_offset_s, 3) if tempo.beat_offset_s is not None else None,
        key=key_name,
        key_confidence=round(key.confidence, 3),
        tuning_cents=round(key.tuning_cents, 1),
        loudness_lufs=_rounded(loudness.integrated_lufs),
        true_peak_db=_rounded(loudness.true_peak_db),
        replaygain_db=_rounded(loudness.replaygain_db),
        energy=tags.energy if tags else None,
        genres=tags.genres if tags else (),
        moods=tags.moods if tags else (),
        valence=round(tags.valence, 3) if tags else None,
        arousal=round(tags.arousal, 3) if tags else None,
        algorithms=algorithms,
        needs_review=pulse_doubt or key_doubt,
        warnings=tuple(warnings),
    )


def _rounded(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None
