"""The allow-list: which URLs may be fetched at all (no SSRF through user-supplied URLs).

URLs are parsed by httpx, the same parser that later connects, so what is checked is what is
fetched. A URL passes only when its scheme is https (or http when allowed), it carries no
userinfo, and its host (plus the port, when not the scheme's default) is on the list exactly:
no suffix matching, no trailing dots, IP literals only when listed literally.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from tracktion.core.errors import HostNotAllowedError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


@dataclass(frozen=True, slots=True)
class AllowedURL:
    """A URL that passed the allow-list, with the entry it matched."""

    url: httpx.URL
    authority: str
    """The allow-list entry: ``host`` for the default port, ``host:port`` otherwise."""

    @property
    def origin(self) -> str:
        """``scheme://authority``: what robots.txt rules and breakers are kept per."""
        return f"{self.url.scheme}://{self.authority}"


class AllowList:
    """Exact host (or host:port) entries and the schemes allowed."""

    def __init__(self, entries: Iterable[str], *, allow_http: bool = False) -> None:
        self._entries = frozenset(entry.strip().lower() for entry in entries)
        self._schemes = frozenset({"https", "http"} if allow_http else {"https"})

    def check(self, url: str | httpx.URL, params: Mapping[str, str] | None = None) -> AllowedURL:
        """The parsed URL (``params`` merged into its query, fragment dropped) if allowed.

        Raises ``HostNotAllowedError`` naming the URL and the reason otherwise.
        """
        try:
            parsed = httpx.URL(url)
            if params:
                parsed = parsed.copy_merge_params(dict(params))
        except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
            raise HostNotAllowedError(f"{url}: not a valid URL ({exc})") from exc
        if parsed.scheme not in self._schemes:
            allowed = " or ".join(sorted(self._schemes))
            raise HostNotAllowedError(f"{url}: scheme {parsed.scheme!r} is not {allowed}")
        if parsed.userinfo:
            raise HostNotAllowedError(f"{url}: URLs with user info (user@host) are refused")
        host = parsed.host
        if not host:
            raise HostNotAllowedError(f"{url}: no host")
        authority = _bracketed(host)
        if parsed.port is not None:
            authority = f"{authority}:{parsed.port}"
        if authority not in self._entries:
            raise HostNotAllowedError(f"{url}: host {authority!r} is not on the allow-list")
        return AllowedURL(url=parsed.copy_with(fragment=None), authority=authority)


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host
