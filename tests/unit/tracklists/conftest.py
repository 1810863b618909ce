"""Real tracklist pages and texts copied into tests/fixtures/tracklists (see its SOURCES.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

TRACKLIST_FIXTURES = Path(__file__).parents[2] / "fixtures" / "tracklists"


@pytest.fixture
def fixture_text() -> Callable[[str], str]:
    """Read a fixture file by its path under tests/fixtures/tracklists (UTF-8)."""

    def read(relative: str) -> str:
        return (TRACKLIST_FIXTURES / relative).read_text(encoding="utf-8")

    return read
