"""Shared fixtures: an isolated data dir per test and the copied corpus."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own TRACKTION_DATA_DIR; nothing touches the user's real one."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("TRACKTION_DATA_DIR", str(data_dir))
    return data_dir
