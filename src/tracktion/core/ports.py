"""Ports: the Protocols services depend on. Adapters implement them; bootstrap wires them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from tracktion.core.workers import ALIVE_WITHIN_S

if TYPE_CHECKING:
    from datetime import datetime

    from tracktion.core.analysis import AnalysisRecord
    from tracktion.core.changes import TrackChange
    from tracktion.core.events import Event
    from tracktion.core.jobs import Job, JobOutcome
    from tracktion.core.models import DuplicateGroup, KnownFile, Track, TrackHistoryEntry
    from tracktion.core.query import TrackQuery
    from tracktion.core.search import SearchQuery, SearchResults
    from tracktion.core.tracklist import Tracklist
    from tracktion.core.users import RefreshToken, Role, User
    from tracktion.core.workers import QueueStats, WorkerInfo, WorkerState

EventHandler = Callable[["Sequence[Event]"], Awaitable[None]]
"""A consumer: receives events in order, in batches; raising means "not handled, redeliver"."""

Announcer = Callable[["Sequence[Track]", "Sequence[DuplicateGroup]"], "Sequence[Event]"]
"""Builds the events a catalog change causes, from the tracks it touched and their duplicates."""


class EventBus(Protocol):
    """Topic bus: at-least-once delivery to named subscriptions, in publish order."""

    def subscribe(self, name: str, pattern: str, handler: EventHandler) -> None:
        """Register ``handler`` as subscription ``name`` for keys matching ``pattern``."""

    def declare(self, name: str, pattern: str) -> None:
        """Keep subscription ``name``'s events for another process, without consuming them."""

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

    async def apply(
        self, consumer: str, changes: Sequence[TrackChange], announce: Announcer | None = None
    ) -> list[Track]:
        """Apply changes in one transaction, skipping event ids ``consumer`` already handled.

        ``announce`` is called inside the transaction with the touched tracks and their
        duplicate groups; the events it returns are written to the outbox in that same
        transaction. Returns the tracks the changes touched, as they are afterwards.
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

    async def forget_handled(self, older_than_s: float) -> int:
        """Forget ids of events handled more than ``older_than_s`` seconds ago (they can no
        longer come back twice); returns how many."""


class Outbox(Protocol):
    """Events committed together with the state change that caused them, until published."""

    async def pending(self, limit: int = 500, min_age_s: float = 0.0) -> list[Event]:
        """Unsent events, oldest first (only those at least ``min_age_s`` old)."""

    async def mark_sent(self, event_ids: Sequence[str]) -> None:
        """Record that these events reached the bus."""

    async def prune(self, sent_before_s: float) -> int:
        """Delete events sent more than ``sent_before_s`` seconds ago; returns how many."""

    async def counts(self) -> dict[str, int]:
        """``{"pending": n, "sent": m}``."""


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

    async def close(self) -> None:
        """Release connections."""


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


class UserStore(Protocol):
    """API accounts."""

    async def add(self, user: User) -> None:
        """Create a user; raises ``UserExistsError`` when the username is taken."""

    async def get(self, username: str) -> User | None:
        """A user by username."""

    async def get_by_id(self, user_id: str) -> User | None:
        """A user by id."""

    async def list_users(self) -> list[User]:
        """Every user, by username."""

    async def set_role(self, username: str, role: Role) -> User | None:
        """Change a user's role; None when there is no such user."""

    async def disable(self, username: str) -> User | None:
        """Disable a user and revoke their refresh tokens; None when there is no such user."""


class RefreshTokenStore(Protocol):
    """Issued refresh tokens: rotation, revocation, reuse detection."""

    async def issue(self, token: RefreshToken) -> None:
        """Record a newly issued token."""

    async def get_token(self, jti: str) -> RefreshToken | None:
        """A token by id."""

    async def rotate(self, jti: str, successor: RefreshToken, now: datetime) -> bool:
        """Revoke ``jti`` for ``successor`` (stored too); False if it was already revoked."""

    async def revoke_family(self, jti: str, now: datetime) -> int:
        """Revoke ``jti`` and every token that replaced it, transitively; returns how many."""


class JobStore(Protocol):
    """Jobs the API started, shared by every API process (they survive restarts)."""

    async def create(self, job: Job) -> None:
        """Record a job that has just started."""

    async def get(self, job_id: str) -> Job | None:
        """A job by id, as of now (a running job past its bound reads as failed, interrupted)."""

    async def finish(self, job_id: str, outcome: JobOutcome) -> None:
        """Complete or fail a running job (a finished one stays as it was)."""

    async def waiting_for(self, request_event_ids: Sequence[str]) -> dict[str, Job]:
        """The running jobs whose ``request_event_id`` is among these, by that event id."""

    async def forget(self, older_than_s: float) -> int:
        """Delete jobs started more than ``older_than_s`` seconds ago; returns how many."""


class TracklistStore(Protocol):
    """Imported tracklists with their entries and each entry's library match."""

    async def save(self, tracklist: Tracklist) -> Tracklist:
        """Insert, or replace the tracklist with the same ``source`` (or ``id``); returns it
        with its id. Entries are replaced; their matches are kept where the entry is unchanged."""

    async def get(self, ref: str) -> Tracklist | None:
        """A tracklist with its entries, by id or a unique start of it (6+ characters)."""

    async def list_tracklists(
        self, limit: int = 50, offset: int = 0, query: str | None = None
    ) -> list[Tracklist]:
        """Tracklists newest first, without entries (``entries=()``); ``query`` keeps those
        whose title or DJs contain it (case- and accent-insensitive)."""

    async def delete(self, ref: str) -> bool:
        """Delete a tracklist and its entries; False when there was none."""

    async def set_matches(
        self, ref: str, matches: Sequence[tuple[int, str | None, float | None]]
    ) -> None:
        """Record ``(ordinal, track id or None, score or None)`` per entry (0-based ordinal)."""

    async def matches(self, ref: str) -> dict[int, tuple[str | None, float | None]]:
        """The recorded match of every entry, by ordinal."""


class SearchIndex(Protocol):
    """Typo-tolerant search over tracks, artists and tracklists."""

    async def search(self, query: SearchQuery) -> SearchResults:
        """Hits best first; raises ``StorageError`` when the database fails."""


class WorkerRegistry(Protocol):
    """Heartbeats of worker processes (distributed mode), for ``tracktion status``."""

    async def register(self, service: str, host: str, pid: int) -> str:
        """Record a starting worker; returns its id."""

    async def beat(self, worker_id: str, processed: int, state: WorkerState) -> None:
        """Refresh a worker's heartbeat, processed count and state."""

    async def workers(self, alive_within_s: float = ALIVE_WITHIN_S) -> list[WorkerInfo]:
        """Every known worker, newest first."""

    async def forget(self, older_than_s: float) -> int:
        """Delete workers not seen for ``older_than_s`` seconds."""


class BusAdmin(Protocol):
    """Queue depths and the parking queues of a broker (``tracktion status`` and ``dlq``)."""

    async def queues(self) -> list[QueueStats]:
        """Depth, consumers, retrying and parked counts per subscription."""

    async def parked(self, subscription: str, limit: int = 100) -> list[Event]:
        """Up to ``limit`` parked events of a subscription, oldest first (left parked)."""

    async def retry_parked(self, subscription: str) -> int:
        """Move a subscription's parked events back to its queue; returns how many."""

    async def purge_parked(self, subscription: str) -> int:
        """Drop a subscription's parked events; returns how many."""

    async def close(self) -> None:
        """Release the admin connection."""
