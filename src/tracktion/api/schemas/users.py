"""User DTOs (admin endpoints)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from tracktion.api.passwords import MAX_LENGTH, MIN_LENGTH
from tracktion.api.schemas.common import StrictModel
from tracktion.core.users import Role

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,64}$"


class UserOut(BaseModel):
    """An account (never its password hash)."""

    id: str
    username: str
    role: Role
    created_at: datetime
    disabled: bool


class UserCreate(StrictModel):
    """A new account."""

    username: str = Field(pattern=USERNAME_PATTERN)
    password: str = Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH)
    role: Role = Role.VIEWER


class UserPatch(StrictModel):
    """Change a role and/or disable the account (disabling cannot be undone here)."""

    role: Role | None = None
    disabled: Literal[True] | None = None

    @model_validator(mode="after")
    def _something(self) -> UserPatch:
        if self.role is None and self.disabled is None:
            raise ValueError("give role and/or disabled")
        return self
