"""Fetching web pages: the page a fetch gives and the port services depend on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchedPage:
    """A page as fetched (or as cached from an earlier fetch)."""

    url: str
    """The final URL, after redirects, with the query sent."""
    status: int
    text: str
    """The body, decoded with the charset the response declared (UTF-8 otherwise)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """A subset of the response headers (lower-case names): content-type, etag, last-modified..."""
    from_cache: bool = False
    fetched_at: datetime
    """When the page came over the network (UTC), also for a page served from the cache."""


class PageFetcher(Protocol):
    """Fetches pages politely: allow-listed hosts, rate limits, robots.txt, retries, caching.

    Raises :class:`~tracktion.core.errors.FetchError` (or one of its subclasses) when no page
    can be had.
    """

    async def fetch(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        ttl_s: float | None = None,
    ) -> FetchedPage:
        """The page at ``url`` (``params`` added to its query); ``ttl_s`` overrides caching."""

    async def aclose(self) -> None:
        """Release connections; the fetcher cannot be used afterwards."""
