"""Worker processes of the distributed mode, as ``tracktion status`` reports them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from datetime import datetime

HEARTBEAT_S: Final = 5.0
"""How often a worker process refreshes its heartbeat."""

ALIVE_WITHIN_S: Final = 3 * HEARTBEAT_S
"""A worker is alive when it beat this recently (three heartbeats: one late beat is not death)."""


class WorkerState(StrEnum):
    """Where a worker is in its life."""

    RUNNING = "running"
    STOPPING = "stopping"
    """SIGTERM received: finishing or requeueing in-flight work."""
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """One worker process and its last heartbeat."""

    id: str
    service: str
    host: str
    pid: int
    state: WorkerState
    started_at: datetime
    last_seen_at: datetime
    processed: int
    alive: bool


@dataclass(frozen=True, slots=True)
class QueueStats:
    """One subscription's queues as the broker sees them now."""

    name: str
    """The work queue."""
    messages: int
    """Ready in the work queue (not counting messages consumers hold unacked)."""
    consumers: int
    parked: int
    retrying: int = 0
    """Waiting out a backoff in the retry queues."""
