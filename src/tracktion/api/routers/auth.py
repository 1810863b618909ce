"""Auth: password login, refresh-token rotation with reuse detection, logout."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from pydantic import Field

from tracktion.api.audit import audit
from tracktion.api.middleware import client_ip
from tracktion.api.passwords import MAX_LENGTH
from tracktion.api.problems import ProblemError
from tracktion.api.routers import API_PREFIX
from tracktion.api.schemas.auth import RefreshIn, TokenOut
from tracktion.api.schemas.common import StrictModel, problems
from tracktion.api.security import (
    VIEWER,
    Principal,
    unauthorized,
)
from tracktion.api.state import ApiState, api_state
from tracktion.api.tokens import InvalidTokenError
from tracktion.core.users import RefreshToken, User

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"], responses=problems(401, 422, 429))
State = Annotated[ApiState, Depends(api_state)]


class PasswordForm(StrictModel):
    """OAuth2 password grant (``application/x-www-form-urlencoded``)."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=MAX_LENGTH)
    grant_type: str | None = Field(None, pattern="^password$")
    scope: str = Field("", max_length=200)


async def _issue(state: ApiState, user: User) -> TokenOut:
    access, _ = state.codec.issue(user, "access")
    refresh, claims = state.codec.issue(user, "refresh")
    await state.container.refresh_tokens.issue(
        RefreshToken(claims.jti, user.id, datetime.fromtimestamp(claims.expires_at, UTC))
    )
    return TokenOut(access_token=access, refresh_token=refresh, expires_in=state.codec.access_ttl_s)


@router.post("/token", response_model=TokenOut)
async def token(request: Request, state: State, form: Annotated[PasswordForm, Form()]) -> TokenOut:
    """Exchange username and password for an access and a refresh token."""
    ip = client_ip(request.scope)
    user = await state.container.users.get(form.username)
    usable = user is not None and not user.disabled
    if not await state.passwords.verify(
        user.password_hash if user is not None and usable else None, form.password
    ):
        audit("login", ok=False, user=form.username, ip=ip)
        raise unauthorized("wrong username or password")
    assert user is not None
    audit("login", user=user.username, role=user.role.value, ip=ip)
    return await _issue(state, user)


@router.post("/refresh", response_model=TokenOut)
async def refresh(request: Request, state: State, body: RefreshIn) -> TokenOut:
    """A new token pair for a refresh token, which is used up; reusing one revokes its family."""
    ip = client_ip(request.scope)
    tokens = state.container.refresh_tokens
    try:
        claims = state.codec.verify(body.refresh_token, "refresh")
    except InvalidTokenError as exc:
        audit("token_refresh", ok=False, reason=str(exc), ip=ip)
        raise unauthorized(str(exc)) from exc
    stored = await tokens.get_token(claims.jti)
    now = datetime.now(UTC)
    if stored is None:
        audit("token_refresh", ok=False, reason="unknown token", subject=claims.subject, ip=ip)
        raise unauthorized("refresh token not recognised")
    user = await state.container.users.get_by_id(claims.subject)
    if stored.revoked_at is None and user is not None and not user.disabled:
        pair = await _issue_rotated(state, user, claims.jti, now)
        if pair is not None:
            audit("token_refresh", user=user.username, ip=ip)
            return pair
    revoked = await tokens.revoke_family(claims.jti, now)
    if user is None or user.disabled:
        audit("token_refresh", ok=False, reason="user disabled", subject=claims.subject, ip=ip)
        raise unauthorized("the account is disabled")
    audit("refresh_reuse", ok=False, user=user.username, revoked=str(revoked), ip=ip)
    raise unauthorized("refresh token was already used: every token of this login is revoked")


async def _issue_rotated(
    state: ApiState, user: User, old_jti: str, now: datetime
) -> TokenOut | None:
    access, _ = state.codec.issue(user, "access")
    refresh_token, claims = state.codec.issue(user, "refresh")
    successor = RefreshToken(claims.jti, user.id, datetime.fromtimestamp(claims.expires_at, UTC))
    if not await state.container.refresh_tokens.rotate(old_jti, successor, now):
        return None  # used concurrently: treated as reuse
    return TokenOut(
        access_token=access, refresh_token=refresh_token, expires_in=state.codec.access_ttl_s
    )


@router.post("/logout", status_code=204, response_class=Response, responses=problems(403))
async def logout(
    request: Request, principal: Annotated[Principal, VIEWER], state: State, body: RefreshIn
) -> Response:
    """Revoke a refresh token (and any it was rotated into)."""
    try:
        claims = state.codec.verify(body.refresh_token, "refresh")
    except InvalidTokenError as exc:
        raise unauthorized(str(exc)) from exc
    if claims.subject != principal.subject:
        audit("logout", ok=False, subject=principal.subject, ip=client_ip(request.scope))
        raise ProblemError(403, "forbidden", "that refresh token belongs to someone else")
    await state.container.refresh_tokens.revoke_family(claims.jti, datetime.now(UTC))
    audit("logout", subject=principal.subject, ip=client_ip(request.scope))
    return Response(status_code=204)
