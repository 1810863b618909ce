"""Decoding with PyAV (FFmpeg) into float32 arrays; whole files or bounded-memory mono blocks.

Only PyAV decodes: essentia's own loaders must not run in the same process (they crashed
together). Corrupt packets are skipped and counted; a file that yields some audio is returned
with a logged warning, one that yields none raises :class:`DecodeError`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av
import numpy as np
import numpy.typing as npt

from tracktion.analysis.errors import DecodeError
from tracktion.analysis.results import DecodedAudio, FloatArray

if TYPE_CHECKING:
    from collections.abc import Iterator

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DecodeReport:
    """How a decode went: corrupt packets skipped or a decoder that stopped early."""

    errors: int
    """Packets FFmpeg could not decode after audio started (skipped), or 1 for a broken file."""
    first_error: str | None

    @property
    def partial(self) -> bool:
        """True when some of the file could not be decoded."""
        return self.errors > 0


_CHUNK = 32768
"""Samples per resampled chunk: FFmpeg batches the codec's small frames (per-frame Python
overhead otherwise costs a third of the decode)."""


class AudioStream:
    """Resampled float32 planar audio of a file's first audio stream, decoded as it is read."""

    def __init__(self, path: str | Path, sample_rate: int = 44100, max_channels: int = 2) -> None:
        self.path = str(path)
        self.sample_rate = sample_rate
        self.max_channels = max_channels
        self.source_sample_rate = 0
        self.channels = 0
        self.expected_samples: int | None = None
        """The container's duration at ``sample_rate`` (None when unknown); set on opening."""
        self.samples = 0
        self.errors = 0
        self.first_error: str | None = None

    def _fail(self, exc: Exception) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = str(exc)

    def chunks(self) -> Iterator[FloatArray]:
        """Yield resampled chunks; raise DecodeError when the file cannot be opened as audio."""
        path = Path(self.path)
        if not path.is_file():
            raise DecodeError(f"{self.path}: not a file")
        if path.stat().st_size == 0:
            raise DecodeError(f"{self.path}: empty file (0 bytes)")
        try:
            container = av.open(self.path, "r", metadata_errors="replace")
        except av.FFmpegError as exc:
            raise DecodeError(f"{self.path}: not a readable audio file ({exc})") from exc
        with container:
            if not container.streams.audio:
                raise DecodeError(f"{self.path}: no audio stream")
            stream = container.streams.audio[0]
            context = stream.codec_context
            if context is None or not context.channels:
                raise DecodeError(f"{self.path}: audio stream of an unknown codec")
            self.source_sample_rate = context.sample_rate or self.sample_rate
            self.channels = min(context.channels, self.max_channels)
            self.expected_samples = _expected_samples(container, stream, self.sample_rate)
            resampler = av.AudioResampler(
                format="fltp",
                layout="mono" if self.channels == 1 else "stereo",
                rate=self.sample_rate,
                frame_size=_CHUNK,
            )
            packets = container.demux(stream)
            started = False
            while True:
                try:
                    packet = next(packets)
                except StopIteration:
                    break
                except av.FFmpegError as exc:  # demuxer gave up (truncated or corrupt file)
                    self._fail(exc)
                    break
                try:
                    frames = packet.decode()
                except av.FFmpegError as exc:
                    if started:
                        self._fail(exc)
                    else:  # junk before the first frame (e.g. an ID3 tag on raw AC-3)
                        logger.debug("Skipped undecodable leading packet in %s: %s", path, exc)
                    continue
                started = started or bool(frames)
                for frame in frames:
                    frame.pts = None  # timestamps of damaged files confuse the resampler
                    for out in resampler.resample(frame):
                        yield self._counted(out.to_ndarray())
            for out in resampler.resample(None):
                yield self._counted(out.to_ndarray())

    def _counted(self, chunk: npt.NDArray[Any]) -> FloatArray:
        self.samples += chunk.shape[1]
        return chunk.astype(np.float32, copy=False)

    def blocks(self, size: int) -> Iterator[FloatArray]:
        """(channels, ``size``) blocks (the last may be shorter); DecodeError when the file
        cannot be opened or yields no samples at all (raised after the last block)."""
        block: FloatArray | None = None
        held = 0
        for chunk in self.chunks():
            used = 0
            while used < chunk.shape[1]:
                if block is None:
                    block = np.empty((chunk.shape[0], size), dtype=np.float32)
                take = min(size - held, chunk.shape[1] - used)
                block[:, held : held + take] = chunk[:, used : used + take]
                held += take
                used += take
                if held == size:
                    yield block
                    block, held = None, 0
        if block is not None and held:
            yield block[:, :held]
        if self.samples == 0:
            detail = f" ({self.first_error})" if self.first_error else ""
            raise DecodeError(f"{self.path}: no audio samples could be decoded{detail}")
        if self.errors:
            logger.warning(
                "Partial decode of %s: %d undecodable packet(s), kept %.2f s (%s)",
                self.path,
                self.errors,
                self.samples / self.sample_rate,
                self.first_error,
            )

    def report(self) -> DecodeReport:
        """What went wrong so far."""
        return DecodeReport(errors=self.errors, first_error=self.first_error)


def _expected_samples(
    container: av.container.InputContainer, stream: av.AudioStream, sample_rate: int
) -> int | None:
    if stream.duration is not None and stream.time_base is not None:
        return round(float(stream.duration * stream.time_base) * sample_rate)
    if container.duration is not None:
        return round(container.duration / av.time_base * sample_rate)
    return None


def decode_with_report(
    path: str | Path, *, sample_rate: int = 44100, max_seconds: float | None = None
) -> tuple[DecodedAudio, DecodeReport]:
    """Decode like :func:`decode` and also say whether parts of the file were undecodable."""
    stream = AudioStream(path, sample_rate, max_channels=2)
    limit = None if max_seconds is None else max(1, round(max_seconds * sample_rate))
    parts: list[FloatArray] = []
    total = 0
    for chunk in stream.chunks():
        if limit is not None and total + chunk.shape[1] >= limit:
            parts.append(chunk[:, : limit - total])
            total = limit
            break
        parts.append(chunk)
        total += chunk.shape[1]
    if total == 0:
        detail = f" ({stream.first_error})" if stream.first_error else ""
        raise DecodeError(f"{stream.path}: no audio samples could be decoded{detail}")
    audio = np.ascontiguousarray(np.concatenate(parts, axis=1), dtype=np.float32)
    report = stream.report()
    if report.partial:
        logger.warning(
            "Partial decode of %s: %d undecodable packet(s), kept %.2f s (%s)",
            stream.path,
            report.errors,
            total / sample_rate,
            report.first_error,
        )
    decoded = DecodedAudio(
        stereo=audio,
        sample_rate=sample_rate,
        source_sample_rate=stream.source_sample_rate,
        duration_s=total / sample_rate,
    )
    return decoded, report


def decode(
    path: str | Path, *, sample_rate: int = 44100, max_seconds: float | None = None
) -> DecodedAudio:
    """Decode up to two channels (more are downmixed) to float32 planar at ``sample_rate``.

    Raises DecodeError when nothing can be decoded; a partial decode is logged as a warning
    (use :func:`decode_with_report` to see it programmatically).
    """
    return decode_with_report(path, sample_rate=sample_rate, max_seconds=max_seconds)[0]


def iter_blocks(
    path: str | Path, *, sample_rate: int = 44100, block_s: float = 30.0
) -> Iterator[FloatArray]:
    """Yield mono float32 blocks of ``block_s`` seconds (the last may be shorter).

    Memory stays at about one block whatever the file length. Raises DecodeError like
    :func:`decode` (when the file yields no samples at all, after nothing was yielded).
    """
    stream = AudioStream(path, sample_rate, max_channels=1)
    for block in stream.blocks(max(1, round(block_s * sample_rate))):
        yield block[0]
