"""One pure-ASGI middleware for every request: correlation id, per-IP rate limit, body size
limit, metrics by route template, and a JSON-friendly access log line."""

from __future__ import annotations

import json
import logging
import math
import time
from typing import TYPE_CHECKING, Any, Final

from starlette.exceptions import HTTPException

from tracktion.api.context import CORRELATION_HEADER, accept_correlation_id, correlation_id
from tracktion.api.problems import PROBLEM_JSON, code_for_status, problem_body

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from tracktion.api.metrics import ApiMetrics
    from tracktion.api.ratelimit import RateLimiter

access_log = logging.getLogger("tracktion.api.access")

UNLIMITED_PATHS: Final = frozenset({"/health", "/ready", "/metrics"})
"""Probes and scrapes are not rate limited (an orchestrator polls them)."""
_METHODS_WITH_BODY: Final = frozenset({"POST", "PUT", "PATCH"})


def client_ip(scope: Scope) -> str:
    """The peer address (no proxy headers are trusted)."""
    client = scope.get("client")
    return client[0] if client else "unknown"


class RequestPipeline:
    """Wraps the app; cheap enough to run on every request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: ApiMetrics,
        ip_limiter: RateLimiter,
        max_body_bytes: int,
    ) -> None:
        self.app = app
        self._metrics = metrics
        self._ip_limiter = ip_limiter
        self._max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        cid = accept_correlation_id(_header(scope, b"x-correlation-id"))
        token = correlation_id.set(cid)
        status = 500
        cid_header = (CORRELATION_HEADER.encode(), cid.encode())

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), cid_header]
            await send(message)

        try:
            rejection = self._reject(scope)
            if rejection is not None:
                status_code, code, detail, headers = rejection
                await _send_problem(send_wrapper, scope, status_code, code, detail, headers)
            else:
                await self.app(scope, self._limited(scope, receive), send_wrapper)
        finally:
            correlation_id.reset(token)
            self._observe(scope, status, time.perf_counter() - started, cid)

    def _reject(self, scope: Scope) -> tuple[int, str, str, dict[str, str]] | None:
        if scope["path"] not in UNLIMITED_PATHS:
            wait = self._ip_limiter.take(f"ip:{client_ip(scope)}")
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                return (
                    429,
                    "rate_limited",
                    "too many requests from this address",
                    {"retry-after": retry},
                )
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self._max_body_bytes):
            return 413, "payload_too_large", self._too_large_detail(), {}
        return None

    def _too_large_detail(self) -> str:
        return f"request body larger than {self._max_body_bytes} bytes"

    def _limited(self, scope: Scope, receive: Receive) -> Receive:
        if scope["method"] not in _METHODS_WITH_BODY:
            return receive
        seen = 0
        limit = self._max_body_bytes

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # the problem handlers answer 413 payload_too_large
                    raise HTTPException(413, f"request body larger than {limit} bytes")
            return message

        return limited_receive

    def _observe(self, scope: Scope, status: int, elapsed: float, cid: str) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        method = scope["method"]
        self._metrics.requests.labels(method, template, str(status)).inc()
        self._metrics.latency.labels(method, template).observe(elapsed)
        if status >= 400:
            self._metrics.errors.labels(code_for_status(status)).inc()
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "%s %s %d %.1fms",
                method,
                scope["path"],
                status,
                elapsed * 1000,
                extra={
                    "correlation_id": cid,
                    "method": method,
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "client_ip": client_ip(scope),
                },
            )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _send_problem(
    send: Send, scope: Scope, status: int, code: str, detail: str, headers: dict[str, str]
) -> None:
    body: dict[str, Any] = problem_body(status, code, detail, scope["path"])
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(payload)).encode()),
                *((key.encode(), value.encode()) for key, value in headers.items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
