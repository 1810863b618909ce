"""Decoding with PyAV (FFmpeg) into float32 arrays; whole files or bounded-memory mono blocks.

Only PyAV decodes: essentia's own loaders must not run in the same process (they crashed
together). Corrupt packets are skipped and counted; a file that yields some audio is returned
with a logged warning, one that yields none raises :class:`DecodeError`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np

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


class _Stream:
    """Resampled float32 planar chunks of a file's first audio stream, shape (channels, n)."""

    def __init__(self, path: str | Path, sample_rate: int, max_channels: int) -> None:
        self.path = str(path)
        self.sample_rate = sample_rate
        self.max_channels = max_channels
        self.source_sample_rate = 0
        self.channels = 0
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
            resampler = av.AudioResampler(
                format="fltp",
                layout="mono" if self.channels == 1 else "stereo",
                rate=self.sample_rate,
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
                        yield out.to_ndarray().astype(np.float32, copy=False)
            for out in resampler.resample(None):
                yield out.to_ndarray().astype(np.float32, copy=False)

    def report(self) -> DecodeReport:
        """What went wrong so far."""
        return DecodeReport(errors=self.errors, first_error=self.first_error)


def decode_with_report(
    path: str | Path, *, sample_rate: int = 44100, max_seconds: float | None = None
) -> tuple[DecodedAudio, DecodeReport]:
    """Decode like :func:`decode` and also say whether parts of the file were undecodable."""
    stream = _Stream(path, sample_rate, max_channels=2)
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
    stream = _Stream(path, sample_rate, max_channels=1)
    size = max(1, round(block_s * sample_rate))
    pending: list[FloatArray] = []
    held = 0
    total = 0
    for chunk in stream.chunks():
        pending.append(chunk[0])
        held += chunk.shape[1]
        while held >= size:
            joined = np.concatenate(pending)
            yield np.ascontiguousarray(joined[:size])
            pending = [joined[size:]]
            held -= size
            total += size
    if held:
        total += held
        yield np.ascontiguousarray(np.concatenate(pending))
    if total == 0:
        raise DecodeError(f"{stream.path}: no audio samples could be decoded")
    if stream.errors:
        logger.warning(
            "Partial decode of %s: %d undecodable packet(s) (%s)",
            stream.path,
            stream.errors,
            stream.first_error,
        )
