"""analyze_file: decode once, run every step, combine into one AnalysisRecord.

Runs inside a worker process (see :mod:`tracktion.analysis.runner`); it never raises for a bad
file: the record carries the error instead.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
from scipy.signal import resample_poly

from tracktion.analysis import tagger
from tracktion.analysis.decode import decode_with_report
from tracktion.analysis.errors import DecodeError
from tracktion.analysis.key import estimate_key
from tracktion.analysis.loudness import measure_loudness
from tracktion.analysis.tempo import estimate_tempo
from tracktion.analysis.tempo_range import DEFAULT_RANGE
from tracktion.core.analysis import AnalysisRecord

if TYPE_CHECKING:
    from tracktion.analysis.results import FloatArray

logger = logging.getLogger(__name__)

ANALYSIS_RATE = 44100
MAX_ANALYSED_S = 600.0
"""Longer files (DJ mixes) are analysed on their first 10 minutes: whole-file arrays of a
3-hour mix would need gigabytes (streaming analysis is not built yet)."""
TAG_WINDOW_S = 10.0
REVIEW_BELOW = 0.5
"""A tempo or key confidence below this marks the result for review."""


def analyze_file(
    path: str,
    sha256: str | None = None,
    *,
    with_tags: bool = True,
    preferred: tuple[float, float] = DEFAULT_RANGE,
) -> AnalysisRecord:
    """Analyse one file completely; errors are returned in the record, not raised."""
    try:
        audio, report = decode_with_report(
            path, sample_rate=ANALYSIS_RATE, max_seconds=MAX_ANALYSED_S
        )
    except DecodeError as exc:
        return AnalysisRecord(path=path, sha256=sha256, error=str(exc))
    warnings: list[str] = []
    if report.partial:
        warnings.append(
            f"partly undecodable ({report.errors} bad packet(s): {report.first_error}); "
            f"analysed the {audio.duration_s:.1f} s that decoded"
        )
    if audio.duration_s >= MAX_ANALYSED_S - 1:
        warnings.append(
            f"long file: analysed its first {MAX_ANALYSED_S / 60:.0f} minutes only "
            "(tempo, key and loudness describe that part)"
        )
    mono = audio.mono
    tempo = estimate_tempo(mono, ANALYSIS_RATE, preferred=preferred)
    key = estimate_key(mono, ANALYSIS_RATE)
    loudness = measure_loudness(audio.stereo, ANALYSIS_RATE)
    algorithms = {
        "tempo": {**tempo.algorithms, "preferred_range": {"range": list(preferred)}},
        "key": key.algorithms,
    }
    tags = None
    if with_tags:
        excerpt = tagging_excerpt(mono, ANALYSIS_RATE)
        mono16k = resample_poly(excerpt, tagger.SAMPLE_RATE, ANALYSIS_RATE).astype("float32")
        tags = tagger.tag_audio(mono16k)
        algorithms["tags"] = tags.algorithms
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
        duration_s=round(audio.duration_s, 3),
        sample_rate=audio.source_sample_rate,
        algorithms=algorithms,
        needs_review=pulse_doubt or key_doubt,
        warnings=tuple(warnings),
    )


def tagging_excerpt(mono: FloatArray, sample_rate: int) -> FloatArray:
    """What the tagging model hears: at most 30 s, as three 10 s windows at 25, 50 and 75 %.

    Intro and outro say little about genre or mood, and tagging costs ~30x realtime, so this
    bounds it to about a second per file whatever the length.
    """
    window = int(TAG_WINDOW_S * sample_rate)
    if mono.size <= 3 * window:
        return mono
    starts = [int(mono.size * share) - window // 2 for share in (0.25, 0.5, 0.75)]
    return np.concatenate([mono[start : start + window] for start in starts])


def _rounded(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None
