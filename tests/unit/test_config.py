from pathlib import Path

import pytest

from tracktion.config import load_settings


def test_data_dir_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKTION_DATA_DIR", str(tmp_path / "lib data"))

    settings = load_settings()

    assert settings.data_dir == tmp_path / "lib data"
    assert settings.effective_database_url == (
        f"sqlite+aiosqlite:///{tmp_path / 'lib data' / 'tracktion.db'}"
    )
    assert (settings.bus_url, settings.cache_url) == ("memory://", "memory://")


def test_explicit_values_win_and_urls_pass_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKTION_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    monkeypatch.setenv("TRACKTION_SCAN_WORKERS", "3")

    settings = load_settings(data_dir=tmp_path)

    assert settings.data_dir == tmp_path
    assert settings.effective_database_url == "postgresql+asyncpg://u@h/db"
    assert settings.scan_workers == 3


def test_nonsense_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKTION_SCAN_WORKERS", "0")

    with pytest.raises(ValueError, match="scan_workers"):
        load_settings()
