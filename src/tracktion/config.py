"""Settings from the environment (``TRACKTION_*``), built by :func:`load_settings`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return platformdirs.user_data_path("tracktion", appauthor=False)


IN_PROCESS: Final = "memory://"
"""The bus and cache URL of the embedded mode: in this process, nothing shared."""


class Settings(BaseSettings):
    """Everything Tracktion can be told. The embedded defaults need nothing set."""

    model_config = SettingsConfigDict(env_prefix="TRACKTION_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    """Where the catalog database and other state live."""
    database_url: str | None = None
    """SQLAlchemy async URL; default: a SQLite file in ``data_dir``."""
    bus_url: str = IN_PROCESS
    cache_url: str = IN_PROCESS
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
    library_roots: list[Path] = Field(default_factory=list)
    """Folders the API may scan (JSON list); a scan request outside them is refused."""
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    jwt_secret: SecretStr | None = None
    """HS256 key (32+ characters). Unset: one is generated in ``data_dir/jwt-secret``."""
    jwt_issuer: str = "tracktion"
    jwt_audience: str = "tracktion-api"
    access_token_ttl_s: int = Field(default=900, ge=30, le=86_400)
    refresh_token_ttl_s: int = Field(default=14 * 86_400, ge=60)
    service_token: SecretStr | None = None
    """Shared secret workers send as ``X-Tracktion-Service-Token`` (32+ characters)."""
    rate_limit_per_s: float = Field(default=50.0, gt=0)
    """Sustained requests per second per user and per client IP (token bucket refill)."""
    rate_limit_burst: int = Field(default=200, ge=1)
    """Requests allowed at once before the bucket runs dry."""
    max_body_bytes: int = Field(default=1 << 20, ge=1024)
    fetch_allowed_hosts: list[str] | None = None
    """Hosts (``host`` or ``host:port``) tracklist pages may be fetched from (JSON list);
    unset: 1001Tracklists and MixesDB."""
    fetch_allow_http: bool = False
    """Also fetch plain ``http://`` URLs (only sensible for a local test server)."""
    api_cache_ttl_s: float = Field(default=5.0, gt=0)
    """Time to live of cached API reads (catalog events invalidate them sooner)."""

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("jwt_secret", "service_token")
    @classmethod
    def _strong_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not is_strong_secret(value.get_secret_value()):
            raise ValueError(
                "must be 32+ characters and not a well-known default; "
                'generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        return value

    @field_validator("library_roots")
    @classmethod
    def _expand_roots(cls, value: list[Path]) -> list[Path]:
        return [root.expanduser().resolve() for root in value]

    @property
    def in_process_bus(self) -> bool:
        """Events stay inside this process (the embedded mode), no broker."""
        return self.bus_url == IN_PROCESS

    @property
    def in_process_cache(self) -> bool:
        """The cache lives in this process's memory (not shared with other processes)."""
        return self.cache_url == IN_PROCESS

    @property
    def effective_database_url(self) -> str:
        """The database URL in use (explicit, or the SQLite file in the data dir)."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'tracktion.db'}"


_KNOWN_SECRETS = frozenset(
    {"changethis", "changeme", "secret", "password", "tracktion", "your-secret-key", "jwt-secret"}
)


def is_strong_secret(secret: str) -> bool:
    """32+ characters, not a known default, and not one repeated character."""
    return (
        len(secret) >= 32 and secret.strip().lower() not in _KNOWN_SECRETS and len(set(secret)) > 4
    )


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment; keyword arguments win over it."""
    return Settings(**overrides)
