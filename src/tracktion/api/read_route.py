"""Cached reads answered before FastAPI resolves their parameters.

Resolving and validating a list endpoint's two dozen query parameters costs more than serving
its cached body. A route of :class:`CachedReadRoute` whose endpoint is marked with
:func:`cached_read` first authenticates the caller (the same check, counted once), then serves a
fresh body cached under :func:`read_key` — the path and the raw query string. An entry only
exists once the same request passed validation, so skipping it again cannot admit bad input.
Anything else (a miss, a stale entry, a failed check) runs the endpoint as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar

from fastapi import Request, Response
from fastapi.routing import APIRoute

from tracktion.api.problems import ProblemError
from tracktion.api.security import request_caller, required_role

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from tracktion.api.state import ApiState

JSON: Final = "application/json"
_MARK: Final = "__tracktion_cached_read__"
Endpoint = TypeVar("Endpoint", bound="Callable[..., Any]")


def cached_read(endpoint: Endpoint) -> Endpoint:
    """Mark a GET endpoint that caches its JSON body under :func:`read_key`."""
    setattr(endpoint, _MARK, True)
    return endpoint


def read_key(request: Request) -> str:
    """The cache key of a read: its path and raw query string."""
    query = bytes(request.scope.get("query_string", b"")).decode("latin-1")
    return f"{request.scope['path']}?{query}"


class CachedReadRoute(APIRoute):
    """An APIRoute that serves marked endpoints' fresh cached bodies before parameter checks."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The usual handler, behind the cache for :func:`cached_read` GET endpoints."""
        handler = super().get_route_handler()
        role = required_role(self.dependencies)
        if not getattr(self.endpoint, _MARK, False) or role is None or self.methods != {"GET"}:
            return handler

        async def answer(request: Request) -> Response:
            state: ApiState = request.app.state.api
            try:
                principal = await request_caller(request, state)
            except ProblemError:
                return await handler(request)  # answers the same problem
            if principal.role.allows(role):
                body = await state.reads.peek(read_key(request))
                if body is not None:
                    return Response(body, media_type=JSON)
            return await handler(request)

        return answer
