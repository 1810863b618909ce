"""Authentication (bearer JWT or the workers' shared secret) and role checks per endpoint."""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from tracktion.api.audit import audit
from tracktion.api.middleware import client_ip
from tracktion.api.problems import ProblemError
from tracktion.api.state import ApiState, api_state
from tracktion.api.tokens import InvalidTokenError
from tracktion.core.users import Role

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

SERVICE_HEADER = "X-Tracktion-Service-Token"
SERVICE_SUBJECT = "service"
_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_service = APIKeyHeader(name=SERVICE_HEADER, auto_error=False, scheme_name="ServiceToken")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
_CALLER_KEY = "tracktion.caller"
"""Where :func:`caller` keeps its answer in the request scope."""
_ROLE_CHECKS: dict[Callable[..., Any], Role] = {}
"""Each :func:`require` check and the role it demands."""


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
    return caller(request, state, token, service_token)


async def request_caller(request: Request, state: ApiState) -> Principal:
    """:func:`authenticate` outside dependency injection (reads the same headers)."""
    return caller(request, state, await _bearer(request), await _service(request))


def caller(
    request: Request, state: ApiState, token: str | None, service_token: str | None
) -> Principal:
    """The caller (or the 401/429 problem), decided once per request: a second call repeats the
    first answer without taking another rate-limit token or auditing twice."""
    outcome = request.scope.get(_CALLER_KEY)
    if outcome is None:
        try:
            outcome = _identify(request, state, token, service_token)
        except ProblemError as exc:
            outcome = exc
        request.scope[_CALLER_KEY] = outcome
    if isinstance(outcome, ProblemError):
        raise outcome
    principal: Principal = outcome
    return principal


def _identify(
    request: Request, state: ApiState, token: str | None, service_token: str | None
) -> Principal:
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

    _ROLE_CHECKS[check] = role
    return Depends(check)


def required_role(dependencies: Iterable[Any]) -> Role | None:
    """The role demanded by the first :func:`require` check among route ``dependencies``."""
    for dependency in dependencies:
        check = getattr(dependency, "dependency", None)
        role = _ROLE_CHECKS.get(check) if check is not None else None
        if role is not None:
            return role
    return None


VIEWER = require(Role.VIEWER)
"""Dependency: any signed-in user or worker."""
EDITOR = require(Role.EDITOR)
"""Dependency: editors and admins (and workers)."""
ADMIN = require(Role.ADMIN)
"""Dependency: admins only."""
