"""Musical key: a weighted vote of essentia key profiles, a chroma template and a bass profile.

Every profile method sees the same pitch set for a key and its relative (A minor / C major) and
tends to call Aeolian progressions (i-VI-III-VII) major. The relative pair is therefore decided
separately, from tonic evidence: the chord and the bass note at the very start and the very end
of the music, and the bass pitch-class profile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import essentia
import essentia.standard as es
import numpy as np

from tracktion.analysis.frames import SAMPLE_RATE, FrameSpectra, to_analysis_rate
from tracktion.analysis.results import KeyEstimate
from tracktion.analysis.spectra import Spectra
from tracktion.core.keys import PITCH_CLASSES, Key, parse_key

if TYPE_CHECKING:
    import numpy.typing as npt

    from tracktion.analysis.results import FloatArray

    Profile = npt.NDArray[np.float64]
    ComplexArray = npt.NDArray[np.complex64]
    Harmonics = tuple[tuple[float, float], ...]

essentia.log.infoActive = False

PROFILES: Final = {"edma": 1.0, "bgate": 1.0, "shaath": 1.0, "krumhansl": 1.0, "temperley": 0.5}
"""essentia KeyExtractor profile types and their vote weights."""
_CHROMA_WEIGHT: Final = 1.0
_BASS_WEIGHT: Final = 1.0
_EDGE_S: Final = 3.0
"""Length of the opening and the closing passage that carry tonic evidence."""
_KEY_SETTINGS: Final = {
    "pcpSize": 12,
    "numHarmonics": 4,
    "slope": 0.6,
    "usePolyphony": False,
    "useThreeChords": False,
}
"""essentia Key as KeyExtractor configures it; fed the same averaged HPCP, it gives the same key."""
_MIN_DURATION_S: Final = 2.0
_MIN_RMS: Final = 1e-4
_MIN_CONTRAST: Final = 0.3
"""Below this spread of the mean chroma the signal has no pitch centre (noise, drums only)."""
_MIN_TEMPERED: Final = 0.2
"""Below this the spectral peaks ignore the tempered grid (noise: ~0.05, music: > 0.5)."""
# Krumhansl-Kessler probe-tone profiles, index 0 = tonic.
_KK_MAJOR: Final = np.array(
    [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]
)
_KK_MINOR: Final = np.array(
    [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]
)
# How often a bass on the chord roots sits on each degree, index 0 = tonic.
_BASS_MAJOR: Final = np.array([1.0, 0.0, 0.3, 0.0, 0.3, 0.6, 0.0, 0.7, 0.0, 0.45, 0.0, 0.1])
_BASS_MINOR: Final = np.array([1.0, 0.0, 0.2, 0.45, 0.0, 0.5, 0.0, 0.6, 0.5, 0.0, 0.45, 0.1])


def estimate_key(mono: FloatArray, sample_rate: int) -> KeyEstimate:
    """Consensus key of a mono signal; tonic None with low confidence when there is none."""
    signal = to_analysis_rate(np.ascontiguousarray(mono, dtype=np.float32), sample_rate)
    # One dot product: its mean is the power, and it is not finite if any sample is not.
    if not np.isfinite(np.dot(signal, signal)):
        return KeyEstimate(tonic=None, mode=None, confidence=0.0, tuning_cents=0.0)
    spectra = Spectra()
    spectra.push(signal)
    frames = FrameSpectra((spectra,))
    frames.push(signal)
    frames.finish()
    spectra.finish()
    return key_of(spectra)


def key_of(spectra: Spectra) -> KeyEstimate:
    """Consensus key from the spectra of a whole signal (fed block by block or at once)."""
    power = spectra.energy / max(spectra.samples, 1)
    too_short = spectra.samples < _MIN_DURATION_S * SAMPLE_RATE
    if too_short or not np.isfinite(power) or np.sqrt(power) < _MIN_RMS:
        return KeyEstimate(tonic=None, mode=None, confidence=0.0, tuning_cents=0.0)

    # essentia reports -35..+65 cents; fold into -50..+50 so pitch classes stay put.
    reference_hz, tempered = spectra.tuning()
    cents = (1200.0 * float(np.log2(reference_hz / 440.0)) + 50) % 100
    tuning_cents = round(cents - 50, 1)
    tuning_hz = 440.0 * 2 ** (tuning_cents / 1200)
    chroma = spectra.chroma(tuning_hz)
    bass = spectra.bass(tuning_hz)
    mean_chroma = chroma.mean(axis=0)
    contrast = float(mean_chroma.std() / (mean_chroma.mean() + 1e-9))

    answers: dict[str, tuple[Key, float]] = {}
    key_pcp = spectra.key_pcp(tuning_hz)
    for profile in PROFILES:
        tonic, scale, strength, _ = es.Key(profileType=profile, **_KEY_SETTINGS)(key_pcp)
        key = parse_key(f"{tonic} {scale}")
        if key is not None:
            answers[f"essentia_{profile}"] = (key, float(strength))
    answers["chroma"] = _best_key(mean_chroma, _KK_MAJOR, _KK_MINOR)
    answers["bass"] = _best_key(bass.mean(axis=0), _BASS_MAJOR, _BASS_MINOR)

    algorithms: dict[str, dict[str, Any]] = {
        name: {"key": key.name, "strength": round(strength, 3)}
        for name, (key, strength) in answers.items()
    }
    algorithms["tuning"] = {"cents": tuning_cents, "frequency_hz": round(tuning_hz, 2)}
    algorithms["tonality"] = {"contrast": round(contrast, 3), "tempered": round(tempered, 3)}
    if contrast < _MIN_CONTRAST or tempered < _MIN_TEMPERED:
        return KeyEstimate(
            tonic=None,
            mode=None,
            confidence=round(min(tempered, 0.1), 3),
            tuning_cents=tuning_cents,
            algorithms=algorithms,
        )

    votes = _votes(answers)
    leader = max(votes, key=lambda k: votes[k])
    major = leader if leader.mode == "major" else _relative(leader)
    minor = _relative(major)
    evidence = {
        key: _tonic_evidence(key, chroma, bass, spectra.rms, spectra.hop_s)
        for key in (major, minor)
    }
    # Votes split between the pair say little (same pitch set); tonic evidence decides.
    pair = votes.get(major, 0.0) + votes.get(minor, 0.0)
    lean = (votes.get(minor, 0.0) - votes.get(major, 0.0)) / max(pair, 1e-9)
    decision = (evidence[minor] - evidence[major]) + 0.05 * lean
    final = minor if decision > 0 else major
    algorithms["relative"] = {
        "key": final.name,
        "strength": round(abs(decision), 3),
        "evidence": {key.name: round(value, 3) for key, value in evidence.items()},
        "vote_lean_minor": round(lean, 3),
    }
    confidence = _confidence(votes, final, abs(decision), tempered)
    return KeyEstimate(
        tonic=PITCH_CLASSES[final.pitch_class],
        mode=final.mode,
        confidence=confidence,
        tuning_cents=tuning_cents,
        algorithms=algorithms,
    )


def _correlations(profile: Profile, major: Profile, minor: Profile) -> dict[Key, float]:
    result: dict[Key, float] = {}
    for tonic in range(12):
        for mode, template in (("major", major), ("minor", minor)):
            rolled = np.roll(template, tonic)
            value = float(np.corrcoef(profile, rolled)[0, 1]) if profile.std() > 0 else 0.0
            result[Key(tonic, mode)] = value  # type: ignore[arg-type]
    return result


def _best_key(profile: Profile, major: Profile, minor: Profile) -> tuple[Key, float]:
    scores = _correlations(profile, major, minor)
    best = max(scores, key=lambda k: scores[k])
    return best, scores[best]


def _votes(answers: dict[str, tuple[Key, float]]) -> dict[Key, float]:
    weights = {f"essentia_{name}": w for name, w in PROFILES.items()}
    weights |= {"chroma": _CHROMA_WEIGHT, "bass": _BASS_WEIGHT}
    votes: dict[Key, float] = {}
    for name, (key, strength) in answers.items():
        votes[key] = votes.get(key, 0.0) + weights[name] * max(strength, 0.0)
    return votes


def _relative(key: Key) -> Key:
    if key.mode == "major":
        return Key((key.pitch_class + 9) % 12, "minor")
    return Key((key.pitch_class + 3) % 12, "major")


def _triad(key: Key) -> Profile:
    third = 4 if key.mode == "major" else 3
    template = np.zeros(12)
    template[[0, third, 7]] = 1.0
    return np.roll(template, key.pitch_class)


def _tonic_evidence(key: Key, chroma: Profile, bass: Profile, rms: Profile, hop_s: float) -> float:
    """How strongly the opening, the ending and the bass line point at the tonic of ``key``."""
    loud = np.flatnonzero(rms > rms.max() * 10 ** (-30 / 20))
    first, last = int(loud[0]), int(loud[-1]) + 1
    edge = max(1, int(_EDGE_S / hop_s))
    triad = _triad(key)
    score = 0.0
    for part in (slice(first, first + edge), slice(max(first, last - edge), last)):
        chord = chroma[part].mean(axis=0)
        score += float(np.corrcoef(chord, triad)[0, 1]) if chord.std() > 0 else 0.0
        low = bass[part].mean(axis=0)
        score += float(low[key.pitch_class] / (low.max() + 1e-9))
    overall = bass[first:last].mean(axis=0)
    score += float(overall[key.pitch_class] / (overall.max() + 1e-9))
    return score / 5.0


def _confidence(votes: dict[Key, float], final: Key, margin: float, tempered: float) -> float:
    total = sum(votes.values())
    agreement = (votes.get(final, 0.0) + 0.5 * votes.get(_relative(final), 0.0)) / max(total, 1e-9)
    tonality = min(1.0, tempered / (2.5 * _MIN_TEMPERED))
    value = tonality * (0.6 * agreement + 0.4 * min(1.0, margin / 0.2))
    return round(float(np.clip(value, 0.0, 1.0)), 3)
