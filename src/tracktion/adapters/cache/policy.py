"""Time to live per kind of cached data, and keys namespaced by kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping


class CacheKind(StrEnum):
    """What a cached value is; each kind has its own TTL and key namespace."""

    TRACK = "track"
    """One track as the catalog has it (catalog events invalidate it sooner)."""
    QUERY = "query"
    """A page of a catalog listing."""
    SEARCH = "search"
    """Ranked results of a free-text search."""
    HTTP_PAGE = "http_page"
    """A page fetched from a tracklist site (long: be polite to the sites)."""
    STATUS = "status"
    """Status counts and queue depths shown by ``tracktion status`` and the API."""


def _default_ttls_s() -> dict[CacheKind, float]:
    return {
        CacheKind.TRACK: 300.0,
        CacheKind.QUERY: 30.0,
        CacheKind.SEARCH: 60.0,
        CacheKind.HTTP_PAGE: 86_400.0,
        CacheKind.STATUS: 5.0,
    }


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """Maps a kind of data to its TTL in seconds; every kind has one."""

    ttls_s: Mapping[CacheKind, float] = field(default_factory=_default_ttls_s)

    def __post_init__(self) -> None:
        missing = set(CacheKind) - set(self.ttls_s)
        if missing:
            raise ValueError(f"no TTL for cache kinds: {sorted(missing)}")
        bad = {str(kind): ttl for kind, ttl in self.ttls_s.items() if not ttl > 0}
        if bad:
            raise ValueError(f"cache TTLs must be positive: {bad}")

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, float]) -> CachePolicy:
        """The defaults with some kinds' TTLs replaced (names as in ``CacheKind``)."""
        ttls = _default_ttls_s()
        for name, ttl in overrides.items():
            try:
                kind = CacheKind(name)
            except ValueError:
                known = ", ".join(kind.value for kind in CacheKind)
                raise ValueError(f"unknown cache kind {name!r} (known: {known})") from None
            ttls[kind] = ttl
        return cls(ttls)

    def ttl_s(self, kind: CacheKind) -> float:
        """Seconds a value of this kind stays cached."""
        return self.ttls_s[kind]

    @staticmethod
    def key(kind: CacheKind, key: str) -> str:
        """The cache key of ``key`` in the namespace of ``kind``, e.g. ``track:01J...``."""
        return f"{kind.value}:{key}"
