"""The fetch policy: which hosts, how fast, how patient. Plain settings, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracktion import __version__

DEFAULT_ALLOWED_HOSTS = (
    "www.1001tracklists.com",
    "1001tracklists.com",
    "www.mixesdb.com",
    "mixesdb.com",
)
"""Hosts fetched by default; anything else needs an explicit allow-list entry."""

USER_AGENT = (
    f"Tracktion/{__version__} (+https://github.com/tracktion/tracktion; music library tool)"
)
"""The User-Agent every request sends; its product token ``Tracktion`` is matched in robots.txt."""


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """Limits and cache lifetime for one host."""

    min_interval_s: float = 1.0
    """Token refill interval: at most one request per interval once the burst is spent."""
    burst: int = 1
    """Token bucket capacity (1 = strictly one request per interval)."""
    window_max: int = 100
    """At most this many requests to the host in any ``window_s`` seconds."""
    window_s: float = 3600.0
    page_ttl_s: float = 86_400.0
    """How long a fetched page is served from the cache (``fetch(ttl_s=...)`` overrides)."""


def _default_host_policies() -> dict[str, HostPolicy]:
    slow = HostPolicy(min_interval_s=3.0)
    return {"www.1001tracklists.com": slow, "1001tracklists.com": slow}


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Everything a :class:`~tracktion.adapters.http.client.PoliteFetcher` is configured with."""

    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    """Exact hosts (``host`` = default port only, ``host:port`` for another port, IPs listed
    literally); anything else raises ``HostNotAllowedError``."""
    allow_http: bool = False
    """Also allow plain ``http://`` (tests on loopback); https only by default."""
    host_policies: dict[str, HostPolicy] = field(default_factory=_default_host_policies)
    """Per allow-list entry (``host`` or ``host:port``); others use ``default_host``."""
    default_host: HostPolicy = field(default_factory=HostPolicy)
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    max_retries: int = 3
    """Retries after the first attempt, on connect errors, timeouts, 429 and 5xx."""
    backoff_base_s: float = 1.0
    """First retry waits about this long, then twice as long each time (with jitter)."""
    backoff_max_s: float = 60.0
    retry_after_cap_s: float = 120.0
    """A server's Retry-After is honoured up to this many seconds."""
    breaker_threshold: int = 5
    """Consecutive failures (transport errors, timeouts, 5xx) that open a host's breaker."""
    breaker_cooldown_s: float = 60.0
    """How long an open breaker refuses requests before letting one probe through."""
    respect_robots: bool = True
    robots_ttl_s: float = 86_400.0
    max_redirects: int = 5
    max_bytes: int = 10_000_000
    """Bodies larger than this are refused (FetchError)."""
    user_agent: str = USER_AGENT
    trust_env: bool = True
    """Let httpx read proxy settings from the environment (HTTPS_PROXY, NO_PROXY...)."""

    def host(self, authority: str) -> HostPolicy:
        """The policy for an allow-list entry."""
        return self.host_policies.get(authority, self.default_host)
