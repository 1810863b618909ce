"""What each analysis step returns. Every step also reports each algorithm's own answer.

``algorithms`` maps an algorithm name (``"essentia_degara"``, ``"librosa_beats"``,
``"essentia_edma"``, ...) to a JSON-able dict of that algorithm's answer (at least its value and,
where it has one, its own confidence), so the consensus can be audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class DecodedAudio:
    """Decoded audio, float32 in [-1, 1]."""

    stereo: FloatArray
    """Shape (channels, samples) at ``sample_rate`` (mono files have one channel)."""
    sample_rate: int
    source_sample_rate: int
    duration_s: float

    @property
    def mono(self) -> FloatArray:
        """Channel average, shape (samples,)."""
        return np.ascontiguousarray(self.stereo.mean(axis=0, dtype=np.float32))


@dataclass(frozen=True, slots=True)
class TempoEstimate:
    """Consensus tempo and beat grid."""

    bpm: float | None
    """Precise, not rounded to a grid (e.g. 123.47); None when there is no pulse."""
    confidence: float
    """0..1: agreement of the methods and the strength of the pulse."""
    beat_offset_s: float | None
    """Time of the first downbeat (beat grid anchor)."""
    algorithms: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KeyEstimate:
    """Consensus key."""

    tonic: str | None
    """Pitch class name with sharps (``"C#"``), None when undecidable."""
    mode: str | None
    """``"major"`` or ``"minor"``."""
    confidence: float
    tuning_cents: float
    """Deviation of the reference pitch from A=440 Hz, in cents."""
    algorithms: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoudnessEstimate:
    """EBU R128 figures."""

    integrated_lufs: float | None
    true_peak_db: float | None
    """dBTP."""
    replaygain_db: float | None
    """ReplayGain 2.0 track gain (reference -18 LUFS)."""
    loudness_range_lu: float | None = None


@dataclass(frozen=True, slots=True)
class TagEstimate:
    """Genre and mood from the tagging model."""

    genres: tuple[tuple[str, float], ...]
    """Top genres with probabilities, most likely first."""
    moods: tuple[tuple[str, float], ...]
    """Mood tags with probabilities, most likely first."""
    valence: float
    """0 (sad, dark) .. 1 (happy, bright)."""
    arousal: float
    """0 (calm) .. 1 (energetic)."""
    energy: int
    """1..10."""
    algorithms: dict[str, dict[str, Any]] = field(default_factory=dict)
