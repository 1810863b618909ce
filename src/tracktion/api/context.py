"""Per-request context: the correlation id that follows a request through the bus."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

CORRELATION_HEADER = "x-correlation-id"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

correlation_id: ContextVar[str | None] = ContextVar("tracktion_correlation_id", default=None)
"""The current request's correlation id (None outside a request)."""


def accept_correlation_id(header: str | None) -> str:
    """The client's id when it is a safe token (``[A-Za-z0-9._:-]{1,64}``), else a new one."""
    if header and _VALID.match(header):
        return header
    return uuid.uuid4().hex


def current_correlation_id() -> str:
    """The current request's correlation id (a new one outside a request)."""
    return correlation_id.get() or uuid.uuid4().hex
