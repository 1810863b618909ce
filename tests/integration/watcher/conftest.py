"""Fixtures for watcher tests: a library folder built from copied corpus files."""

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tracktion.bootstrap import App, bootstrap
from tracktion.config import load_settings

CORPUS = Path(__file__).parents[2] / "fixtures" / "corpus"
TRACKS = CORPUS / "tracks"

PICKS = {
    "flac": "Mørk Tåke feat. Linnea Ångström - Distant Circuit.flac",
    "mp3": "02 ÓLÖF BRANDR - night garden (dj pelmeni remix).mp3",
    "m4a": "夜光ループ - Substrata - 05 - Midnight Harbor.m4a",
    "wav": "13 Hydrant Club & Ólöf Brandr - Crystal Rain (Radio Edit).wav",
    "opus": "Inês Açaí - Hollow Avenue (Radio Edit).opus",
}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "Music"
    (root / "Album").mkdir(parents=True)
    for kind in ("flac", "mp3", "m4a"):
        shutil.copy2(TRACKS / PICKS[kind], root / "Album" / PICKS[kind])
    shutil.copy2(TRACKS / PICKS["wav"], root / PICKS["wav"])
    return root


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    application = await bootstrap(load_settings(data_dir=tmp_path / "data", watch_settle_s=0.2))
    yield application
    await application.close()
