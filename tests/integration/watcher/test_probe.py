"""Probing real files: one read gives both hashes, the head and the tags."""

import hashlib
import os
import tracemalloc
from pathlib import Path

import pytest
import xxhash

from tracktion.core.models import AudioFormat, FileStat
from tracktion.watcher.fingerprint import HEAD_BYTES, fingerprint_file
from tracktion.watcher.probe import probe_file
from tracktion.watcher.walk import stat_path

from .conftest import CORPUS, PICKS, TRACKS

pytestmark = pytest.mark.integration


def test_fingerprint_matches_both_hashes_and_keeps_memory_constant(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    block = os.urandom(1 << 20)
    with open(big, "wb") as stream:
        for _ in range(48):
            stream.write(block)
    data = big.read_bytes()

    tracemalloc.start()
    fingerprint, head = fingerprint_file(str(big))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert fingerprint.sha256 == hashlib.sha256(data).hexdigest()
    assert fingerprint.xxh128 == xxhash.xxh3_128_hexdigest(data)
    assert fingerprint.size == len(data)
    assert head == data[:HEAD_BYTES]
    assert peak < 4 << 20


def test_a_real_track_is_read_with_format_tags_and_audio() -> None:
    stat = stat_path(str(TRACKS / PICKS["m4a"]))
    assert stat is not None

    observation = probe_file(stat)

    assert observation is not None
    assert observation.format == AudioFormat.M4A
    assert observation.audio.codec == "alac"
    assert observation.tags.title == "Midnight Harbor"
    assert observation.error is None


def test_content_decides_the_format_and_a_mismatch_is_a_warning() -> None:
    stat = stat_path(str(CORPUS / "bad" / "flac-content.mp3"))
    assert stat is not None

    observation = probe_file(stat)

    assert observation is not None
    assert observation.format == AudioFormat.FLAC
    assert observation.error is None
    assert any("does not match content" in warning for warning in observation.warnings)


def test_text_and_empty_files_are_errors_that_say_why(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp3"
    text.write_text("tracklist:\n1. intro\n")
    empty = tmp_path / "empty.flac"
    empty.touch()

    as_text = probe_file(FileStat(str(text), text.stat().st_size, 0, 0))
    as_empty = probe_file(FileStat(str(empty), 0, 0, 0))

    assert as_text is not None
    assert as_text.error == "not audio: content is text, not a recognised audio format"
    assert as_empty is not None
    assert as_empty.error == "file is empty (0 bytes)"


def test_a_file_gone_before_it_is_read_gives_nothing(tmp_path: Path) -> None:
    assert probe_file(FileStat(str(tmp_path / "gone.mp3"), 10, 0, 0)) is None
