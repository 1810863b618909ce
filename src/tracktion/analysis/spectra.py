"""Spectral peaks of every analysis frame, computed once, and the pitch-class profiles
(HPCP) derived from them: essentia's KeyExtractor front end rewritten in vectorised numpy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import scipy.fft

if TYPE_CHECKING:
    import numpy.typing as npt

    from tracktion.analysis.results import FloatArray

    Profile = npt.NDArray[np.float64]
    ComplexArray = npt.NDArray[np.complex64]
    Harmonics = tuple[tuple[float, float], ...]

_FRAME: Final = 4096
"""Analysis frame at 44.1 kHz (other rates scale it); chroma, tuning and the essentia profiles."""
_BASS_RATE: Final = 5512.5
"""The bass band (30-250 Hz) is analysed on a signal decimated by a power of two to this rate
or a little above."""
_BASS_FRAME: Final = 16384
"""Bass frame length at 44.1 kHz (0.37 s), taken from the decimated signal."""
_MAX_PEAKS: Final = 60
_BLOCK: Final = 1024
"""Frames per FFT block (95 s at 44.1 kHz); even, so every other frame stays on one grid."""
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
    """Spectral peaks of every frame, computed once (vectorised) and shared by every profile.

    Frames follow KeyExtractor's (4096 every 4096 at 44.1 kHz, first centred on sample 0). One FFT
    gives a Hann spectrum (whitened peaks in 25-3500 Hz: KeyExtractor's HPCP) and a Blackman-Harris
    one (80-5000 Hz: tuning, chroma); the bass (30-250 Hz) uses long frames of a ~5.5 kHz signal.
    """

    def __init__(self, signal: FloatArray, sample_rate: int) -> None:
        ratio = sample_rate / 44100
        size = _power_of_two(_FRAME * ratio)
        # Tuning, chroma and bass read every other frame: their averages do not need more.
        self.hop_s = 2 * size / sample_rate
        factor = 2 ** int(np.log2(sample_rate / _BASS_RATE))
        # Boxcar decimation: the bands that fold onto 0-250 Hz sit on the boxcar's nulls.
        boxcar = np.full(factor, 1 / factor, dtype=np.float32)
        low = signal[: signal.size // factor * factor].reshape(-1, factor) @ boxcar
        long = _power_of_two(_BASS_FRAME * ratio / factor)
        bin_hz, bass_hz = sample_rate / size, sample_rate / factor / long
        rms, key, tone, bass = [], [], [], []
        # Blocks of frames keep the memory flat on hour-long mixes.
        for start in range(0, signal.size // size + 1, _BLOCK):
            frames = _frames(signal, size, size, start, _BLOCK)
            rms.append(np.sqrt(np.einsum("ij,ij->i", frames[::2], frames[::2]) / size))
            spectrum = scipy.fft.rfft(frames, axis=1)
            hann = _windowed(spectrum, _HANN, int(4200 * 1.58 / bin_hz) + 3)
            freqs, mags = _peaks(hann, bin_hz, 25.0, 3500.0, 1e-4)
            key.append((freqs, _whiten(hann, freqs, mags, sample_rate, size)))
            harris = _windowed(spectrum[::2], _HARRIS, int(5000 / bin_hz) + 3)
            tone.append(_peaks(harris, bin_hz, 80.0, 5000.0, 1e-5))
            lows = _frames(low, long, 2 * size // factor, start // 2, rms[-1].size)
            lows_mags = _windowed(scipy.fft.rfft(lows, axis=1), _HARRIS, int(250 / bass_hz) + 3)
            bass.append(_peaks(lows_mags, bass_hz, 30.0, 250.0, 1e-5))
        self.rms: Profile = np.concatenate(rms)
        self._key, self._tone, self._bass = (_stack(parts) for parts in (key, tone, bass))

    def tuning(self) -> tuple[float, float]:
        """Reference pitch in Hz and how tempered the peaks are (~0 for noise, high for music).

        As essentia TuningFrequency: each frame's energy goes to the mode of its 1-cent histogram
        of deviations from the tempered grid. Temperedness is their weighted resultant length.
        """
        freqs, mags = self._tone
        valid = mags > 0
        note = 12 * np.log2(np.where(valid, freqs, 440.0) / 440.0)
        cents = 100 * (note - np.floor(note + 0.5))
        index = np.asarray(np.floor(50 + cents + 0.5), dtype=np.int64) % 100
        rows = np.arange(freqs.shape[0])[:, None] * 100
        frame = np.bincount((rows + index).ravel(), (mags * valid).ravel(), freqs.shape[0] * 100)
        modes = frame.reshape(-1, 100).argmax(axis=1)
        energy = np.square(mags).sum(axis=1)
        total = np.bincount(modes[valid.any(axis=1)], energy[valid.any(axis=1)], 100)
        tuning_cents = float(total.argmax()) - 50 if total.max() > 0 else 0.0
        tuning_cents += 100 if tuning_cents < -35 else 0
        phasor = complex(np.sum(mags * np.exp(2j * np.pi * note)))
        weight = float(mags.sum())
        return 440.0 * 2 ** (tuning_cents / 1200), abs(phasor) / weight if weight > 0 else 0.0

    def chroma(self, tuning_hz: float) -> Profile:
        """Per-frame chroma of the 100-5000 Hz peaks, unit max, index 0 = C."""
        return _unit_max(_hpcp(*self._tone, tuning_hz, (100.0, 5000.0), _FUNDAMENTAL))

    def bass(self, tuning_hz: float) -> Profile:
        """Per-frame chroma of the 30-250 Hz peaks, unit max, index 0 = C."""
        return _unit_max(_hpcp(*self._bass, tuning_hz, (30.0, 250.0), _FUNDAMENTAL))

    def key_pcp(self, tuning_hz: float) -> FloatArray:
        """KeyExtractor's HPCP (4 harmonics) averaged, peak-normalised, gated at 0.2; 0 = A."""
        mean = _hpcp(*self._key, tuning_hz, (25.0, 3500.0), _HARMONICS).mean(axis=0)
        peak = float(mean.max())
        pcp = mean / peak if peak > 0 else mean
        return np.asarray(np.where(pcp < 0.2, 0.0, pcp), dtype=np.float32)


def _power_of_two(length: float) -> int:
    return int(2 ** round(np.log2(length)))


def _frames(signal: FloatArray, size: int, hop: int, first: int, count: int) -> FloatArray:
    """Frames ``first``.. ``first + count - 1`` every ``hop``, the first centred on sample 0.

    Frames reaching outside the signal are zero padded; only this block of samples is copied.
    """
    count = max(1, min(count, signal.size // hop + 1 - first))
    begin = first * hop - size // 2
    end = begin + (count - 1) * hop + size
    block = np.zeros(end - begin, dtype=np.float32)
    block[max(0, -begin) : min(end, signal.size) - begin] = signal[max(0, begin) : end]
    return np.lib.stride_tricks.sliding_window_view(block, size)[::hop]


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


def _stack(parts: list[tuple[Profile, Profile]]) -> tuple[Profile, Profile]:
    """Peak frequencies and magnitudes of consecutive blocks of frames, as one pair."""
    return np.concatenate([f for f, _ in parts]), np.concatenate([m for _, m in parts])


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
