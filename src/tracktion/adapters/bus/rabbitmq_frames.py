"""AMQP 0-9-1 wire frames of a ``basic.publish``, encoded without aiormq's per-message path.

A published message is a method frame (``basic.publish``: exchange, routing key, mandatory),
a content header frame (body size and properties) and the body cut into frames of at most the
negotiated ``frame_max``. The method frame is the same for every message to one exchange and
routing key, so it is encoded once per channel and kept; the properties go through pamqp's
encoder; the framing itself is two ``struct`` calls. Bytes equal pamqp's own marshalling.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Final

from pamqp import frame
from pamqp.commands import Basic

if TYPE_CHECKING:
    from tracktion.adapters.bus.rabbitmq_codec import Outgoing

FRAME_HEADER: Final = struct.Struct(">BHI")
"""Frame type, channel number, payload size."""
CONTENT_HEADER: Final = struct.Struct(">HHQ")
"""Class id (basic = 60), weight (0), body size."""
FRAME_END: Final = b"\xce"
HEADER_FRAME: Final = 2
BODY_FRAME: Final = 3
BASIC_CLASS: Final = 60


class PublishEncoder:
    """Encodes messages as the frames of one channel; keeps each distinct method frame."""

    def __init__(self, channel_number: int, max_body_frame: int) -> None:
        self._channel = channel_number
        self._max_body = max_body_frame
        self._methods: dict[tuple[str, str, bool], bytes] = {}

    def encode(self, message: Outgoing) -> bytes:
        """Method, content header and body frames of ``message``, back to back."""
        key = (message.exchange, message.routing_key, message.mandatory)
        method = self._methods.get(key)
        if method is None:
            publish = Basic.Publish(
                exchange=message.exchange,
                routing_key=message.routing_key,
                mandatory=message.mandatory,
            )
            method = self._methods[key] = frame.marshal(publish, self._channel)
        body = message.body
        header = CONTENT_HEADER.pack(BASIC_CLASS, 0, len(body)) + message.properties.marshal()
        parts = [method, FRAME_HEADER.pack(HEADER_FRAME, self._channel, len(header)), header]
        parts.append(FRAME_END)
        for start in range(0, len(body), self._max_body):
            piece = body[start : start + self._max_body]
            parts += (FRAME_HEADER.pack(BODY_FRAME, self._channel, len(piece)), piece, FRAME_END)
        return b"".join(parts)
