"""AnalysisRecord: everything one analysis of one file's content produced, and its JSON form.

The JSON field names are a contract (``tracktion analyze --json``, the API, other tools):
path, bpm, bpm_confidence, beat_offset_s, key, camelot, open_key, key_confidence, tuning_cents,
loudness_lufs, true_peak_db, replaygain_db, energy, genres, moods, duration_s, sample_rate,
algorithms, needs_review, error (and sha256, analyser_version, warnings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from tracktion.core.keys import parse_key

ANALYSER_VERSION = "1"
"""Bump when results would change: stored analyses of older versions are redone."""
ENERGY_MIN: Final = 1
ENERGY_MAX: Final = 10
"""Energy levels run from ENERGY_MIN (calmest) to ENERGY_MAX."""


class Mood(StrEnum):
    """What a track's mood can be: the auto-tagger's mood tags, lower case."""

    BEAUTIFUL = "beautiful"
    CATCHY = "catchy"
    CHILL = "chill"
    HAPPY = "happy"
    MELLOW = "mellow"
    PARTY = "party"
    SAD = "sad"
    SEXY = "sexy"


@dataclass(frozen=True, slots=True)
class AnalysisRecord:
    """One file's analysis (or its failure: ``error`` set, measurements None)."""

    path: str
    sha256: str | None = None
    bpm: float | None = None
    bpm_confidence: float = 0.0
    beat_offset_s: float | None = None
    key: str | None = None
    """``"A minor"`` (sharps)."""
    key_confidence: float = 0.0
    tuning_cents: float | None = None
    loudness_lufs: float | None = None
    true_peak_db: float | None = None
    replaygain_db: float | None = None
    energy: int | None = None
    genres: tuple[tuple[str, float], ...] = ()
    moods: tuple[tuple[str, float], ...] = ()
    valence: float | None = None
    arousal: float | None = None
    duration_s: float | None = None
    sample_rate: int | None = None
    algorithms: dict[str, dict[str, Any]] = field(default_factory=dict)
    needs_review: bool = False
    error: str | None = None
    warnings: tuple[str, ...] = ()
    analyser_version: str = ANALYSER_VERSION

    @property
    def camelot(self) -> str | None:
        """Camelot code of ``key``."""
        parsed = parse_key(self.key)
        return parsed.camelot if parsed else None

    @property
    def mood(self) -> Mood | None:
        """The most probable mood tag: what mood filters match."""
        if not self.moods:
            return None
        name, _ = max(self.moods, key=lambda tag: tag[1])
        try:
            return Mood(name.lower())
        except ValueError:
            return None

    @property
    def open_key(self) -> str | None:
        """Open Key code of ``key``."""
        parsed = parse_key(self.key)
        return parsed.open_key if parsed else None

    def to_json(self) -> dict[str, Any]:
        """The contract JSON object."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "analyser_version": self.analyser_version,
            "bpm": self.bpm,
            "bpm_confidence": self.bpm_confidence,
            "beat_offset_s": self.beat_offset_s,
            "key": self.key,
            "camelot": self.camelot,
            "open_key": self.open_key,
            "key_confidence": self.key_confidence,
            "tuning_cents": self.tuning_cents,
            "loudness_lufs": self.loudness_lufs,
            "true_peak_db": self.true_peak_db,
            "replaygain_db": self.replaygain_db,
            "energy": self.energy,
            "genres": [{"name": name, "probability": p} for name, p in self.genres],
            "moods": {
                "tags": [{"name": name, "probability": p} for name, p in self.moods],
                "valence": self.valence,
                "arousal": self.arousal,
            },
            "duration_s": self.duration_s,
            "sample_rate": self.sample_rate,
            "algorithms": self.algorithms,
            "needs_review": self.needs_review,
            "error": self.error,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnalysisRecord:
        """Rebuild a record from :meth:`to_json` output."""
        moods = data.get("moods") or {}
        return cls(
            path=data["path"],
            sha256=data.get("sha256"),
            bpm=data.get("bpm"),
            bpm_confidence=data.get("bpm_confidence") or 0.0,
            beat_offset_s=data.get("beat_offset_s"),
            key=data.get("key"),
            key_confidence=data.get("key_confidence") or 0.0,
            tuning_cents=data.get("tuning_cents"),
            loudness_lufs=data.get("loudness_lufs"),
            true_peak_db=data.get("true_peak_db"),
            replaygain_db=data.get("replaygain_db"),
            energy=data.get("energy"),
            genres=tuple((g["name"], g["probability"]) for g in data.get("genres") or ()),
            moods=tuple((m["name"], m["probability"]) for m in moods.get("tags") or ()),
            valence=moods.get("valence"),
            arousal=moods.get("arousal"),
            duration_s=data.get("duration_s"),
            sample_rate=data.get("sample_rate"),
            algorithms=dict(data.get("algorithms") or {}),
            needs_review=bool(data.get("needs_review")),
            error=data.get("error"),
            warnings=tuple(data.get("warnings") or ()),
            analyser_version=data.get("analyser_version") or ANALYSER_VERSION,
        )
