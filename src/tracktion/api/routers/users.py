"""Users (admins only): list, create, show, change role, disable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from tracktion.api.audit import audit
from tracktion.api.problems import ProblemError
from tracktion.api.routers import API_PREFIX
from tracktion.api.schemas.common import problems
from tracktion.api.schemas.users import USERNAME_PATTERN, UserCreate, UserOut, UserPatch
from tracktion.api.security import ADMIN, Principal
from tracktion.api.state import ApiState, api_state
from tracktion.core.users import User

router = APIRouter(
    prefix=f"{API_PREFIX}/users",
    tags=["users"],
    responses=problems(401, 403, 422, 429),
    dependencies=[ADMIN],
)
AdminUser = Annotated[Principal, ADMIN]
State = Annotated[ApiState, Depends(api_state)]
Username = Annotated[str, Path(pattern=USERNAME_PATTERN)]


def user_out(user: User) -> UserOut:
    """A user without the password hash."""
    return UserOut(
        id=user.id,
        username=user.username,
        role=user.role,
        created_at=user.created_at,
        disabled=user.disabled,
    )


@router.get("", response_model=list[UserOut])
async def list_users(state: State) -> list[UserOut]:
    """Every account."""
    return [user_out(user) for user in await state.container.users.list_users()]


@router.post("", response_model=UserOut, status_code=201, responses=problems(409))
async def create_user(admin: AdminUser, state: State, body: UserCreate) -> UserOut:
    """Create an account."""
    user = User(
        id=str(uuid.uuid4()),
        username=body.username,
        password_hash=await state.passwords.hash(body.password),
        role=body.role,
        created_at=datetime.now(UTC),
    )
    await state.container.users.add(user)
    audit("user_created", by=admin.subject, user=user.username, role=user.role.value)
    return user_out(user)


@router.get("/{username}", response_model=UserOut, responses=problems(404))
async def get_user(state: State, username: Username) -> UserOut:
    """One account."""
    user = await state.container.users.get(username)
    if user is None:
        raise ProblemError(404, "not_found", f"no user {username!r}")
    return user_out(user)


@router.patch("/{username}", response_model=UserOut, responses=problems(404))
async def update_user(
    admin: AdminUser, state: State, username: Username, body: UserPatch
) -> UserOut:
    """Change the role and/or disable the account (its refresh tokens are revoked)."""
    users = state.container.users
    user = await users.get(username)
    if user is None:
        raise ProblemError(404, "not_found", f"no user {username!r}")
    if body.role is not None:
        user = await users.set_role(username, body.role) or user
        audit("user_role_changed", by=admin.subject, user=username, role=body.role.value)
    if body.disabled:
        user = await users.disable(username) or user
        audit("user_disabled", by=admin.subject, user=username)
    return user_out(user)
