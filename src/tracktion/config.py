"""Settings from the environment (``TRACKTION_*``), built by :func:`load_settings`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return platformdirs.user_data_path("tracktion", appauthor=False)


class Settings(BaseSettings):
    """Everything Tracktion can be told. The embedded defaults need nothing set."""

    model_config = SettingsConfigDict(env_prefix="TRACKTION_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    """Where the catalog database and other state live."""
    database_url: str | None = None
    """SQLAlchemy async URL; default: a SQLite file in ``data_dir``."""
    bus_url: str = "memory://"
    cache_url: str = "memory://"
    scan_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    """Threads that hash and read tags during a scan."""
    watch_settle_s: float = Field(default=0.25, gt=0)
    """A file must keep its size and mtime this long before it is read."""
    rescan_interval_s: float = Field(default=3600.0, ge=0)
    """While watching, rescan this often as a safety net for lost inotify events (0 = never)."""
    analysis_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    """Worker processes that analyse audio."""
    analysis_timeout_s: float = Field(default=600.0, gt=0)
    """An analysis running longer is stopped; the file gets ``analysis.failed``."""
    tempo_ranges: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {
            "drum and bass": (160.0, 190.0),
            "drum & bass": (160.0, 190.0),
            "drum'n'bass": (160.0, 190.0),
            "dnb": (160.0, 190.0),
            "jungle": (150.0, 190.0),
            "dubstep": (130.0, 155.0),
            "footwork": (150.0, 170.0),
        }
    )
    """Preferred BPM range per genre tag (a tag containing the name); others use 70-180.
    Set as JSON, e.g. ``TRACKTION_TEMPO_RANGES='{"trap": [130, 160]}'``."""
    analysis_tags: bool = True
    """Run the genre/mood model (the slowest step)."""
    cache_ttl_s: float = Field(default=300.0, gt=0)
    log_level: str = "WARNING"
    log_json: bool = False

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        """The database URL in use (explicit, or the SQLite file in the data dir)."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'tracktion.db'}"


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment; keyword arguments win over it."""
    return Settings(**overrides)
