"""Spectral peaks of essentia KeyExtractor's frames, gathered while the frames stream past,
and the pitch-class profiles (HPCP) derived from them: KeyExtractor's front end in numpy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import scipy.fft

from tracktion.analysis.frames import FRAME, SAMPLE_RATE, FrameCutter

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy.typing as npt

    from tracktion.analysis.results import FloatArray

    Profile = npt.NDArray[np.float64]
    ComplexArray = npt.NDArray[np.complex64]
    Harmonics = tuple[tuple[float, float], ...]

_DECIMATION: Final = 8
"""The bass band (30-250 Hz) is analysed on the signal decimated to 5512.5 Hz."""
_BASS_FRAME: Final = 2048
"""Bass frame length at 5512.5 Hz (0.37 s)."""
_MAX_PEAKS: Final = 60
_CHUNK: Final = 4096
"""Frames turned into profiles at once at the end (bounds the temporaries of long mixes)."""
_CENTS: Final = 1200
"""Resolution of the accumulated key profile (one bin per cent of the octave)."""
_BIN_HZ: Final = SAMPLE_RATE / FRAME
_BASS_HZ: Final = SAMPLE_RATE / _DECIMATION / _BASS_FRAME
_HANN: Final = (0.5, 0.5)
_HARRIS: Final = (0.44959, 0.49364, 0.05677)
"""Cosine-sum coefficients of essentia's blackmanharris62 window."""
_FUNDAMENTAL: Final = ((0.0, 1.0),)
_HARMONICS: Final = (
    (0.0, 3.0),
    (12 * np.log2(3) - 12, 1.0),
    (12 * np.log2(5) - 24, 24 / (12 * np.log2(5))),
)
"""HPCP with 4 harmonics: partials 1, 2, 4 fold onto the fundamental, 3 onto the fifth and 5
onto the major third (its strength divided by essentia's octave weight)."""


class Spectra:
    """Spectral peaks of KeyExtractor's frames (4096 every 4096 at 44.1 kHz, the first centred on
    sample 0), a :class:`~tracktion.analysis.frames.FrameSink`.

    The shared spectrum of every 4th frame gives a Hann spectrum (whitened peaks in 25-3500 Hz:
    KeyExtractor's HPCP, accumulated per cent of the octave, so a mix of any length costs
    1200 numbers); every 8th a Blackman-Harris one (80-5000 Hz: tuning, chroma). The bass
    (30-250 Hz) uses long frames of the signal decimated to ~5.5 kHz (:meth:`push`). Tuning,
    chroma and bass read every other key frame: their averages do not need more.
    """

    def __init__(self) -> None:
        self.hop_s = 2 * FRAME / SAMPLE_RATE
        self.samples = 0
        self.energy = 0.0
        self._low = FrameCutter(_BASS_FRAME, 2 * FRAME // _DECIMATION)
        self._undecimated: FloatArray = np.zeros(0, dtype=np.float32)
        self._key_cos, self._key_sin = np.zeros(_CENTS), np.zeros(_CENTS)
        self._rms: list[Profile] = []
        self._tone: list[tuple[FloatArray, FloatArray]] = []
        self._bass: list[tuple[FloatArray, FloatArray]] = []

    def push(self, mono: FloatArray) -> None:
        """Add the next block of the signal (for the bass frames and the signal's power)."""
        self.samples += mono.size
        self.energy += float(np.dot(mono, mono))
        signal = np.concatenate((self._undecimated, mono))
        whole = signal.size // _DECIMATION * _DECIMATION
        self._undecimated = signal[whole:]
        # Boxcar decimation: the bands that fold onto 0-250 Hz sit on the boxcar's nulls.
        low = signal[0:whole:_DECIMATION].copy()
        for k in range(1, _DECIMATION):
            low += signal[k:whole:_DECIMATION]
        low *= np.float32(1 / _DECIMATION)
        self._add_bass(self._low.push(low)[1])

    def finish(self) -> None:
        """Flush the last bass frames (after the last :meth:`push`)."""
        self._add_bass(self._low.finish()[1])

    def add_frames(self, first: int, frames: FloatArray, spectra: ComplexArray) -> None:
        """Take KeyExtractor's frames (every 4th) out of a batch of shared frames."""
        key = spectra[(-first) % 4 :: 4]
        if key.shape[0]:
            hann = _windowed(key, _HANN, int(4200 * 1.58 / _BIN_HZ) + 3)
            freqs, mags = _peaks(hann, _BIN_HZ, 25.0, 3500.0, 1e-4)
            self._add_key(freqs, _whiten(hann, freqs, mags, SAMPLE_RATE, FRAME))
        tone = (-first) % 8
        if spectra.shape[0] > tone:
            raw = frames[tone::8]
            self._rms.append(np.sqrt(np.einsum("ij,ij->i", raw, raw) / FRAME))
            harris = _windowed(spectra[tone::8], _HARRIS, int(5000 / _BIN_HZ) + 3)
            self._tone.append(_compact(*_peaks(harris, _BIN_HZ, 80.0, 5000.0, 1e-5)))

    @property
    def rms(self) -> Profile:
        """RMS of every tone frame."""
        return np.concatenate(self._rms) if self._rms else np.zeros(1)

    def _add_bass(self, frames: FloatArray) -> None:
        if frames.shape[0]:
            lows = _windowed(scipy.fft.rfft(frames, axis=1), _HARRIS, int(250 / _BASS_HZ) + 3)
            self._bass.append(_compact(*_peaks(lows, _BASS_HZ, 30.0, 250.0, 1e-5)))

    def _add_key(self, freqs: Profile, mags: Profile) -> None:
        """Sum the peak powers per cent of the octave (as cos and sin of their semitone phase,
        so that the HPCP of any tuning can be formed afterwards)."""
        valid = (freqs >= 25.0) & (freqs <= 3500.0) & (mags > 0)
        semitones = 12 * np.log2(freqs[valid] / 440.0)
        power = np.square(mags[valid])
        cents = np.floor(semitones * 100).astype(np.int64) % _CENTS
        self._key_cos += np.bincount(cents, power * np.cos(np.pi * semitones), _CENTS)
        self._key_sin += np.bincount(cents, power * np.sin(np.pi * semitones), _CENTS)

    def tuning(self) -> tuple[float, float]:
        """Reference pitch in Hz and how tempered the peaks are (~0 for noise, high for music).

        As essentia TuningFrequency: each frame's energy goes to the mode of its 1-cent histogram
        of deviations from the tempered grid. Temperedness is their weighted resultant length.
        """
        total = np.zeros(100)
        phasor, weight = 0j, 0.0
        for freqs, mags in _chunks(self._tone):
            valid = mags > 0
            note = 12 * np.log2(np.where(valid, freqs, 440.0) / 440.0)
            cents = 100 * (note - np.floor(note + 0.5))
            index = np.asarray(np.floor(50 + cents + 0.5), dtype=np.int64) % 100
            rows = np.arange(freqs.shape[0])[:, None] * 100
            frame = np.bincount(
                (rows + index).ravel(), (mags * valid).ravel(), freqs.shape[0] * 100
            )
            modes = frame.reshape(-1, 100).argmax(axis=1)
            energy = np.square(mags).sum(axis=1)
            some = valid.any(axis=1)
            total += np.bincount(modes[some], energy[some], 100)
            phasor += complex(np.sum(mags * np.exp(2j * np.pi * note)))
            weight += float(mags.sum())
        tuning_cents = float(total.argmax()) - 50 if total.max() > 0 else 0.0
        tuning_cents += 100 if tuning_cents < -35 else 0
        return 440.0 * 2 ** (tuning_cents / 1200), abs(phasor) / weight if weight > 0 else 0.0

    def chroma(self, tuning_hz: float) -> Profile:
        """Per-frame chroma of the 100-5000 Hz peaks, unit max, index 0 = C."""
        return _profiles(self._tone, tuning_hz, (100.0, 5000.0))

    def bass(self, tuning_hz: float) -> Profile:
        """Per-frame chroma of the 30-250 Hz peaks, unit max, index 0 = C."""
        return _profiles(self._bass, tuning_hz, (30.0, 250.0))

    def key_pcp(self, tuning_hz: float) -> FloatArray:
        """KeyExtractor's HPCP (4 harmonics) averaged, peak-normalised, gated at 0.2; 0 = A.

        Per cent bin, a peak at ``s`` semitones adds cos(pi (s - h - t - n)) to bin n (the
        fundamental nearest to s - h - t), which is (-1)^n (cos(pi s) cos(pi (h + t)) +
        sin(pi s) sin(pi (h + t))): the sums of cos and sin per bin suffice.
        """
        offset = 12 * np.log2(tuning_hz / 440.0)
        centre = (np.arange(_CENTS) + 0.5) / 100
        total = np.zeros(12)
        for shift, strength in _HARMONICS:
            nearest = np.round(centre - shift - offset)
            sign = 1.0 - 2.0 * (nearest % 2)
            phase = np.pi * (shift + offset)
            weight = sign * (self._key_cos * np.cos(phase) + self._key_sin * np.sin(phase))
            total += np.bincount(nearest.astype(np.int64) % 12, weight * strength**2, 12)
        peak = float(total.max())
        pcp = total / peak if peak > 0 else total
        return np.asarray(np.where(pcp < 0.2, 0.0, pcp), dtype=np.float32)


def _compact(freqs: Profile, mags: Profile) -> tuple[FloatArray, FloatArray]:
    return freqs.astype(np.float32), mags.astype(np.float32)


def _chunks(parts: list[tuple[FloatArray, FloatArray]]) -> Iterator[tuple[Profile, Profile]]:
    """Stored peaks regrouped into float64 chunks of about _CHUNK frames, one at a time."""
    group: list[tuple[FloatArray, FloatArray]] = []
    held = 0
    for part in [*parts, None]:
        if part is not None:
            group.append(part)
            held += part[0].shape[0]
        if group and (part is None or held >= _CHUNK):
            freqs = np.concatenate([f for f, _ in group]).astype(np.float64)
            mags = np.concatenate([m for _, m in group]).astype(np.float64)
            group, held = [], 0
            yield freqs, mags


def _profiles(
    parts: list[tuple[FloatArray, FloatArray]], tuning_hz: float, band: tuple[float, float]
) -> Profile:
    rows = [_unit_max(_hpcp(f, m, tuning_hz, band, _FUNDAMENTAL)) for f, m in _chunks(parts)]
    return np.concatenate(rows) if rows else np.zeros((1, 12))


def _windowed(spectrum: ComplexArray, window: tuple[float, ...], bins: int) -> FloatArray:
    """Magnitudes of the first ``bins`` bins under a normalised cosine-sum window.

    Multiplying a frame by a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N) convolves its DFT with
    a few taps, so every window shares one FFT. The window is scaled to sum 2, as essentia does.
    """
    scale = 2 / (2 * (spectrum.shape[1] - 1) * window[0])
    reach = len(window) - 1
    bins = min(bins, spectrum.shape[1] - reach)
    ends = np.conj(spectrum[:, reach:0:-1])
    padded = np.concatenate([ends, spectrum[:, : bins + reach]], axis=1)
    result = (window[0] * scale) * padded[:, reach : reach + bins]
    for tap in range(1, reach + 1):
        weight = (-1) ** tap * window[tap] / 2 * scale
        left = padded[:, reach - tap : reach - tap + bins]
        right = padded[:, reach + tap : reach + tap + bins]
        result += weight * (left + right)
    magnitudes: FloatArray = np.abs(result).astype(np.float32, copy=False)
    return magnitudes


def _peaks(
    mags: FloatArray, bin_hz: float, low: float, high: float, threshold: float
) -> tuple[Profile, Profile]:
    """essentia SpectralPeaks per row: parabolic peaks, the loudest 60, zero padded.

    As in essentia, the first bin of the range is a peak when it exceeds its right neighbour
    alone, and is not interpolated.
    """
    first = max(1, int(np.ceil(low / bin_hz)))
    last = min(mags.shape[1] - 2, int(high / bin_hz))
    left, centre, right = (mags[:, first + k : last + 1 + k] for k in (-1, 0, 1))
    curve = left - 2 * centre + right
    delta = 0.5 * (left - right) / np.where(curve < 0, curve, -1.0)
    delta[:, 0] = 0.0
    value = centre - 0.25 * (left - right) * delta
    peak = (centre > left) & (centre > right) & (centre > threshold)
    peak[:, 0] = (centre[:, 0] > right[:, 0]) & (centre[:, 0] > threshold)
    value = np.where(peak, value, 0.0)
    freqs = (np.arange(first, last + 1) + delta) * bin_hz
    keep = value > 0
    if value.shape[1] > _MAX_PEAKS:
        keep &= value >= np.partition(value, -_MAX_PEAKS, axis=1)[:, -_MAX_PEAKS, None]
    # Each row's 60 loudest peaks, packed to the left in frequency order.
    slot = np.cumsum(keep, axis=1) - 1
    rows, cols = np.nonzero(keep & (slot < _MAX_PEAKS))
    packed = np.zeros((2, value.shape[0], _MAX_PEAKS))
    packed[:, rows, slot[rows, cols]] = freqs[rows, cols], value[rows, cols]
    return packed[0], packed[1]


def _whiten(
    spectrum: FloatArray, freqs: Profile, mags: Profile, sample_rate: int, size: int
) -> Profile:
    """essentia SpectralWhitening (maxFrequency 3500 Hz), vectorised over frames.

    A smooth envelope is sampled every 100 Hz from energy-weighted windows of the spectrum;
    peaks at the envelope keep 0 dB, peaks up to 30 dB below it keep their distance, weaker
    ones drop to -200 dB, and a 5 dB/kHz tilt favours the low range.
    """
    nyquist = sample_rate / 2
    points = np.arange(0.0, min(4200.0, nyquist) + 1e-6, 100.0)
    kernel = np.zeros((spectrum.shape[1], points.size))
    to_bin = (size // 2) / nyquist
    for column, freq in enumerate(points):
        begin = min(size // 2, max(0, int((freq - max(50.0, 0.34 * freq)) * to_bin + 0.5)))
        end = max(begin + 1, int((freq + max(50.0, 0.58 * freq)) * to_bin + 0.5))
        end = min(size // 2 + 1, end)
        centre = (begin + end) / 2
        index = np.arange(begin, min(end, spectrum.shape[1]))
        kernel[index, column] = (1 - np.abs(index - centre) / (end - centre)) ** 4
    energy = np.square(spectrum)
    weight = energy @ kernel
    average = np.divide(
        np.square(energy) @ kernel, weight, out=np.zeros_like(weight), where=weight > 0
    )
    average[:, -1] = average[:, -2]
    envelope = 2 * _db(np.sqrt(average))
    position = np.clip(freqs / 100.0, 0, points.size - 1)
    lower = np.minimum(position.astype(np.int64), points.size - 2)
    rows = np.arange(freqs.shape[0])[:, None]
    fraction = position - lower
    level = envelope[rows, lower] * (1 - fraction) + envelope[rows, lower + 1] * fraction
    amp = 2 * _db(mags)
    white = np.where(amp > level, 0.0, np.where(amp > level - 30, amp - level, -200.0))
    return np.where(mags > 0, 10 ** ((white - 20 * freqs / 4000) / 20), 0.0)


def _db(values: Profile) -> Profile:
    """essentia lin2db: 10 log10, -100 dB below 1e-10."""
    return np.where(values < 1e-10, -100.0, 10 * np.log10(np.maximum(values, 1e-10)))


def _hpcp(
    freqs: Profile, mags: Profile, tuning_hz: float, band: tuple[float, float], harmonics: Harmonics
) -> Profile:
    """essentia HPCP per row (12 bins, cosine weight over a semitone, unnormalised, 0 = A).

    ``harmonics`` lists (semitones above the fundamental mod 12, strength); a peak adds
    cos(pi * distance) * magnitude^2 * strength^2 to the bin of each implied fundamental.
    """
    valid = (freqs >= band[0]) & (freqs <= band[1]) & (mags > 0)
    semitones = 12 * np.log2(np.where(valid, freqs, tuning_hz) / tuning_hz)
    power = np.where(valid, np.square(mags), 0.0)
    rows = np.arange(freqs.shape[0])[:, None] * 12
    hpcp = np.zeros(freqs.shape[0] * 12)
    for shift, strength in harmonics:
        nearest = np.round(semitones - shift)
        weight = np.cos(np.pi * (semitones - shift - nearest)) * power * strength**2
        flat = (rows + nearest.astype(np.int64) % 12).ravel()
        hpcp += np.bincount(flat, weight.ravel(), hpcp.size)
    return hpcp.reshape(-1, 12)


def _unit_max(hpcp: Profile) -> Profile:
    """Rows scaled to a maximum of 1 and rolled so that index 0 is C (HPCP index 0 is A)."""
    peak = hpcp.max(axis=1, keepdims=True)
    return np.roll(hpcp / np.where(peak > 0, peak, 1.0), -3, axis=1)
