"""Status, health and readiness DTOs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from tracktion.core.workers import WorkerState


class QueueOut(BaseModel):
    """One subscription's queues on the broker."""

    queue: str
    messages: int = Field(description="Ready in the work queue.")
    consumers: int
    retrying: int = Field(description="Waiting out a backoff in the retry queues.")
    parked: int = Field(description="Dead-lettered: see `tracktion dlq`.")


class OutboxOut(BaseModel):
    """Events written with their changes, not yet published (pending) or published (sent)."""

    pending: int
    sent: int


class WorkerOut(BaseModel):
    """A worker process and its last heartbeat."""

    id: str
    service: str
    host: str
    pid: int
    state: WorkerState
    alive: bool
    processed: int
    last_seen_at: datetime


class StatusOut(BaseModel):
    """The pipeline at a glance (``tracktion status --json``)."""

    tracks: dict[str, int]
    total_tracks: int
    analysis_pending: int
    events_stored: int
    queues: list[QueueOut] | None = Field(
        description="Per subscription; null on the in-process bus (nothing queued between "
        "processes) or when the broker did not answer (see queues_error)."
    )
    queues_error: str | None = Field(description="Why the broker's queues are missing.")
    outbox: OutboxOut
    workers: list[WorkerOut] = Field(description="Registered workers, newest first.")
    workers_alive: int


class HealthOut(BaseModel):
    """Liveness."""

    status: Literal["ok"]


class CheckOut(BaseModel):
    """One dependency's readiness."""

    ok: bool
    detail: str | None = None
    duration_ms: float


class ReadyOut(BaseModel):
    """Readiness: every dependency answered."""

    status: Literal["ready", "unavailable"]
    checks: dict[str, CheckOut]


class EventOut(BaseModel):
    """An event envelope from the audit trail."""

    id: str
    type: str
    occurred_at: datetime
    correlation_id: str | None
    causation_id: str | None
    schema_version: int
    payload: dict[str, Any]
