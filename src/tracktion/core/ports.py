"""Ports: the Protocols services depend on. Adapters implement them; bootstrap wires them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tracktion.core.analysis import AnalysisRecord
    from tracktion.core.changes import TrackChange
    from tracktion.core.events import Event
    from tracktion.core.models import DuplicateGroup, KnownFile, Track, TrackHistoryEntry
    from tracktion.core.query import TrackQuery

EventHandler = Callable[["Sequence[Event]"], Awaitable[None]]
"""A consumer: receives events in order, in batches; raising means "not handled, redeliver"."""


class EventBus(Protocol):
    """Topic bus: at-least-once delivery to named subscriptions, in publish order."""

    def subscribe(self, name: str, pattern: str, handler: EventHandler) -> None:
        """Register ``handler`` as subscription ``name`` for keys matching ``pattern``."""

    async def start(self) -> None:
        """Begin delivering to subscribers."""

    async def publish(self, events: Sequence[Event]) -> None:
        """Publish events (routing key = event type)."""

    async def wait_idle(self) -> None:
        """Return once every published event has been handled by every subscriber."""

    async def close(self) -> None:
        """Stop delivering; undelivered events are dropped (restart reconciliation recovers)."""


class EventStore(Protocol):
    """The append-only audit trail of every event."""

    async def append(self, events: Sequence[Event]) -> None:
        """Append events; an id already stored is ignored."""

    async def recent(self, limit: int, type_pattern: str = "#") -> list[Event]:
        """The newest events first, optionally filtered by a topic pattern."""

    async def count(self) -> int:
        """How many events are stored."""


class CatalogStore(Protocol):
    """The catalog's persistence: applies changes, answers queries."""

    async def known_files(self, roots: Sequence[str] = ()) -> dict[str, KnownFile]:
        """Every track with a current path (under ``roots`` if given), keyed by path."""

    async def apply(self, consumer: str, changes: Sequence[TrackChange]) -> list[Track]:
        """Apply changes in one transaction, skipping event ids ``consumer`` already handled.

        Returns the tracks the changes touched, as they are afterwards.
        """

    async def get(self, ref: str) -> Track | None:
        """A track by id or by path."""

    async def list_tracks(self, query: TrackQuery) -> list[Track]:
        """Tracks matching ``query``."""

    async def duplicates(self, sha256s: Sequence[str] = ()) -> list[DuplicateGroup]:
        """Groups of present tracks with identical bytes (limited to ``sha256s`` if given)."""

    async def history(self, track_id: str) -> list[TrackHistoryEntry]:
        """What happened to a track, oldest first."""

    async def status_counts(self) -> dict[str, int]:
        """Number of tracks per status."""


class Cache(Protocol):
    """A key-value cache with per-entry time to live."""

    async def get(self, key: str) -> Any | None:
        """The cached value, or None when absent or expired."""

    async def set(self, key: str, value: Any, ttl_s: float | None = None) -> None:
        """Store ``value`` under ``key`` for ``ttl_s`` seconds (None = the default TTL)."""

    async def delete(self, key: str) -> None:
        """Forget ``key``."""

    async def clear(self) -> None:
        """Forget everything."""


class AnalysisStore(Protocol):
    """Analyses keyed by (content hash, analyser version)."""

    async def save(self, records: Sequence[AnalysisRecord]) -> None:
        """Insert or replace records (idempotent per hash and version)."""

    async def get(self, sha256: str) -> AnalysisRecord | None:
        """The current version's analysis of this content, if any."""

    async def analysed(self, sha256s: Sequence[str]) -> set[str]:
        """Which of these hashes already have a current analysis."""

    async def missing(self, limit: int = 10_000) -> list[tuple[str, str, str | None]]:
        """(sha256, path, genre tag) of present tracks whose content has no current analysis."""


class Analyzer(Protocol):
    """Runs analyses (in worker processes); never raises for a bad file."""

    async def analyze(
        self, path: str, sha256: str | None, genre: str | None = None
    ) -> AnalysisRecord:
        """Analyse one file (``genre`` tag as a hint); failures come back with ``error`` set."""

    async def close(self) -> None:
        """Stop the workers."""
