"""Format sniffing from headers built byte by byte."""

from __future__ import annotations

import random

import pytest

from tracktion.core.models import AudioFormat
from tracktion.watcher.sniff import AUDIO_EXTENSIONS, format_for_extension, sniff_format

MP3_HEADER = b"\xff\xfb\x90\x00"  # MPEG-1 layer III, 128 kbit/s, 44100 Hz: 417-byte frames
MP2_HEADER = b"\xff\xfd\xa0\x00"  # MPEG-1 layer II, 192 kbit/s, 44100 Hz: 626-byte frames


def frames(header: bytes, length: int, count: int = 3) -> bytes:
    """``count`` frames of ``length`` bytes that start with ``header``."""
    return (header + bytes(length - len(header))) * count


def adts_frame(length: int = 200) -> bytes:
    """An ADTS frame: AAC LC, 44100 Hz, stereo, no CRC."""
    header = bytes(
        [0xFF, 0xF1, 0x50, 0x80 | (length >> 11), (length >> 3) & 0xFF, ((length & 7) << 5) | 0x1F]
    )
    return header + b"\xfc" + bytes(length - 7)


def ac3_frame() -> bytes:
    """An AC-3 frame: 48 kHz, 192 kbit/s (frmsizecod 20: 768 bytes), bsid 8."""
    return b"\x0bw\x00\x00" + bytes([20, 8 << 3]) + bytes(768 - 6)


def id3_tag(body: bytes, size_field: bytes | None = None) -> bytes:
    """An ID3v2.4 tag around ``body``, with a syncsafe size unless ``size_field`` is given."""
    n = len(body)
    syncsafe = bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])
    return b"ID3\x04\x00\x00" + (size_field or syncsafe) + body


def ogg_page(packet: bytes) -> bytes:
    """The first page of an Ogg stream carrying ``packet``."""
    return b"OggS\x00\x02" + bytes(20) + bytes([1, len(packet)]) + packet


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(frames(MP3_HEADER, 417), AudioFormat.MP3, id="mp3"),
        pytest.param(frames(MP2_HEADER, 626), AudioFormat.MP2, id="mp2"),
        pytest.param(b"fLaC\x00\x00\x00\x22" + bytes(34), AudioFormat.FLAC, id="flac"),
        pytest.param(b"RIFF\x24\x00\x00\x00WAVEfmt ", AudioFormat.WAV, id="wav"),
        pytest.param(b"RF64\xff\xff\xff\xffWAVEds64", AudioFormat.WAV, id="rf64"),
        pytest.param(b"FORM\x00\x00\x10\x00AIFFCOMM", AudioFormat.AIFF, id="aiff"),
        pytest.param(b"FORM\x00\x00\x10\x00AIFCFVER", AudioFormat.AIFF, id="aifc"),
        pytest.param(ogg_page(b"\x01vorbis" + bytes(22)), AudioFormat.OGG, id="ogg-vorbis"),
        pytest.param(ogg_page(b"OpusHead\x01\x02" + bytes(9)), AudioFormat.OPUS, id="ogg-opus"),
        pytest.param(ogg_page(b"\x7fFLAC\x01\x00" + bytes(40)), AudioFormat.OGG, id="ogg-flac"),
        pytest.param(
            b"\x00\x00\x00\x1cftypM4A \x00\x00\x02\x00M4A isomiso2", AudioFormat.M4A, id="m4a"
        ),
        pytest.param(
            b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", AudioFormat.M4A, id="mp4-mp42"
        ),
        pytest.param(
            b"0&\xb2u\x8ef\xcf\x11\xa6\xd9\x00\xaa\x00b\xcel" + bytes(14), AudioFormat.WMA, id="asf"
        ),
        pytest.param(b"wvpk\x00\x10\x00\x00\x10\x04", AudioFormat.WV, id="wavpack"),
        pytest.param(adts_frame() * 3, AudioFormat.AAC, id="adts"),
        pytest.param(ac3_frame() * 2, AudioFormat.AC3, id="ac3"),
        pytest.param(b"TTA1\x01\x00\x02\x00\x10\x00", AudioFormat.TTA, id="tta"),
        pytest.param(b"MAC \x96\x0f\x00\x00", AudioFormat.APE, id="ape"),
        pytest.param(b"MPCKSH\x0a", AudioFormat.MPC, id="musepack-sv8"),
        pytest.param(b"MP+\x17\x00\x00", AudioFormat.MPC, id="musepack-sv7"),
        pytest.param(b"DSD \x1c\x00\x00\x00", AudioFormat.DSF, id="dsf"),
    ],
)
def test_recognises_format(head: bytes, expected: AudioFormat) -> None:
    assert sniff_format(head) is expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(id3_tag(b"TIT2" + bytes(60)) + adts_frame() * 3, AudioFormat.AAC, id="adts"),
        pytest.param(id3_tag(bytes(50)) + ac3_frame() * 2, AudioFormat.AC3, id="ac3"),
        pytest.param(id3_tag(bytes(30)) + b"TTA1\x01\x00", AudioFormat.TTA, id="tta"),
        pytest.param(id3_tag(bytes(30)) + b"fLaC\x00", AudioFormat.FLAC, id="flac"),
        pytest.param(id3_tag(bytes(20)) + frames(MP3_HEADER, 417), AudioFormat.MP3, id="mp3"),
        pytest.param(
            id3_tag(bytes(20)) + bytes(300) + frames(MP2_HEADER, 626), AudioFormat.MP2, id="pad"
        ),
        pytest.param(
            id3_tag(bytes(10)) + id3_tag(bytes(10)) + frames(MP3_HEADER, 417),
            AudioFormat.MP3,
            id="two-tags",
        ),
        pytest.param(
            id3_tag(bytes(10)) + b"junk!" + frames(MP3_HEADER, 417), AudioFormat.MP3, id="junk"
        ),
    ],
)
def test_skips_leading_id3_tag(head: bytes, expected: AudioFormat) -> None:
    assert sniff_format(head) is expected


def test_garbage_id3_size_scans_for_frames() -> None:
    tag = id3_tag(b"TIT2\x00\x00\x00\x05\x00\x00\x03Title", size_field=b"\xff\xff\xff\xff")
    assert sniff_format(tag + frames(MP3_HEADER, 417)) is AudioFormat.MP3
    assert sniff_format(tag + adts_frame() * 3) is AudioFormat.AAC


def test_garbage_id3_size_without_frames_is_not_audio() -> None:
    tag = id3_tag(b"just some text " * 20, size_field=b"\xff\xff\xff\xff")
    assert sniff_format(tag) is None


def test_id3_tag_ending_beyond_head_is_assumed_mp3() -> None:
    head = b"ID3\x03\x00\x00\x00\x10\x00\x00" + b"APIC" + bytes(1000)  # 256 KiB tag
    assert sniff_format(head) is AudioFormat.MP3


def test_lone_frame_needs_a_follower_when_it_would_fit() -> None:
    assert sniff_format(MP3_HEADER + bytes(2000)) is None
    assert sniff_format(MP3_HEADER + bytes(100)) is AudioFormat.MP3  # file ends before frame 2


def test_mismatched_follower_is_rejected() -> None:
    # Second header at the right place but MPEG-2 instead of MPEG-1.
    assert sniff_format(MP3_HEADER + bytes(413) + b"\xff\xf3\x90\x00" + bytes(500)) is None


@pytest.mark.parametrize(
    "head",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"ID3", id="id3-magic-only"),
        pytest.param(b"This is a plain text file, not audio.\n" * 40, id="text"),
        pytest.param("Ünïcödé text — 東京\n".encode() * 50, id="utf8-text"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(100), id="png"),
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", id="heic"),
        pytest.param(ogg_page(b"\x80theora" + bytes(30)), id="ogg-theora"),
        pytest.param(b"RIFF\x24\x00\x00\x00AVI LIST", id="avi"),
        pytest.param(b"\xff\xff\xff\xff" * 100, id="all-ff"),
    ],
)
def test_rejects_non_audio(head: bytes) -> None:
    assert sniff_format(head) is None


@pytest.mark.parametrize("seed", range(20))
def test_rejects_random_bytes(seed: int) -> None:
    assert sniff_format(random.Random(seed).randbytes(64 * 1024)) is None


def test_audio_extensions() -> None:
    expected = {
        ".mp3", ".mp2", ".flac", ".wav", ".aif", ".aiff", ".aifc", ".ogg", ".oga", ".opus",
        ".m4a", ".mp4", ".m4b", ".alac", ".wma", ".asf", ".wv", ".aac", ".adts", ".ac3",
        ".tta", ".ape", ".mpc", ".dsf",
    }  # fmt: skip
    assert expected <= AUDIO_EXTENSIONS
    assert all(ext == ext.lower() and ext.startswith(".") for ext in AUDIO_EXTENSIONS)


@pytest.mark.parametrize(
    ("ext", "expected"),
    [
        (".mp3", AudioFormat.MP3),
        (".MP3", AudioFormat.MP3),
        ("flac", AudioFormat.FLAC),
        (".aif", AudioFormat.AIFF),
        (".m4b", AudioFormat.M4A),
        (".oga", AudioFormat.OGG),
        (".adts", AudioFormat.AAC),
        (".txt", None),
        ("", None),
    ],
)
def test_format_for_extension(ext: str, expected: AudioFormat | None) -> None:
    assert format_for_extension(ext) is expected
