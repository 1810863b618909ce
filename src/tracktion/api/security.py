"""Authentication (bearer JWT or the workers' shared secret) and role checks per endpoint."""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from tracktion.api.audit import audit
from tracktion.api.middleware import client_ip
from tracktion.api.problems import ProblemError
from tracktion.api.state import ApiState, api_state
from tracktion.api.tokens import InvalidTokenError
from tracktion.core.users import Role

SERVICE_HEADER = "X-Tracktion-Service-Token"
SERVICE_SUBJECT = "service"
_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_service = APIKeyHeader(name=SERVICE_HEADER, auto_error=False, scheme_name="ServiceToken")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user (subject = user id) or a worker with the shared secret."""

    subject: str
    role: Role
    kind: Literal["user", "service"]


def unauthorized(detail: str) -> ProblemError:
    """401 with the bearer challenge."""
    return ProblemError(401, "unauthorized", detail, headers=_CHALLENGE)


async def authenticate(
    request: Request,
    state: Annotated[ApiState, Depends(api_state)],
    token: Annotated[str | None, Depends(_bearer)],
    service_token: Annotated[str | None, Depends(_service)],
) -> Principal:
    """The caller, or 401; then the caller's own rate limit (429)."""
    if service_token is not None:
        principal = _service_principal(state, service_token, client_ip(request.scope))
    elif token is None:
        raise unauthorized("missing bearer token")
    else:
        try:
            claims = state.codec.verify(token, "access")
        except InvalidTokenError as exc:
            audit("token_rejected", ok=False, reason=str(exc), ip=client_ip(request.scope))
            raise unauthorized(str(exc)) from exc
        principal = Principal(claims.subject, claims.role, "user")
    wait = state.user_limiter.take(f"{principal.kind}:{principal.subject}")
    if wait > 0:
        raise ProblemError(
            429,
            "rate_limited",
            "too many requests for this user",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
    return principal


def _service_principal(state: ApiState, presented: str, ip: str) -> Principal:
    expected = state.container.settings.service_token
    if expected is None or not hmac.compare_digest(
        presented.encode(), expected.get_secret_value().encode()
    ):
        audit("service_auth", ok=False, ip=ip)
        raise unauthorized("service token not accepted")
    return Principal(SERVICE_SUBJECT, Role.EDITOR, "service")


def require(role: Role) -> Any:
    """A dependency admitting callers whose role includes ``role`` (403 otherwise)."""

    async def check(
        request: Request, principal: Annotated[Principal, Depends(authenticate)]
    ) -> Principal:
        if not principal.role.allows(role):
            audit(
                "forbidden",
                ok=False,
                subject=principal.subject,
                role=principal.role.value,
                needed=role.value,
                path=request.url.path,
            )
            raise ProblemError(403, "forbidden", f"this needs the {role.value} role")
        return principal

    return Depends(check)


VIEWER = require(Role.VIEWER)
"""Dependency: any signed-in user or worker."""
EDITOR = require(Role.EDITOR)
"""Dependency: editors and admins (and workers)."""
ADMIN = require(Role.ADMIN)
"""Dependency: admins only."""
