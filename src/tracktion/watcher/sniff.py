"""Detect a file's real audio format from its first bytes, whatever its extension says.

Only the bytes handed in are looked at: header sizes found in them are never used to read or
allocate anything. A leading ID3v2 tag is skipped; when its size field is not syncsafe (corrupt),
the bytes after the tag header are scanned for a run of audio frames instead.
"""

from __future__ import annotations

from typing import NamedTuple

from tracktion.core.models import AudioFormat

_EXTENSION_FORMATS: dict[str, AudioFormat] = {
    ".mp3": AudioFormat.MP3,
    ".mp2": AudioFormat.MP2,
    ".flac": AudioFormat.FLAC,
    ".wav": AudioFormat.WAV,
    ".aif": AudioFormat.AIFF,
    ".aiff": AudioFormat.AIFF,
    ".aifc": AudioFormat.AIFF,
    ".ogg": AudioFormat.OGG,
    ".oga": AudioFormat.OGG,
    ".opus": AudioFormat.OPUS,
    ".m4a": AudioFormat.M4A,
    ".mp4": AudioFormat.M4A,
    ".m4b": AudioFormat.M4A,
    ".alac": AudioFormat.M4A,
    ".wma": AudioFormat.WMA,
    ".asf": AudioFormat.WMA,
    ".wv": AudioFormat.WV,
    ".aac": AudioFormat.AAC,
    ".adts": AudioFormat.AAC,
    ".ac3": AudioFormat.AC3,
    ".tta": AudioFormat.TTA,
    ".ape": AudioFormat.APE,
    ".mpc": AudioFormat.MPC,
    ".dsf": AudioFormat.DSF,
}

AUDIO_EXTENSIONS: frozenset[str] = frozenset(_EXTENSION_FORMATS)
"""Lower-case file extensions (with the dot) that name an audio format."""

_MAGIC_PREFIXES: tuple[tuple[bytes, AudioFormat], ...] = (
    (b"fLaC", AudioFormat.FLAC),
    (b"0&\xb2u\x8ef\xcf\x11\xa6\xd9\x00\xaa\x00b\xcel", AudioFormat.WMA),  # ASF header GUID
    (b"wvpk", AudioFormat.WV),
    (b"TTA1", AudioFormat.TTA),
    (b"MAC ", AudioFormat.APE),
    (b"MPCK", AudioFormat.MPC),
    (b"MP+", AudioFormat.MPC),
    (b"DSD ", AudioFormat.DSF),
)
_MP4_AUDIO_BRANDS = frozenset(
    {
        b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B ", b"mp41", b"mp42", b"isom", b"iso2",
        b"iso3", b"iso4", b"iso5", b"iso6", b"dash", b"3gp4", b"3gp5", b"3gp6", b"3g2a",
        b"MSNV", b"qt  ",
    }
)  # fmt: skip
_OGG_CODECS: tuple[tuple[bytes, AudioFormat], ...] = (
    (b"\x01vorbis", AudioFormat.OGG),
    (b"OpusHead", AudioFormat.OPUS),
    (b"\x7fFLAC", AudioFormat.OGG),
    (b"Speex   ", AudioFormat.OGG),
)

# MPEG audio bitrates in kbit/s for bitrate indices 1..14, keyed by (MPEG-1?, layer).
_MPEG_BITRATES: dict[tuple[bool, int], tuple[int, ...]] = {
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MPEG_SAMPLE_RATES: dict[int, tuple[int, int, int]] = {
    3: (44100, 48000, 32000),  # MPEG-1
    2: (22050, 24000, 16000),  # MPEG-2
    0: (11025, 12000, 8000),  # MPEG-2.5
}
_AC3_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512)
_AC3_SAMPLE_RATES = (48000, 44100, 32000)


class _Frame(NamedTuple):
    """One parsed audio frame header: what it is, what must repeat, how long the frame is."""

    format: AudioFormat
    stream_key: tuple[int, ...]
    length: int


def format_for_extension(ext: str) -> AudioFormat | None:
    """The format a file extension usually stands for (any case, with or without the dot)."""
    ext = ext.lower()
    return _EXTENSION_FORMATS.get(ext if ext.startswith(".") else f".{ext}")


def sniff_format(head: bytes) -> AudioFormat | None:
    """The audio format the content of a file starts with, or None if it is not recognised.

    ``head`` is the start of the file (64 KiB is plenty). Content behind an ID3v2 tag that
    ends beyond ``head`` (large cover art) is assumed to be MPEG audio (MP3).
    """
    if not head.startswith(b"ID3"):
        return _format_at(head, 0)
    pos = 0
    while head.startswith(b"ID3", pos):
        if len(head) < pos + 10:
            return AudioFormat.MP3 if pos else None
        tag_size = _id3_tag_size(head, pos)
        if tag_size is None:  # size field is garbage: find where the frames start
            return _scan_frames(head, pos + 10)
        pos += tag_size
    while pos < len(head) and head[pos] == 0:  # padding not counted in the tag size
        pos += 1
    if pos >= len(head):
        return AudioFormat.MP3
    return _format_at(head, pos) or _scan_frames(head, pos)


def _id3_tag_size(head: bytes, pos: int) -> int | None:
    """Total size of the ID3v2 tag at ``pos`` (header, body, footer), None if not syncsafe."""
    size_bytes = head[pos + 6 : pos + 10]
    if any(b & 0x80 for b in size_bytes):
        return None
    body = (size_bytes[0] << 21) | (size_bytes[1] << 14) | (size_bytes[2] << 7) | size_bytes[3]
    footer = 10 if head[pos + 5] & 0x10 else 0
    return 10 + body + footer


def _format_at(head: bytes, pos: int) -> AudioFormat | None:
    """The format whose magic number or frame header starts exactly at ``pos``."""
    data = head[pos : pos + 64]
    for magic, fmt in _MAGIC_PREFIXES:
        if data.startswith(magic):
            return fmt
    if data[:4] in (b"RIFF", b"RF64", b"BW64") and data[8:12] == b"WAVE":
        return AudioFormat.WAV
    if data[:4] == b"FORM" and data[8:12] in (b"AIFF", b"AIFC"):
        return AudioFormat.AIFF
    if data[:4] == b"OggS":
        return _ogg_format(head[pos:])
    if data[4:8] == b"ftyp":
        return AudioFormat.M4A if _has_mp4_audio_brand(head[pos:]) else None
    frame = _parse_frame(head, pos)
    if frame is None:
        return None
    follower = _parse_frame(head, pos + frame.length)
    if follower is None:  # accept a lone frame only when the next one lies beyond ``head``
        return frame.format if pos + frame.length + 6 > len(head) else None
    return frame.format if follower.stream_key == frame.stream_key else None


def _ogg_format(data: bytes) -> AudioFormat | None:
    """Vorbis, Opus, FLAC or Speex from the first packet of an Ogg stream."""
    if len(data) < 27:
        return None
    packet = data[27 + data[26] :]
    for magic, fmt in _OGG_CODECS:
        if packet.startswith(magic):
            return fmt
    return None


def _has_mp4_audio_brand(data: bytes) -> bool:
    """True when the ``ftyp`` box names a brand that audio files use."""
    box_size = int.from_bytes(data[:4], "big")
    if len(data) < 12 or box_size < 16:
        return False
    brands = data[8:12] + data[16:box_size]
    return any(brands[i : i + 4] in _MP4_AUDIO_BRANDS for i in range(0, len(brands) - 3, 4))


def _scan_frames(head: bytes, start: int) -> AudioFormat | None:
    """The format of the first run of two matching audio frames at or after ``start``."""
    pos = start
    while (pos := _next_sync(head, pos)) >= 0:
        frame = _parse_frame(head, pos)
        if frame is not None:
            follower = _parse_frame(head, pos + frame.length)
            if follower is not None and follower.stream_key == frame.stream_key:
                return frame.format
        pos += 1
    return None


def _next_sync(head: bytes, pos: int) -> int:
    """Position of the next possible MPEG/ADTS (0xFF) or AC-3 (0x0B77) sync, -1 if none."""
    candidates = [i for i in (head.find(b"\xff", pos), head.find(b"\x0bw", pos)) if i >= 0]
    return min(candidates, default=-1)


def _parse_frame(head: bytes, pos: int) -> _Frame | None:
    """A plausible MPEG audio, ADTS AAC or AC-3 frame header at ``pos``, or None."""
    h = head[pos : pos + 7]
    if len(h) < 6:
        return None
    if h[0] == 0xFF and h[1] & 0xF6 == 0xF0:
        return _parse_adts(h)
    if h[0] == 0xFF and h[1] & 0xE0 == 0xE0:
        return _parse_mpeg(h)
    if h[:2] == b"\x0bw":
        return _parse_ac3(h)
    return None


def _parse_mpeg(h: bytes) -> _Frame | None:
    """MPEG-1/2/2.5 audio, layers I-III (layer III is MP3, I and II are reported as MP2)."""
    version = (h[1] >> 3) & 3
    layer = 4 - ((h[1] >> 1) & 3)
    bitrate_index = h[2] >> 4
    rate_index = (h[2] >> 2) & 3
    if version == 1 or layer == 4 or bitrate_index in (0, 15) or rate_index == 3 or h[3] & 3 == 2:
        return None
    mpeg1 = version == 3
    bitrate = _MPEG_BITRATES[mpeg1, layer][bitrate_index - 1] * 1000
    sample_rate = _MPEG_SAMPLE_RATES[version][rate_index]
    padding = (h[2] >> 1) & 1
    if layer == 1:
        length = (12 * bitrate // sample_rate + padding) * 4
    else:
        length = (144 if mpeg1 or layer == 2 else 72) * bitrate // sample_rate + padding
    fmt = AudioFormat.MP3 if layer == 3 else AudioFormat.MP2
    return _Frame(fmt, (version, layer, rate_index), length)


def _parse_adts(h: bytes) -> _Frame | None:
    """ADTS (raw AAC) frame header."""
    rate_index = (h[2] >> 2) & 0xF
    length = ((h[3] & 3) << 11) | (h[4] << 3) | (h[5] >> 5)
    header_size = 7 if h[1] & 1 else 9
    if rate_index > 12 or length <= header_size:
        return None
    return _Frame(AudioFormat.AAC, (h[2] >> 6, rate_index), length)


def _parse_ac3(h: bytes) -> _Frame | None:
    """AC-3 or E-AC-3 sync frame header."""
    bsid = h[5] >> 3
    fscod = h[4] >> 6
    if bsid <= 10:
        size_code = h[4] & 0x3F
        if fscod == 3 or size_code >= 38:
            return None
        sample_rate = _AC3_SAMPLE_RATES[fscod]
        words = _AC3_BITRATES[size_code >> 1] * 96000 // sample_rate
        if sample_rate == 44100:
            words += size_code & 1
        return _Frame(AudioFormat.AC3, (bsid, fscod), words * 2)
    if bsid <= 16:
        return _Frame(AudioFormat.AC3, (bsid, fscod), ((((h[2] & 7) << 8) | h[3]) + 1) * 2)
    return None
