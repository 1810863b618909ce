"""Onset envelopes: mel spectral flux of the shared frames, gathered while they stream past.

librosa's onset strength, computed from the shared unwindowed spectra: the Hann window is
applied in the frequency domain (three taps), 64 mel bands up to 11.025 kHz, log power
floored 80 dB below the loudest band so far, half-wave rectified difference. Only the two
envelopes are kept (a 3-hour mix: 7 MB).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from tracktion.analysis.frames import FRAME, SAMPLE_RATE

if TYPE_CHECKING:
    from tracktion.analysis.results import FloatArray

    ComplexArray = npt.NDArray[np.complex64]

Float64Array = npt.NDArray[np.float64]

_N_MELS: Final = 64
_FMAX: Final = 11025.0
_BINS: Final = int(_FMAX * FRAME / SAMPLE_RATE) + 1
"""Spectrum bins up to 11.025 kHz (the mel bands reach no higher)."""
_LOW_HZ: Final = 150.0
"""Onsets below this mark kicks (downbeat)."""
_TOP_DB: Final = 80.0


@dataclass(frozen=True, slots=True)
class Onsets:
    """Onset strength per frame: all bands and the low (kick) bands."""

    full: Float64Array
    low: Float64Array


class OnsetEnvelope:
    """A :class:`~tracktion.analysis.frames.FrameSink` that builds the :class:`Onsets`."""

    def __init__(self) -> None:
        self.samples = 0
        self.energy = 0.0
        self._loudest = -np.inf
        self._previous: npt.NDArray[np.float32] | None = None
        self._full: list[Float64Array] = []
        self._low: list[Float64Array] = []
        self._low_bands = mel_frequencies(_N_MELS, _FMAX) <= _LOW_HZ

    def push(self, mono: FloatArray) -> None:
        """Count the next block of the signal (its length and power)."""
        self.samples += mono.size
        self.energy += float(np.dot(mono, mono))

    def add_frames(self, first: int, frames: FloatArray, spectra: ComplexArray) -> None:
        """Onset strength of a batch of frames: log mel power under a Hann window, floored 80 dB
        below the loudest band so far, half-wave rectified difference from the frame before."""
        del first, frames
        if spectra.shape[0] == 0:
            return
        # Bins 1 .. _BINS - 2 (the filters give the first and the last no weight), interleaved
        # real and imaginary parts; twice the Hann spectrum: X[k] - (X[k-1] + X[k+1]) / 2.
        parts = spectra[:, :_BINS].view(np.float32)
        hann = parts[:, : 2 * _BINS - 4] + parts[:, 4:]
        hann *= np.float32(-0.5)
        hann += parts[:, 2 : 2 * _BINS - 2]
        np.square(hann, out=hann)
        mel = (hann[:, 0::2] + hann[:, 1::2]) @ _mel_basis()
        log = 10 * np.log10(np.maximum(mel, np.float32(1e-10)))
        # The floor follows the loudest band of the frames so far, frame by frame, so that any
        # split of the signal into blocks gives the same envelope.
        loudest = np.maximum.accumulate(np.maximum(log.max(axis=1), self._loudest))
        self._loudest = float(loudest[-1])
        log = np.maximum(log, (loudest - np.float32(_TOP_DB))[:, None])
        before = log[:1] if self._previous is None else self._previous
        flux = np.maximum(0.0, np.diff(log, axis=0, prepend=before))
        self._full.append(flux.mean(axis=1, dtype=np.float64))
        self._low.append(flux[:, self._low_bands].mean(axis=1, dtype=np.float64))
        self._previous = log[-1:]

    def finish(self) -> Onsets:
        """The onset envelopes of everything added."""
        if not self._full:
            return Onsets(full=np.zeros(0), low=np.zeros(0))
        return Onsets(full=np.concatenate(self._full), low=np.concatenate(self._low))


@cache
def _mel_basis() -> FloatArray:
    """The mel filterbank over bins 1 .. 11.025 kHz - 1 bin (the filters give 0 Hz and
    11.025 kHz and above no weight), transposed, float32."""
    basis = mel_filterbank(SAMPLE_RATE, FRAME, _N_MELS, _FMAX)
    # A quarter: the power it weighs is that of twice the Hann spectrum.
    return np.ascontiguousarray(0.25 * basis[:, 1 : _BINS - 1].T, dtype=np.float32)


def mel_frequencies(count: int, fmax: float) -> Float64Array:
    """``count`` frequencies (Hz) evenly spaced on the Slaney mel scale from 0 to ``fmax``
    (``librosa.mel_frequencies``, htk=False)."""
    return _mel_to_hz(np.linspace(0.0, float(_hz_to_mel(np.array([fmax]))[0]), count))


def mel_filterbank(sample_rate: float, n_fft: int, n_mels: int, fmax: float) -> FloatArray:
    """Slaney-style triangular mel filters with area normalisation, (n_mels, n_fft // 2 + 1):
    ``librosa.filters.mel`` with its defaults (fmin 0, htk False, norm "slaney")."""
    bins = np.fft.rfftfreq(n=n_fft, d=1.0 / sample_rate)
    edges = mel_frequencies(n_mels + 2, fmax)
    widths = np.diff(edges)
    ramps = np.subtract.outer(edges, bins)
    lower = -ramps[:n_mels] / widths[:n_mels, None]
    upper = ramps[2 : n_mels + 2] / widths[1 : n_mels + 1, None]
    weights: FloatArray = np.maximum(0.0, np.minimum(lower, upper)).astype(np.float32)
    weights *= (2.0 / (edges[2 : n_mels + 2] - edges[:n_mels]))[:, None]
    return weights


_MEL_STEP_HZ: Final = 200.0 / 3
_LOG_MEL: Final = 1000.0 / _MEL_STEP_HZ
"""Mel of 1 kHz, where the Slaney scale turns from linear to logarithmic."""
_LOG_STEP: Final = np.log(6.4) / 27.0


def _hz_to_mel(hz: Float64Array) -> Float64Array:
    linear = hz / _MEL_STEP_HZ
    logarithmic = _LOG_MEL + np.log(np.maximum(hz, 1000.0) / 1000.0) / _LOG_STEP
    return np.where(hz >= 1000.0, logarithmic, linear)


def _mel_to_hz(mels: Float64Array) -> Float64Array:
    linear = _MEL_STEP_HZ * mels
    logarithmic = 1000.0 * np.exp(_LOG_STEP * (np.maximum(mels, _LOG_MEL) - _LOG_MEL))
    return np.where(mels >= _LOG_MEL, logarithmic, linear)
