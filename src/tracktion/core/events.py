"""The event envelope (DESIGN.md §4), event types and topic matching.

Routing key = event type. Patterns follow AMQP topic rules: words split on ``.``, ``*`` matches
exactly one word, ``#`` matches zero or more words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from tracktion.core.errors import EventFormatError
from tracktion.core.ids import EventId, new_event_id

SCHEMA_VERSION: Final = 1


class EventType:
    """Event types (past tense); each is also the routing key."""

    FILE_DISCOVERED: Final = "file.discovered"
    FILE_CREATED: Final = "file.created"
    FILE_MODIFIED: Final = "file.modified"
    FILE_DELETED: Final = "file.deleted"
    FILE_MOVED: Final = "file.moved"
    ANALYSIS_REQUESTED: Final = "analysis.requested"
    """Analyse this content again (payload: sha256, path, genre, track_id), even if analysed."""
    ANALYSIS_COMPLETED: Final = "analysis.completed"
    ANALYSIS_FAILED: Final = "analysis.failed"
    TRACK_UPDATED: Final = "catalog.track_updated"
    DUPLICATE_FOUND: Final = "catalog.duplicate_found"
    RENAME_PROPOSED: Final = "rename.proposed"
    RENAME_APPLIED: Final = "rename.applied"
    RENAME_UNDONE: Final = "rename.undone"
    TRACKLIST_IMPORTED: Final = "tracklist.imported"
    NOTIFICATION_REQUESTED: Final = "notification.requested"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Event:
    """An immutable fact, delivered at least once; consumers dedupe on ``id``."""

    type: str
    payload: dict[str, Any]
    id: EventId = field(default_factory=new_event_id)
    occurred_at: datetime = field(default_factory=_utcnow)
    correlation_id: str | None = None
    causation_id: str | None = None
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        if self.correlation_id is None:
            object.__setattr__(self, "correlation_id", self.id)

    def caused(self, type_: str, payload: dict[str, Any]) -> Event:
        """A new event that this one caused (same correlation, causation = this id)."""
        return Event(
            type=type_,
            payload=payload,
            correlation_id=self.correlation_id,
            causation_id=self.id,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON envelope as a dict."""
        return {
            "id": self.id,
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "schema_version": self.schema_version,
            "payload": self.payload,
        }

    def to_json(self) -> bytes:
        """Serialise the envelope. ASCII escapes keep undecodable path bytes intact."""
        return json.dumps(self.to_dict(), ensure_ascii=True, separators=(",", ":")).encode()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        """Rebuild an event from its envelope dict."""
        try:
            return cls(
                id=EventId(data["id"]),
                type=data["type"],
                occurred_at=datetime.fromisoformat(data["occurred_at"]),
                correlation_id=data.get("correlation_id"),
                causation_id=data.get("causation_id"),
                schema_version=int(data.get("schema_version", SCHEMA_VERSION)),
                payload=dict(data["payload"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EventFormatError(f"malformed event envelope: {exc!r}") from exc

    @classmethod
    def from_json(cls, raw: bytes | str) -> Event:
        """Parse a JSON envelope."""
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise EventFormatError(f"event is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise EventFormatError("event envelope must be a JSON object")
        return cls.from_dict(data)


def topic_matches(pattern: str, routing_key: str) -> bool:
    """True when ``routing_key`` matches the AMQP-style topic ``pattern``."""
    return _match(pattern.split("."), routing_key.split("."))


def _match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head in ("*", words[0])) and _match(rest, words[1:])
