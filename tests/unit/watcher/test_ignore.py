import pytest

from tracktion.watcher.ignore import is_ignored_dir, is_ignored_name
from tracktion.watcher.walk import is_candidate


@pytest.mark.parametrize(
    "name",
    [
        ".hidden.mp3",
        "song.mp3.part",
        "song.flac.crdownload",
        "x.tmp",
        "~$lock.mp3",
        "backup.mp3~",
        "a.mp3.PART",
        ".DS_Store",
        "",
    ],
)
def test_hidden_temp_and_partial_files_are_ignored(name: str) -> None:
    assert is_ignored_name(name)


@pytest.mark.parametrize(
    "name", ["song.mp3", "-leading dash.mp3", "$(echo injected) `id` ; & | name.mp3", "a~b.flac"]
)
def test_ordinary_and_hostile_names_are_kept(name: str) -> None:
    assert not is_ignored_name(name)


def test_candidates_are_audio_extensions_or_extensionless() -> None:
    assert is_candidate("Track.FLAC")
    assert is_candidate("README")
    assert not is_candidate("cover.jpg")
    assert not is_candidate("notes.txt")
    assert not is_candidate("song.mp3.part")


def test_hidden_and_system_folders_are_skipped() -> None:
    assert is_ignored_dir(".git")
    assert is_ignored_dir("@eaDir")
    assert not is_ignored_dir("Albums")
