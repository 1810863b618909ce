"""Audio properties from FFmpeg (PyAV) by reading headers and packets, never decoding.

Used for raw streams mutagen cannot read (ADTS AAC, AC-3) and as a fallback when mutagen fails.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, BinaryIO

import av

from tracktion.core.models import AudioProperties

if TYPE_CHECKING:
    from av.audio.stream import AudioStream
    from av.container import InputContainer

_PCM_BITS = re.compile(r"pcm_[suf](\d+)")


class StreamError(Exception):
    """FFmpeg found no readable audio stream."""


class _FFmpegFile:
    """File adapter for FFmpeg: a failed seek returns -1 instead of raising.

    FFmpeg probes invalid positions in corrupt files; PyAV would print the raised exception.
    """

    def __init__(self, f: BinaryIO) -> None:
        self._f = f

    def read(self, size: int) -> bytes:
        return self._f.read(size)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        try:
            return self._f.seek(offset, whence)
        except (OSError, ValueError):
            return -1

    def tell(self) -> int:
        return self._f.tell()


def probe_stream(f: BinaryIO, *, count_packets: bool = False) -> AudioProperties:
    """Properties of the first audio stream of an open file.

    With ``count_packets`` the whole file is demuxed (not decoded) and the duration is the sum
    of the packet durations, exact for raw streams whose headers carry no length.
    Raises StreamError.
    """
    f.seek(0)
    try:
        with av.open(_FFmpegFile(f), "r", metadata_errors="replace") as container:
            if not container.streams.audio:
                raise StreamError("no audio stream")
            stream = container.streams.audio[0]
            context = stream.codec_context
            if context is None:
                raise StreamError("audio stream of an unknown codec")
            timing = _packet_timing(container, stream) if count_packets else None
            duration, bitrate = timing or _header_timing(container, stream, context.bit_rate)
            return AudioProperties(
                codec=context.name,
                duration_s=duration,
                bitrate=bitrate,
                sample_rate=context.sample_rate or None,
                channels=context.channels or None,
                bits_per_sample=_pcm_bits(context.name),
            )
    except av.FFmpegError as exc:
        raise StreamError(str(exc)) from exc


def _header_timing(
    container: InputContainer, stream: AudioStream, stream_bitrate: int | None
) -> tuple[float | None, int | None]:
    if stream.duration and stream.time_base:
        duration: float | None = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / av.time_base
    else:
        duration = None
    return duration, stream_bitrate or container.bit_rate or None


def _packet_timing(container: InputContainer, stream: AudioStream) -> tuple[float, int] | None:
    ticks = 0
    size = 0
    for packet in container.demux(stream):
        if packet.size:
            ticks += packet.duration or 0
            size += packet.size
    if not ticks or stream.time_base is None:
        return None
    duration = float(ticks * stream.time_base)
    return duration, round(size * 8 / duration)


def _pcm_bits(codec: str) -> int | None:
    match = _PCM_BITS.match(codec)
    return int(match[1]) if match else None
