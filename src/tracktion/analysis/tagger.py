"""Genre, mood, valence, arousal and energy from the MSD_musicnn auto-tagger (numpy port).

The front-end reproduces ``musicnn/extractor.py``: 16 kHz mono, STFT (n_fft 512, hop 256,
centred, reflect-padded, periodic Hann), power mel spectrogram (96 Slaney mel bands) and
``log10(10000 * mel + 1)``, all in float32 (musicnn casts to float16 first, which overflows to
inf on loud masters). The spectrogram is cut into non-overlapping 3 s patches (187 frames) and
the tag probabilities are averaged over patches.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import numpy as np

from tracktion.analysis.musicnn_model import MSD_LABELS, N_FRAMES, N_MELS, predict
from tracktion.analysis.onsets import mel_filterbank
from tracktion.analysis.results import FloatArray, TagEstimate

SAMPLE_RATE: Final = 16000
N_FFT: Final = 512
HOP: Final = 256
TOP_K: Final = 5

GENRE_TAGS: Final = frozenset(
    {
        "rock", "pop", "alternative", "indie", "electronic", "dance", "alternative rock", "jazz",
        "metal", "chillout", "classic rock", "soul", "indie rock", "electronica", "folk", "punk",
        "blues", "hard rock", "ambient", "acoustic", "experimental", "Hip-Hop", "country",
        "easy listening", "funk", "electro", "heavy metal", "Progressive rock", "rnb",
        "indie pop", "House",
    }
)  # fmt: skip
MOOD_TAGS: Final = frozenset(
    {"beautiful", "Mellow", "chill", "party", "sexy", "catchy", "sad", "happy"}
)
AROUSAL_WEIGHTS: Final[dict[str, float]] = {
    # high arousal (positive weight) vs low arousal (negative weight)
    "party": 1.0, "dance": 1.0, "electronic": 0.6, "electro": 1.0, "House": 1.0, "rock": 0.6,
    "hard rock": 1.0, "metal": 1.0, "heavy metal": 1.0, "punk": 1.0, "Hip-Hop": 0.6,
    "chill": -1.0, "chillout": -1.0, "Mellow": -1.0, "easy listening": -1.0, "ambient": -1.0,
    "beautiful": -0.5, "acoustic": -0.5, "sad": -0.5, "jazz": -0.3, "folk": -0.5,
}  # fmt: skip
VALENCE_WEIGHTS: Final[dict[str, float]] = {
    # positive (bright, happy) vs negative (sad, dark) valence
    "happy": 1.0, "party": 1.0, "catchy": 0.8, "dance": 0.5, "pop": 0.5, "funk": 0.5,
    "sexy": 0.3, "oldies": 0.3,
    "sad": -1.0, "metal": -0.6, "heavy metal": -0.8, "ambient": -0.4, "experimental": -0.3,
    "Mellow": -0.3, "punk": -0.3,
}  # fmt: skip
ENERGY_WEIGHTS: Final = (0.6, 0.2, 0.2)
"""Energy = 1 + 9 * (0.6 arousal + 0.2 onset strength + 0.2 brightness)."""


@lru_cache(maxsize=1)
def _mel_basis() -> FloatArray:
    """Slaney-style mel filterbank (librosa defaults: htk=False, norm='slaney'), (96, 257)."""
    return mel_filterbank(SAMPLE_RATE, N_FFT, N_MELS, SAMPLE_RATE / 2)


def mel_power(mono16k: FloatArray) -> FloatArray:
    """Power mel spectrogram, shape (frames, 96), float32."""
    y = np.asarray(mono16k, dtype=np.float32)
    if len(y) <= N_FFT // 2:
        y = np.pad(y, (0, N_FFT // 2 + 1 - len(y)))
    padded = np.pad(y, N_FFT // 2, mode="reflect")
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:n_frames]
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    spectrum = np.fft.rfft(frames * window, axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    return power @ _mel_basis().T


def log_mel(power: FloatArray) -> FloatArray:
    """musicnn's log compression, in float32 (never overflows)."""
    return np.asarray(np.log10(np.float32(10000.0) * power + np.float32(1.0)), dtype=np.float32)


def patches(log_spec: FloatArray) -> FloatArray:
    """Non-overlapping (n, 187, 96) patches; a short input is repeat-padded to one patch."""
    if len(log_spec) < N_FRAMES:
        reps = -(-N_FRAMES // max(len(log_spec), 1))
        base = log_spec if len(log_spec) else np.zeros((1, N_MELS), np.float32)
        log_spec = np.tile(base, (reps, 1))[:N_FRAMES]
    n = len(log_spec) // N_FRAMES
    return np.ascontiguousarray(log_spec[: n * N_FRAMES].reshape(n, N_FRAMES, N_MELS))


def _balance(probs: dict[str, float], weights: dict[str, float]) -> float:
    """Weighted positive evidence over all evidence, 0..1 (0.5 without evidence)."""
    pos = sum(wt * probs[tag] for tag, wt in weights.items() if wt > 0)
    neg = sum(-wt * probs[tag] for tag, wt in weights.items() if wt < 0)
    eps = 1e-3
    return float((pos + eps) / (pos + neg + 2 * eps))


def spectral_cues(power: FloatArray) -> tuple[float, float]:
    """Level-independent (onset strength, brightness), each 0..1, from the power mel spectrum.

    Onset strength: mean positive spectral flux relative to the frame energy (x4, clipped);
    brightness: mean mel-band centroid of the energy, as a fraction of the mel axis (x2, clipped).
    """
    total = power.sum(axis=1) + 1e-10
    active = total > total.max() * 1e-4 if len(total) else total > 0
    if not active.any():
        return 0.0, 0.0
    flux = np.maximum(np.diff(power, axis=0), 0).sum(axis=1) / total[1:]
    onset = float(np.clip(4.0 * flux[active[1:]].mean(), 0, 1)) if len(flux) else 0.0
    centroid = (power @ np.arange(N_MELS, dtype=np.float32)) / total / (N_MELS - 1)
    brightness = float(np.clip(2.0 * centroid[active].mean(), 0, 1))
    return onset, brightness


def _top(probs: dict[str, float], tags: frozenset[str]) -> tuple[tuple[str, float], ...]:
    ranked = sorted(((t, p) for t, p in probs.items() if t in tags), key=lambda tp: -tp[1])
    return tuple((t, round(p, 4)) for t, p in ranked[:TOP_K])


def tag_audio(mono16k: FloatArray) -> TagEstimate:
    """Tag mono float32 audio at ``SAMPLE_RATE`` Hz with MSD_musicnn."""
    power = mel_power(mono16k)
    taggram = predict(patches(log_mel(power)))
    mean = taggram.mean(axis=0)
    probs = {tag: float(p) for tag, p in zip(MSD_LABELS, mean, strict=True)}
    arousal = _balance(probs, AROUSAL_WEIGHTS)
    valence = _balance(probs, VALENCE_WEIGHTS)
    onset, brightness = spectral_cues(power)
    w_a, w_o, w_b = ENERGY_WEIGHTS
    energy = 1 + round(9 * float(np.clip(w_a * arousal + w_o * onset + w_b * brightness, 0, 1)))
    return TagEstimate(
        genres=_top(probs, GENRE_TAGS),
        moods=_top(probs, MOOD_TAGS),
        valence=round(valence, 4),
        arousal=round(arousal, 4),
        energy=energy,
        algorithms={
            "msd_musicnn": {
                "tags": {t: round(p, 5) for t, p in probs.items()},
                "patches": len(taggram),
                "onset_strength": round(onset, 4),
                "brightness": round(brightness, 4),
            }
        },
    )
