"""Read tags and audio properties of one file with the mutagen class of its *sniffed* format.

Normal files are read by mutagen alone (headers and tags, no decoding). PyAV demuxes raw ADTS
AAC and AC-3 streams, which mutagen cannot read, and stands in when mutagen fails on a file.
Reads never ask for more bytes than the file has left, so lying header sizes cannot make us
allocate what they claim.
"""

from __future__ import annotations

import io
import logging
import os
from typing import Any

import mutagen
from mutagen.aiff import AIFF
from mutagen.apev2 import APEv2
from mutagen.asf import ASF
from mutagen.dsf import DSF
from mutagen.flac import FLAC
from mutagen.id3 import ID3, ID3NoHeaderError
from mutagen.monkeysaudio import MonkeysAudio
from mutagen.mp3 import MP3, MPEGInfo
from mutagen.mp4 import MP4
from mutagen.musepack import Musepack
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggspeex import OggSpeex
from mutagen.oggvorbis import OggVorbis
from mutagen.trueaudio import TrueAudio
from mutagen.wave import WAVE
from mutagen.wavpack import WavPack

from tracktion.core.models import AudioFormat, AudioProperties
from tracktion.metadata.result import MetadataResult
from tracktion.metadata.stream import StreamError, probe_stream
from tracktion.metadata.tagmap import RawFields, build_tags, fields_from_tags, read_riff_info

logger = logging.getLogger(__name__)

_MUTAGEN_TYPES: dict[AudioFormat, tuple[Any, ...]] = {
    AudioFormat.MP3: (MP3,),
    AudioFormat.MP2: (MP3,),
    AudioFormat.FLAC: (FLAC,),
    AudioFormat.WAV: (WAVE,),
    AudioFormat.AIFF: (AIFF,),
    AudioFormat.OGG: (OggVorbis, OggFLAC, OggSpeex),
    AudioFormat.OPUS: (OggOpus,),
    AudioFormat.M4A: (MP4,),
    AudioFormat.WMA: (ASF,),
    AudioFormat.WV: (WavPack,),
    AudioFormat.TTA: (TrueAudio,),
    AudioFormat.APE: (MonkeysAudio,),
    AudioFormat.MPC: (Musepack,),
    AudioFormat.DSF: (DSF,),
}
_RAW_STREAMS = frozenset({AudioFormat.AAC, AudioFormat.AC3})
_LEADING_ID3 = frozenset(
    {AudioFormat.MP3, AudioFormat.MP2, AudioFormat.TTA, AudioFormat.AAC, AudioFormat.AC3}
)
_APE_FALLBACK = frozenset({AudioFormat.MP3, AudioFormat.MP2, AudioFormat.TTA})
_HEAD_BYTES = 128

_FIXED_CODECS = {
    AudioFormat.FLAC: "flac",
    AudioFormat.OPUS: "opus",
    AudioFormat.WV: "wavpack",
    AudioFormat.TTA: "tta",
    AudioFormat.APE: "ape",
    AudioFormat.DSF: "dsd_lsbf_planar",
}
_MPEG_LAYER_CODECS = {1: "mp1", 2: "mp2", 3: "mp3"}
_OGG_CODECS = {OggVorbis: "vorbis", OggFLAC: "flac", OggSpeex: "speex"}
_WAV_CODECS = {2: "adpcm_ms", 6: "pcm_alaw", 7: "pcm_mulaw", 0x11: "adpcm_ima_wav", 0x55: "mp3"}
_AIFC_CODECS = {
    b"fl32": "pcm_f32be",
    b"fl64": "pcm_f64be",
    b"ulaw": "pcm_mulaw",
    b"alaw": "pcm_alaw",
    b"ima4": "adpcm_ima_qt",
}
_MP4_CODECS = {
    "mp4a.6b": "mp3",
    "mp4a.69": "mp3",
    "alac": "alac",
    "ac-3": "ac3",
    "ec-3": "eac3",
    "flac": "flac",
    "opus": "opus",
}
_ASF_CODECS = {
    "Windows Media Audio Standard": "wmav1",
    "Windows Media Audio 9 Standard": "wmav2",
    "Windows Media Audio 9 Professional": "wmapro",
    "Windows Media Audio 9 Lossless": "wmalossless",
    "Windows Media Audio 9 Voice": "wmavoice",
}
_LOSSLESS_CODECS = frozenset({"flac", "alac", "wavpack", "tta", "ape", "dsd_lsbf_planar"})


class _File(io.BufferedReader):
    """A file whose reads never ask for more than what is left of it."""

    def __init__(self, path: str) -> None:
        super().__init__(io.FileIO(path, "r"))
        self.size = os.fstat(self.fileno()).st_size

    def read(self, size: int | None = -1, /) -> bytes:
        if size is not None and size > 0:
            size = min(size, max(self.size - self.tell(), 0))
        return super().read(size)


def read_metadata(path: str, fmt: AudioFormat | None) -> MetadataResult:
    """Tags and audio properties of the file at ``path``, whose content sniffed as ``fmt``.

    Never raises for bad files: problems end up in ``error`` (not usable audio) or
    ``warnings``; messages do not name the file.
    """
    try:
        with _File(path) as f:
            if f.size == 0:
                return MetadataResult(error="file is empty (0 bytes)")
            if fmt is None:
                return MetadataResult(error="not audio: content not recognised")
            head = f.read(_HEAD_BYTES)
            if fmt in _RAW_STREAMS:
                return _read_raw_stream(f, fmt, head)
            return _read_with_mutagen(f, fmt, head)
    except OSError as exc:
        return MetadataResult(error=f"cannot read file: {exc.strerror or exc}")


def _read_with_mutagen(f: _File, fmt: AudioFormat, head: bytes) -> MetadataResult:
    problem = _leading_id3_problem(head, f.size) if fmt in _LEADING_ID3 else None
    if problem is None:
        types = _MUTAGEN_TYPES[fmt]
        f.seek(0)
        try:
            loaded = _load(types[0], f) if len(types) == 1 else mutagen.File(f, options=types)
        except Exception as exc:  # mutagen raises many exception types on malformed input
            problem = _describe(exc, f.name)
    if problem is not None:
        return _read_audio_only(f, fmt, head, problem)
    if loaded is None:
        return MetadataResult(error=f"unreadable {fmt.name}: no supported stream")
    warnings: list[str] = []
    fields = fields_from_tags(loaded.tags) if loaded.tags else {}
    if fmt in _LEADING_ID3 and _id3_frames_lost(head, loaded.tags):
        warnings.append("tags unreadable: ID3 frames corrupt, none could be read")
    if not fields and fmt in _APE_FALLBACK:
        fields = _ape_fields(f)
    if not fields and fmt is AudioFormat.WAV:
        fields = read_riff_info(f, f.size)
    audio = _audio_properties(f, fmt, loaded, head)
    truncation = _truncation(fmt, audio.codec, loaded.info, f.size)
    if truncation is not None:
        warnings.append(truncation)
    return MetadataResult(build_tags(fields), audio, None, tuple(warnings))


def _read_audio_only(f: _File, fmt: AudioFormat, head: bytes, problem: str) -> MetadataResult:
    """Audio properties without tags, after mutagen failed with ``problem``."""
    audio: AudioProperties | None = None
    if fmt in (AudioFormat.MP3, AudioFormat.MP2):
        # mutagen skips a sound ID3 tag itself; past a lying header, frames are searched for
        start = 10 if _leading_id3_problem(head, f.size) else 0
        try:
            info = MPEGInfo(f, start)
        except Exception:  # mutagen raises many exception types on malformed input
            logger.debug("MPEG frame scan failed after: %s", problem)
        else:  # "sketchy": too few consistent frames, may be another stream misread as MPEG
            audio = None if info.sketchy else _mpeg_properties(info)
    if audio is None:
        try:
            audio = probe_stream(f)
        except StreamError:
            return MetadataResult(error=f"unreadable {fmt.name}: {problem}")
    return MetadataResult(
        audio=audio, warnings=(f"tags unreadable: {problem}; audio read from stream",)
    )


def _read_raw_stream(f: _File, fmt: AudioFormat, head: bytes) -> MetadataResult:
    """ADTS AAC / AC-3: ID3 tags by mutagen, exact duration from demuxed packets."""
    warnings: list[str] = []
    fields: RawFields = {}
    problem = _leading_id3_problem(head, f.size)
    if problem is not None:
        warnings.append(f"tags unreadable: {problem}")
    else:
        f.seek(0)
        try:
            tags = _load(ID3, f)
        except ID3NoHeaderError:
            tags = None
        except Exception as exc:  # mutagen raises many exception types on malformed input
            warnings.append(f"tags unreadable: {_describe(exc, f.name)}")
            tags = None
        if tags is not None:
            fields = fields_from_tags(tags)
            if _id3_frames_lost(head, tags):
                warnings.append("tags unreadable: ID3 frames corrupt, none could be read")
    try:
        audio = probe_stream(f, count_packets=True)
    except StreamError as exc:
        return MetadataResult(error=f"unreadable {fmt.name}: {exc}", warnings=tuple(warnings))
    return MetadataResult(build_tags(fields), audio, None, tuple(warnings))


def _leading_id3_problem(head: bytes, size: int) -> str | None:
    """What is wrong with the header of a leading ID3v2 tag, None if fine or absent."""
    if len(head) < 10 or not head.startswith(b"ID3"):
        return None
    size_bytes = head[6:10]
    if any(b & 0x80 for b in size_bytes):
        return "ID3 header size not syncsafe"
    claimed = 10 + sum(b << (7 * (3 - i)) for i, b in enumerate(size_bytes))
    if claimed > size:
        return f"ID3 tag claims {claimed} bytes, the file has {size}"
    return None


def _id3_frames_lost(head: bytes, tags: Any) -> bool:
    """True when a leading ID3 tag (``tags``, an ID3 or None) holds frame data but mutagen
    could read none of it."""
    has_frame_data = len(head) > 10 and head[10] != 0 and not head[5] & 0x40
    return has_frame_data and tags is not None and not tags.keys() and not tags.unknown_frames


def _ape_fields(f: _File) -> RawFields:
    f.seek(0)
    try:
        return fields_from_tags(_load(APEv2, f))
    except Exception:  # no APEv2 tag, or a broken one: mutagen raises many exception types
        return {}


def _audio_properties(f: _File, fmt: AudioFormat, loaded: Any, head: bytes) -> AudioProperties:
    info = loaded.info
    if fmt in (AudioFormat.MP3, AudioFormat.MP2):
        return _mpeg_properties(info)
    codec = _codec(fmt, loaded, head)
    length = _positive_float(getattr(info, "length", None))
    channels = _positive_int(getattr(info, "channels", None))
    bits = _positive_int(getattr(info, "bits_per_sample", None))
    if fmt is AudioFormat.TTA:
        channels, bits = _tta_layout(f, loaded.tags)
    lossless = codec is not None and (codec in _LOSSLESS_CODECS or codec.startswith("pcm_"))
    bitrate = _positive_int(getattr(info, "bitrate", None))
    if bitrate is None and length:
        bitrate = round(f.size * 8 / length)
    return AudioProperties(
        codec=codec,
        duration_s=length,
        bitrate=bitrate,
        sample_rate=48000
        if fmt is AudioFormat.OPUS
        else _positive_int(getattr(info, "sample_rate", None)),
        channels=channels,
        bits_per_sample=bits if lossless else None,
    )


def _mpeg_properties(info: Any) -> AudioProperties:
    return AudioProperties(
        codec=_MPEG_LAYER_CODECS.get(info.layer),
        duration_s=_positive_float(info.length),
        bitrate=_positive_int(info.bitrate),
        sample_rate=_positive_int(info.sample_rate),
        channels=_positive_int(info.channels),
    )


def _codec(fmt: AudioFormat, loaded: Any, head: bytes) -> str | None:
    info = loaded.info
    if fmt is AudioFormat.OGG:
        return _OGG_CODECS.get(type(loaded))
    if fmt is AudioFormat.WAV:
        bits = info.bits_per_sample
        if info.audio_format in (1, 0xFFFE):  # integer PCM (extensible assumed integer)
            return "pcm_u8" if bits == 8 else f"pcm_s{bits}le"
        if info.audio_format == 3:
            return f"pcm_f{bits}le"
        return _WAV_CODECS.get(info.audio_format)
    if fmt is AudioFormat.AIFF:
        return _aiff_codec(head, info.bits_per_sample)
    if fmt is AudioFormat.M4A:
        codec = str(info.codec).lower()
        return "aac" if codec.startswith("mp4a.40") else _MP4_CODECS.get(codec, codec or None)
    if fmt is AudioFormat.WMA:
        return _ASF_CODECS.get(info.codec_type)
    if fmt is AudioFormat.MPC:
        return "musepack8" if info.version >= 8 else "musepack7"
    return _FIXED_CODECS.get(fmt)


def _aiff_codec(head: bytes, bits: int) -> str | None:
    """PCM from the AIFF sample size, or the AIFC compression type in the COMM chunk."""
    compression = b"NONE"
    comm = head.find(b"COMM", 12)
    if head[8:12] == b"AIFC" and comm >= 0 and len(head) >= comm + 30:
        compression = head[comm + 26 : comm + 30]
    if compression in (b"NONE", b"twos"):
        return "pcm_s8" if bits == 8 else f"pcm_s{bits}be"
    if compression == b"sowt":
        return f"pcm_s{bits}le"
    return _AIFC_CODECS.get(compression.lower())


def _tta_layout(f: _File, tags: Any) -> tuple[int | None, int | None]:
    """Channels and bits per sample from the TTA1 header (mutagen reads neither)."""
    f.seek(tags.size if isinstance(tags, ID3) else 0)
    header = f.read(10)
    if not header.startswith(b"TTA1"):
        return None, None
    return (
        _positive_int(int.from_bytes(header[6:8], "little")),
        _positive_int(int.from_bytes(header[8:10], "little")),
    )


def _truncation(fmt: AudioFormat, codec: str | None, info: Any, size: int) -> str | None:
    """A warning when the file is too short for the audio its header declares (FLAC, PCM)."""
    if fmt is AudioFormat.FLAC and info.min_framesize and info.max_blocksize and info.total_samples:
        frames = -(-info.total_samples // info.max_blocksize)
        needed = (frames - 1) * info.min_framesize
    elif codec is not None and codec.startswith("pcm_") and info.bitrate and info.length:
        needed = int(info.length * info.bitrate / 8)
    else:
        return None
    if size >= needed:
        return None
    return (
        f"audio truncated: the header declares {info.length:.2f} s, which needs at least "
        f"{needed} bytes, but the file has {size}; the duration is the header's claim"
    )


def _describe(exc: Exception, path: str) -> str:
    """An exception message without the file name mutagen sometimes puts into it."""
    message = str(exc).replace(repr(path), "file").replace(path, "file")
    return message or type(exc).__name__


def _load(mutagen_type: Any, f: _File) -> Any:
    """Parse ``f`` with a mutagen class (mutagen is untyped)."""
    return mutagen_type(f)


def _positive_int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and value > 0 else None


def _positive_float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and value > 0 else None
