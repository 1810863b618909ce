"""read_metadata against the synthetic corpus and its ground truth."""

from __future__ import annotations

import csv
import os
import re
import shutil
import struct
import time
import wave
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TBPM, TKEY, TPE1
from mutagen.mp4 import MP4, MP4FreeForm

from tracktion.core.models import AudioFormat
from tracktion.metadata.reader import read_metadata
from tracktion.metadata.tagmap import build_tags
from tracktion.watcher.sniff import sniff_format

if TYPE_CHECKING:
    from collections.abc import Callable

    from tracktion.metadata.result import MetadataResult

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


TRACKS = [row for row in _csv_rows(CORPUS / "truth.csv") if row["file"].startswith("tracks/")]
BAD = _csv_rows(CORPUS / "bad" / "expected.csv")
HOSTILE_NAMES = [row for row in BAD if "name preserved byte for byte" in row["expected"]]


def read(path: Path) -> tuple[AudioFormat | None, MetadataResult]:
    """Sniff the file's head as the scanner does, then read its metadata."""
    with path.open("rb") as fh:
        fmt = sniff_format(fh.read(64 * 1024))
    return fmt, read_metadata(str(path), fmt)


def bad_file(name: str) -> Path:
    return CORPUS / "bad" / name


def test_corpus_is_complete() -> None:
    assert len(TRACKS) == 24
    assert all((CORPUS / row["file"]).is_file() for row in TRACKS + BAD)


@pytest.mark.parametrize("row", TRACKS, ids=[Path(row["file"]).name for row in TRACKS])
def test_track_matches_truth(row: dict[str, str]) -> None:
    fmt, result = read(CORPUS / row["file"])

    assert fmt is AudioFormat(row["format"])
    assert result.error is None
    assert result.warnings == ()
    tags = result.tags
    for name in ("title", "artist", "album", "albumartist", "genre"):
        assert getattr(tags, name) == (row[name].strip() or None), name
    assert tags.artists == ((row["artist"].strip(),) if row["artist"].strip() else ())
    assert tags.track_number == (int(row["track"]) if row["track"] else None)
    assert tags.year == (int(row["year"]) if row["year"] else None)
    assert tags.date == (row["date_tag"] or None)
    audio = result.audio
    assert audio.codec == row["codec"]
    assert audio.sample_rate == int(row["sample_rate"])
    assert audio.channels == int(row["channels"])
    assert audio.bits_per_sample == (int(row["bit_depth"]) if row["bit_depth"] else None)
    assert audio.duration_s == pytest.approx(float(row["duration_s"]), abs=0.1)
    assert audio.bitrate is not None
    assert audio.bitrate > 0


def test_adts_duration_is_counted_from_packets() -> None:
    row = next(row for row in TRACKS if row["format"] == "aac")
    _, result = read(CORPUS / row["file"])
    # 1337 ADTS frames of 1024 samples; the bitrate estimate would be about a second off.
    assert result.audio.duration_s == pytest.approx(1337 * 1024 / 44100)


@pytest.mark.parametrize("row", BAD, ids=[Path(row["file"]).name[:40] for row in BAD])
def test_bad_file_outcome(row: dict[str, str]) -> None:
    started = time.monotonic()
    _, result = read(CORPUS / row["file"])

    assert time.monotonic() - started < 5
    if row["valid_audio"] == "no":
        assert result.error
        return
    assert result.error is None
    seconds = re.search(r"(\d+\.\d+) s", row["ffprobe"])
    assert seconds is not None
    assert result.audio.duration_s == pytest.approx(float(seconds[1]), abs=0.1)


def test_empty_file() -> None:
    fmt, result = read(bad_file("empty.mp3"))
    assert fmt is None
    assert result.error == "file is empty (0 bytes)"


@pytest.mark.parametrize("name", ["not-audio.mp3", "random-bytes.wav"])
def test_not_audio(name: str) -> None:
    fmt, result = read(bad_file(name))
    assert fmt is None
    assert result.error == "not audio: content not recognised"


def test_corrupt_id3_size_warns_and_recovers_audio() -> None:
    fmt, result = read(bad_file("corrupt-id3-size.mp3"))
    assert fmt is AudioFormat.MP3
    assert result.error is None
    assert result.warnings == (
        "tags unreadable: ID3 header size not syncsafe; audio read from stream",
    )
    assert result.tags.title is None
    assert result.audio.codec == "mp3"
    assert result.audio.duration_s == pytest.approx(8.05, abs=0.1)


def test_corrupt_id3_frames_keeps_audio() -> None:
    _, result = read(bad_file("corrupt-id3-frames.mp3"))
    assert result.error is None
    assert result.tags.title is None
    assert any("ID3" in warning for warning in result.warnings)
    assert result.audio.duration_s == pytest.approx(8.05, abs=0.1)


def test_id3_size_beyond_file_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "huge-tag.mp3"
    data = bytearray(_track(".mp3").read_bytes())
    data[6:10] = b"\x7f\x7f\x7f\x7f"  # syncsafe, but claims 256 MiB
    path.write_bytes(data)

    fmt, result = read(path)

    assert fmt is AudioFormat.MP3
    assert result.error is None
    assert result.warnings == (
        f"tags unreadable: ID3 tag claims 268435465 bytes, the file has {len(data)}; "
        "audio read from stream",
    )
    assert result.audio.duration_s == pytest.approx(31.17, abs=0.1)


def test_flac_content_with_mp3_extension_is_read_as_flac() -> None:
    fmt, result = read(bad_file("flac-content.mp3"))
    assert fmt is AudioFormat.FLAC
    assert result.audio.codec == "flac"
    assert result.audio.duration_s == pytest.approx(6.0, abs=0.1)


def test_one_second_file() -> None:
    _, result = read(bad_file("one-second.mp3"))
    assert result.error is None
    assert result.audio.duration_s == pytest.approx(1.0, abs=0.1)
    assert result.tags.title == "Crystal Rain (Radio Edit)"


def test_truncated_flac_says_so() -> None:
    _, result = read(bad_file("truncated.flac"))
    assert result.error is None
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("audio truncated:")


@pytest.mark.parametrize("row", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_hostile_names_are_read_normally(row: dict[str, str]) -> None:
    path = CORPUS / row["file"]
    assert path.name in os.listdir(path.parent)  # the exact bytes, no normalisation
    _, result = read(path)
    assert result.error is None
    assert result.warnings == ()
    assert result.tags.title
    assert result.tags.artist


def test_nfc_and_nfd_twins_are_different_files() -> None:
    nfd, nfc = (CORPUS / row["file"] for row in BAD if row["file"].startswith("bad/Caf"))
    assert str(nfd) != str(nfc)
    assert read(nfd)[1].audio.duration_s != read(nfc)[1].audio.duration_s


def _track(extension: str) -> Path:
    """The first corpus track with this extension."""
    return next(CORPUS / row["file"] for row in TRACKS if row["file"].endswith(extension))


def _tag_mp3(path: Path) -> None:
    tags = ID3(path)
    tags.add(TBPM(encoding=3, text=["128.5"]))
    tags.add(TKEY(encoding=3, text=["Am"]))
    tags.add(TPE1(encoding=3, text=["First Artist", "Second & Third"]))
    tags.save(path)


def _tag_flac(path: Path) -> None:
    audio = FLAC(path)
    audio["BPM"] = "124"
    audio["INITIALKEY"] = "11B"
    audio["ARTIST"] = ["First Artist", "Second & Third"]
    audio.save()


def _tag_m4a(path: Path) -> None:
    audio = MP4(path)
    audio["tmpo"] = [126]
    audio["----:com.apple.iTunes:initialkey"] = [MP4FreeForm(b"F#m")]
    audio["\xa9ART"] = ["First Artist", "Second & Third"]
    audio.save()


@pytest.mark.parametrize(
    ("extension", "tag", "bpm", "key"),
    [
        pytest.param(".mp3", _tag_mp3, 128.5, "Am", id="id3"),
        pytest.param(".flac", _tag_flac, 124.0, "11B", id="vorbis"),
        pytest.param(".m4a", _tag_m4a, 126.0, "F#m", id="mp4"),
    ],
)
def test_tagged_bpm_key_and_artists_round_trip(
    tmp_path: Path, extension: str, tag: Callable[[Path], None], bpm: float, key: str
) -> None:
    path = tmp_path / f"copy{extension}"
    shutil.copyfile(_track(extension), path)
    tag(path)

    _, result = read(path)

    assert result.error is None
    assert result.tags.tagged_bpm == bpm
    assert result.tags.tagged_key == key
    assert result.tags.artists == ("First Artist", "Second & Third")
    assert result.tags.artist == "First Artist"


def test_unparsable_bpm_is_none(tmp_path: Path) -> None:
    path = tmp_path / "copy.flac"
    shutil.copyfile(_track(".flac"), path)
    audio = FLAC(path)
    audio["BPM"] = "fast"
    audio.save()

    assert read(path)[1].tags.tagged_bpm is None


def test_wav_riff_info_is_read_without_id3_chunk(tmp_path: Path) -> None:
    path = tmp_path / "info.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(bytes(44100 * 4))
    fields = [(b"INAM", "Täitel"), (b"IART", "Artist"), (b"ICRD", "2019-05-17"), (b"ITRK", "4")]
    info = b"INFO" + b"".join(
        chunk_id + struct.pack("<I", len(data)) + data + b"\0" * (len(data) % 2)
        for chunk_id, text in fields
        for data in [text.encode() + b"\0"]
    )
    with path.open("r+b") as fh:
        fh.seek(0, os.SEEK_END)
        fh.write(b"LIST" + struct.pack("<I", len(info)) + info)
        size = fh.tell()
        fh.seek(4)
        fh.write(struct.pack("<I", size - 8))

    _, result = read(path)

    assert result.error is None
    assert result.tags.title == "Täitel"
    assert result.tags.artist == "Artist"
    assert result.tags.year == 2019
    assert result.tags.date == "2019-05-17"
    assert result.tags.track_number == 4
    assert result.audio.codec == "pcm_s16le"
    assert result.audio.duration_s == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"track": ["3/12"]}, {"track_number": 3, "track_total": 12}),
        ({"disc": [" 1 / 2 "]}, {"disc_number": 1, "disc_total": 2}),
        ({"track": ["07"], "tracktotal": ["9"]}, {"track_number": 7, "track_total": 9}),
        ({"track": ["A1"]}, {"track_number": None}),
        ({"date": ["17.05.2019"]}, {"year": 2019, "date": "17.05.2019"}),
        ({"bpm": ["128,5"]}, {"tagged_bpm": 128.5}),
        ({"bpm": ["0"]}, {"tagged_bpm": None}),
        ({"bpm": ["nan"]}, {"tagged_bpm": None}),
        ({"key": ["  Am "], "genre": ["", " techno  "]}, {"tagged_key": "Am", "genre": "techno"}),
        ({"artist": ["A & B", " ", "C"]}, {"artist": "A & B", "artists": ("A & B", "C")}),
    ],
)
def test_build_tags_parses_values(
    fields: dict[str, list[str]], expected: dict[str, object]
) -> None:
    tags = build_tags(fields)
    assert {name: getattr(tags, name) for name in expected} == expected
