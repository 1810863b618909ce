"""API users, their roles and refresh tokens (the records behind authentication)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from tracktion.core.errors import TracktionError

if TYPE_CHECKING:
    from datetime import datetime


class Role(StrEnum):
    """What a user may do: viewers read, editors also scan and re-analyse, admins manage users."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        """True when this role includes everything ``needed`` may do."""
        order = (Role.VIEWER, Role.EDITOR, Role.ADMIN)
        return order.index(self) >= order.index(needed)


class UserExistsError(TracktionError):
    """A user with that username already exists."""


@dataclass(frozen=True, slots=True)
class User:
    """An account; ``password_hash`` is an argon2id hash, never the password."""

    id: str
    username: str
    password_hash: str
    role: Role
    created_at: datetime
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """One issued refresh token; rotation revokes it and points ``replaced_by`` at its successor."""

    jti: str
    user_id: str
    expires_at: datetime
    revoked_at: datetime | None = None
    replaced_by: str | None = None
