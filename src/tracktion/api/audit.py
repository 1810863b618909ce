"""The audit log (logger ``tracktion.audit``): security-relevant actions, never secrets."""

from __future__ import annotations

import logging

from tracktion.api.context import correlation_id

_audit = logging.getLogger("tracktion.audit")


def audit(action: str, *, ok: bool = True, **fields: str | None) -> None:
    """Record ``action`` (e.g. ``login``) with identifying fields (user, ip, role...)."""
    extra = {"audit_action": action, "ok": ok, "correlation_id": correlation_id.get(), **fields}
    detail = " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
    _audit.log(
        logging.INFO if ok else logging.WARNING,
        "%s %s %s",
        action,
        "ok" if ok else "denied",
        detail,
        extra=extra,
    )
