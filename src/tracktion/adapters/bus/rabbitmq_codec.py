"""How an event travels as an AMQP message, and how many attempts a message has had.

Body: the JSON envelope (:meth:`Event.to_json`). Properties: persistent (delivery mode 2),
``application/json``, ``message_id`` = event id, ``type`` = event type, ``correlation_id``,
``timestamp``; headers ``correlation_id``, ``causation_id`` and ``schema_version`` (absent ids
are left out). The retry path adds ``x-tracktion-attempts`` and the parking queue adds
``x-tracktion-error``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from pamqp.commands import Basic

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tracktion.core.events import Event

CONTENT_TYPE: Final = "application/json"
PERSISTENT: Final = 2
ATTEMPTS_HEADER: Final = "x-tracktion-attempts"
ERROR_HEADER: Final = "x-tracktion-error"
_RETRY_STATE_HEADERS: Final = ("x-death", "x-first-death-exchange", "x-first-death-queue",
                               "x-first-death-reason", ATTEMPTS_HEADER, ERROR_HEADER)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to publish: where to, and what."""

    exchange: str
    routing_key: str
    body: bytes
    properties: Basic.Properties
    mandatory: bool = True


def event_properties(event: Event) -> Basic.Properties:
    """The AMQP properties of ``event``."""
    headers: dict[str, Any] = {"schema_version": event.schema_version}
    if event.correlation_id is not None:
        headers["correlation_id"] = event.correlation_id
    if event.causation_id is not None:
        headers["causation_id"] = event.causation_id
    return Basic.Properties(
        content_type=CONTENT_TYPE,
        delivery_mode=PERSISTENT,
        message_id=event.id,
        message_type=event.type,
        correlation_id=event.correlation_id,
        timestamp=event.occurred_at,
        headers=headers,
    )


def event_message(exchange: str, event: Event, *, mandatory: bool) -> Outgoing:
    """``event`` published to the topic ``exchange`` (routing key = event type)."""
    return Outgoing(exchange, event.type, event.to_json(), event_properties(event), mandatory)


def copy_properties(properties: Basic.Properties, headers: Mapping[str, Any]) -> Basic.Properties:
    """``properties`` with ``headers`` instead of its own (everything else kept)."""
    return Basic.Properties(
        content_type=properties.content_type,
        content_encoding=properties.content_encoding,
        headers=dict(headers),
        delivery_mode=PERSISTENT,
        priority=properties.priority,
        correlation_id=properties.correlation_id,
        reply_to=properties.reply_to,
        message_id=properties.message_id,
        timestamp=properties.timestamp,
        message_type=properties.message_type,
        user_id=properties.user_id,
        app_id=properties.app_id,
    )


def reset_headers(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """``headers`` without the retry state, so the message starts again at attempt one."""
    return {key: value for key, value in (headers or {}).items() if key not in _RETRY_STATE_HEADERS}


def previous_attempts(headers: Mapping[str, Any] | None, retry_queue_prefix: str) -> int:
    """How many times the message has failed before, from ``x-death`` and our own header.

    RabbitMQ counts each expiry from a retry queue in the ``x-death`` entry of that queue.
    ``x-tracktion-attempts`` (set when the message is sent to a retry queue) gives the same
    figure on brokers that do not keep ``x-death`` on republished copies; the larger wins.
    """
    headers = headers or {}
    expired = 0
    for death in headers.get("x-death") or ():
        if not isinstance(death, dict):
            continue
        queue = _text(death.get("queue"))
        if _text(death.get("reason")) == "expired" and queue.startswith(retry_queue_prefix):
            expired += int(death.get("count") or 0)
    own = headers.get(ATTEMPTS_HEADER)
    return max(expired, int(own) if isinstance(own, int) else 0)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value) if value is not None else ""
