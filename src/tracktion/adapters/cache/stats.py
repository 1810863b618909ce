"""Counters of what the cache and the cached loader did (read by the metrics exporter)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(slots=True)
class CacheStats:
    """Operations of one cache client since it was created.

    ``errors`` counts calls that reached the server and failed (connection refused, timeout,
    error reply); ``degraded`` counts every operation served without the server, i.e. those
    errors plus the calls skipped while backing off after one. ``outages`` counts transitions
    from healthy to unreachable.
    """

    hits: int = 0
    misses: int = 0
    sets: int = 0
    deletes: int = 0
    errors: int = 0
    degraded: int = 0
    outages: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counters by name."""
        return asdict(self)


@dataclass(slots=True)
class LoaderStats:
    """What ``CachedLoader.get_or_load`` did since it was created.

    ``loads`` counts loader runs; ``coalesced`` callers that awaited a load already running in
    this process; ``lock_waits`` loads that found another process holding the key's lock and
    polled for its result; ``lock_timeouts`` of those that gave up waiting and loaded themselves.
    """

    loads: int = 0
    coalesced: int = 0
    lock_waits: int = 0
    lock_timeouts: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counters by name."""
        return asdict(self)
