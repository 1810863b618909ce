"""Library DTOs: scan requests and background jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from tracktion.api.schemas.common import StrictModel


class ScanIn(StrictModel):
    """A folder to scan; it must lie inside one of the configured library roots."""

    path: str = Field(min_length=1, max_length=4096)


class JobOut(BaseModel):
    """A background job (scan or re-analysis); poll ``/api/v1/jobs/{id}``."""

    id: str
    kind: Literal["scan", "analysis"]
    status: Literal["running", "completed", "failed"]
    target: str
    correlation_id: str
    started_at: datetime
    finished_at: datetime | None
    result: dict[str, Any] | None
    error: str | None
