"""Shared DTO pieces: the strict input base and the problem document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    """Inputs: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class FieldError(BaseModel):
    """One invalid input."""

    loc: list[str]
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details; ``code`` is stable, ``detail`` is for people."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(examples=["not_found"])
    instance: str | None = None
    correlation_id: str | None = None
    errors: list[FieldError] | None = None


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these error statuses."""
    descriptions = {
        401: "Not signed in, or the token is not valid",
        403: "The caller's role does not allow this",
        404: "No such record",
        409: "Conflicts with an existing record",
        413: "Request body too large",
        422: "Invalid input",
        429: "Rate limited (see Retry-After)",
        502: "The source site failed (code upstream_error) or blocked the fetch (code blocked)",
        503: "A backend is unavailable",
    }
    return {
        status: {
            "model": Problem,
            "description": descriptions[status],
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }
