"""Token DTOs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tracktion.api.schemas.common import StrictModel


class TokenOut(BaseModel):
    """A token pair; send ``access_token`` as ``Authorization: Bearer ...``."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")


class RefreshIn(StrictModel):
    """A refresh token to exchange (refresh) or revoke (logout)."""

    refresh_token: str = Field(min_length=10, max_length=4096)
