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
from tracktion.analysis.decode import decode
from tracktion.analysis.errors import DecodeError
from tracktion.analysis.key import estimate_key
from tracktion.analysis.loudness import measure_loudness
from tracktion.analysis.tempo import estimate_tempo
from tracktion.core.analysis import AnalysisRecord

if TYPE_CHECKING:
    from tracktion.analysis.results import FloatArray

logger = logging.getLogger(__name__)

ANALYSIS_RATE = 44100
TAG_WINDOW_S = 15.0
REVIEW_BELOW = 0.5
"""A tempo or key confidence below this marks the result for review."""


def analyze_file(path: str, sha256: str | None = None, *, with_tags: bool = True) -> AnalysisRecord:
    """Analyse one file completely; errors are returned in the record, not raised."""
    try:
        audio = decode(path, sample_rate=ANALYSIS_RATE)
    except DecodeError as exc:
        return AnalysisRecord(path=path, sha256=sha256, error=str(exc))
    mono = audio.mono
    tempo = estimate_tempo(mono, ANALYSIS_RATE)
    key = estimate_key(mono, ANALYSIS_RATE)
    loudness = measure_loudness(audio.stereo, ANALYSIS_RATE)
    algorithms = {"tempo": tempo.algorithms, "key": key.algorithms}
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
        bpm=round(tempo.bpm, 2) if tempo.bpm is not None else None,
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
    )


def tagging_excerpt(mono: FloatArray, sample_rate: int) -> FloatArray:
    """What the tagging model hears: the whole track if short, else three 15 s windows.

    The windows sit at 25, 50 and 75 % of the track (intro and outro say little about genre or
    mood); tagging costs ~25x realtime, so this keeps a 4-minute track near 2 s.
    """
    window = int(TAG_WINDOW_S * sample_rate)
    if mono.size <= 4 * window:
        return mono
    starts = [int(mono.size * share) - window // 2 for share in (0.25, 0.5, 0.75)]
    return np.concatenate([mono[start : start + window] for start in starts])


def _rounded(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None
