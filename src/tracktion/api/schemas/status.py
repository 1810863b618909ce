"""Status, health and readiness DTOs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel


class StatusOut(BaseModel):
    """Pipeline counts."""

    tracks: dict[str, int]
    total_tracks: int
    analysis_pending: int
    events_stored: int


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
