"""Frames of a mono signal that arrives in blocks, and the one FFT per frame that key and
tempo share.

Frames are 4096 samples every 1024 at 44.1 kHz, the first centred on sample 0, zero padded at
both ends (librosa's centred STFT). Every 4th frame is then exactly one of essentia
KeyExtractor's frames (4096 every 4096), so the key reads the spectra the onset envelope needs.
Blocks may have any length: a frame is transformed as soon as its last sample has arrived.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final, Protocol

import numpy as np
import scipy.fft
from scipy.signal import resample_poly

if TYPE_CHECKING:
    import numpy.typing as npt

    from tracktion.analysis.results import FloatArray

    ComplexArray = npt.NDArray[np.complex64]

SAMPLE_RATE: Final = 44100
"""The one rate every frame-based analysis runs at."""
FRAME: Final = 4096
HOP: Final = 1024
_BATCH: Final = 512
"""Frames transformed at once (fits the cache; a whole track at once is slower)."""


class FrameSink(Protocol):
    """Consumes raw frames and their spectra, in order."""

    def add_frames(self, first: int, frames: FloatArray, spectra: ComplexArray) -> None:
        """``frames`` (k, FRAME) are frames ``first`` .. ``first + k - 1``; ``spectra`` their
        unwindowed rfft."""


class FrameCutter:
    """Centred frames of ``size`` every ``hop`` samples over a signal that arrives in blocks."""

    def __init__(self, size: int, hop: int) -> None:
        self.size = size
        self.hop = hop
        self.samples = 0
        self._next = 0
        self._start = -(size // 2)  # global index of self._held[0]
        self._held: FloatArray = np.zeros(size // 2, dtype=np.float32)

    def push(self, block: FloatArray) -> tuple[int, FloatArray]:
        """(index of the first frame, frames (k, size)) completed by ``block`` (k may be 0)."""
        self.samples += block.size
        return self._cut(np.concatenate((self._held, block)), final=False)

    def finish(self) -> tuple[int, FloatArray]:
        """The remaining frames up to the one centred at or before the last sample."""
        last = self.samples // self.hop
        end = last * self.hop - self.size // 2 + self.size
        pad = max(0, end - (self._start + self._held.size))
        return self._cut(np.concatenate((self._held, np.zeros(pad, np.float32))), final=True)

    def _cut(self, held: FloatArray, *, final: bool) -> tuple[int, FloatArray]:
        end = self._start + held.size
        last = (end - self.size + self.size // 2) // self.hop
        if final:
            last = min(last, self.samples // self.hop)
        first = self._next
        count = max(0, last - first + 1)
        if count == 0:
            self._held = held
            return first, np.zeros((0, self.size), dtype=np.float32)
        offset = first * self.hop - self.size // 2 - self._start
        view = np.lib.stride_tricks.sliding_window_view(held[offset:], self.size)
        frames = view[:: self.hop][:count]
        self._next = first + count
        keep = self._next * self.hop - self.size // 2 - self._start
        self._held = held[keep:].copy()
        self._start += keep
        return first, frames


class FrameSpectra:
    """Cuts mono 44.1 kHz blocks into frames, transforms each once and hands both to sinks."""

    def __init__(self, sinks: tuple[FrameSink, ...]) -> None:
        self._sinks = sinks
        self._cutter = FrameCutter(FRAME, HOP)

    def push(self, mono: FloatArray) -> None:
        """Add the next block of samples."""
        self._send(*self._cutter.push(mono))

    def finish(self) -> None:
        """Flush the frames that reach past the end of the signal."""
        self._send(*self._cutter.finish())

    def _send(self, first: int, frames: FloatArray) -> None:
        for start in range(0, frames.shape[0], _BATCH):
            batch = frames[start : start + _BATCH]
            spectra = scipy.fft.rfft(batch, axis=1, workers=1)
            for sink in self._sinks:
                sink.add_frames(first + start, batch, spectra)


def to_analysis_rate(signal: FloatArray, sample_rate: int) -> FloatArray:
    """``signal`` resampled to :data:`SAMPLE_RATE` (returned as is when already there)."""
    if sample_rate == SAMPLE_RATE:
        return signal
    common = math.gcd(sample_rate, SAMPLE_RATE)
    up, down = SAMPLE_RATE // common, sample_rate // common
    return np.ascontiguousarray(resample_poly(signal, up, down), dtype=np.float32)
