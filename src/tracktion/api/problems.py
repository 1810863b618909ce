"""Errors as RFC 9457 ``application/problem+json`` with stable ``code`` strings."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tracktion.api.context import correlation_id
from tracktion.core.errors import (
    CueSheetError,
    FetchError,
    HostNotAllowedError,
    NotFoundError,
    ScanError,
    TracklistBlockedError,
    TracklistError,
    TracktionError,
)
from tracktion.core.users import UserExistsError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from fastapi import FastAPI, Request

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    "bad_request": "Bad request",
    "unauthorized": "Authentication required",
    "forbidden": "Not allowed",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "conflict": "Conflict",
    "payload_too_large": "Payload too large",
    "validation_error": "Invalid request",
    "rate_limited": "Too many requests",
    "internal": "Internal error",
    "unavailable": "Service unavailable",
    "blocked": "Blocked by the source site",
    "upstream_error": "The source site failed",
}
_CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}


_BLOCKED = (
    "the site served a challenge page instead of the tracklist; nothing was imported. Save the "
    "page from a browser and import its text (format 1001tracklists)"
)


def code_for_status(status: int) -> str:
    """The problem code an error status is answered with."""
    return _CODE_BY_STATUS.get(status, "internal" if status >= 500 else "error")


class ProblemError(Exception):
    """Raise to answer with a problem document; ``code`` is the stable machine-readable part."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


def problem_body(
    status: int, code: str, detail: str, instance: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The problem document (type, title, status, detail, instance, code, correlation_id)."""
    body: dict[str, Any] = {
        "type": f"urn:tracktion:problem:{code}",
        "title": _TITLES.get(code, code.replace("_", " ").capitalize()),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance is not None:
        body["instance"] = instance
    cid = correlation_id.get()
    if cid is not None:
        body["correlation_id"] = cid
    body.update(extra)
    return body


def problem_response(
    status: int,
    code: str,
    detail: str,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A ``JSONResponse`` carrying a problem document."""
    return JSONResponse(
        problem_body(status, code, detail, instance, **extra),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_JSON,
    )


async def _api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status, exc.code, exc.detail, request.url.path, exc.headers, **exc.extra
    )


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()
    ]  # the offending input is left out: it may be a password
    detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
    return problem_response(422, "validation_error", detail, request.url.path, errors=errors)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = code_for_status(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return problem_response(exc.status_code, code, detail, request.url.path, exc.headers)


async def _tracktion(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, NotFoundError):
        return problem_response(404, "not_found", str(exc), request.url.path)
    if isinstance(exc, UserExistsError):
        return problem_response(409, "conflict", str(exc), request.url.path)
    if isinstance(exc, ScanError | HostNotAllowedError | CueSheetError):
        return problem_response(422, "validation_error", str(exc), request.url.path)
    if isinstance(exc, TracklistBlockedError):
        return problem_response(502, "blocked", _BLOCKED, request.url.path, reason=str(exc))
    if isinstance(exc, FetchError):
        return problem_response(502, "upstream_error", str(exc), request.url.path)
    if isinstance(exc, TracklistError):
        return problem_response(422, "validation_error", str(exc), request.url.path)
    logger.error("request failed: %s", exc, exc_info=exc)
    return problem_response(503, "unavailable", "a backend failed; retry later", request.url.path)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s", request.url.path, exc_info=exc)
    return problem_response(500, "internal", "unexpected error", request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    """Route every error the app can raise to a problem document."""
    app.add_exception_handler(ProblemError, _api_problem)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(TracktionError, _tracktion)
    app.add_exception_handler(Exception, _unexpected)
