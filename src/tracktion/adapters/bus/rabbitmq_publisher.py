"""Publishing with publisher confirms: a sliding window in flight, retried across reconnects.

:meth:`ConfirmingPublisher.send` encodes messages itself (:mod:`.rabbitmq_frames`) and writes
them in chunks of :data:`CHUNK` as one socket write each, registering one confirm future per
delivery tag in the aiormq channel (which resolves them from the broker's ``multiple`` acks):
no task and no lock round per message. Up to ``window`` messages are unconfirmed at once; the
call returns only when every message is confirmed, so a caller may mark its outbox rows sent
afterwards. A message whose confirm is lost with the connection is published again once the
connection is back (at least once: consumers dedupe on the event id), until ``timeout_s`` has
passed since the call began: then :class:`BusError`. A nack or a returned (unroutable,
``mandatory``) message raises :class:`BusError` at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, cast

import aiormq
from aiormq.abc import ChannelFrame

from tracktion.adapters.bus.rabbitmq_connection import CONNECTION_ERRORS
from tracktion.adapters.bus.rabbitmq_frames import PublishEncoder
from tracktion.core.errors import BusError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Sequence

    from tracktion.adapters.bus.rabbitmq_codec import Outgoing
    from tracktion.adapters.bus.rabbitmq_connection import BrokerConnection

logger = logging.getLogger(__name__)

CHUNK: Final = 128
"""Messages encoded and written to the socket together (one write, one syscall)."""
RESEND_PAUSE_S: Final = 0.05
"""Pause before publishing again on a channel that took none of the messages."""


class ConfirmingPublisher:
    """Publishes batches of messages on the connection's confirm channel."""

    def __init__(
        self, broker: BrokerConnection, *, window: int = 1000, timeout_s: float = 60.0
    ) -> None:
        self._broker = broker
        self._window = window
        self._timeout_s = timeout_s
        self.in_flight = 0
        """Messages handed to :meth:`send` and not yet confirmed."""

    async def send(self, messages: Sequence[Outgoing]) -> None:
        """Publish ``messages``; return when the broker has confirmed every one."""
        if not messages:
            return
        self.in_flight += len(messages)
        try:
            await self._send_until_confirmed(list(messages))
        finally:
            self.in_flight -= len(messages)

    async def _send_until_confirmed(self, pending: list[Outgoing]) -> None:
        deadline = time.monotonic() + self._timeout_s
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BusError(
                    f"RabbitMQ at {self._broker.safe_url}: {len(pending)} message(s) not "
                    f"confirmed within {self._timeout_s:g}s"
                )
            session = await self._broker.ready(remaining)
            # aiormq's channel: its delivery tags, confirmations and write queue are used
            channel = cast("aiormq.Channel", await session.publisher.get_underlay_channel())
            before = len(pending)
            try:
                async with asyncio.timeout(remaining):
                    pending = await self._send_window(channel, pending)
            except TimeoutError:
                continue
            if len(pending) == before:  # nothing went out: let the reconnect happen
                await asyncio.sleep(min(RESEND_PAUSE_S, remaining))
            if pending:
                logger.warning(
                    "RabbitMQ at %s: %d publish(es) lost with the connection, republishing",
                    self._broker.safe_url,
                    len(pending),
                )

    async def _send_window(
        self, channel: aiormq.Channel, messages: list[Outgoing]
    ) -> list[Outgoing]:
        """Publish with at most ``window`` unconfirmed; returns those to publish again."""
        encoder = PublishEncoder(channel.number, channel.max_content_size)
        chunk = max(1, min(self._window, CHUNK))
        outstanding: deque[_Chunk] = deque()
        unconfirmed = 0
        retry: list[Outgoing] = []
        try:
            for start in range(0, len(messages), chunk):
                while outstanding and unconfirmed + chunk > self._window:
                    done = outstanding.popleft()
                    unconfirmed -= len(done.messages)
                    retry += await self._settle(channel, done)
                if retry or channel.is_closed:
                    retry += messages[start:]
                    break
                part = messages[start : start + chunk]
                outstanding.append(await self._write(channel, encoder, part))
                unconfirmed += len(part)
            while outstanding:
                retry += await self._settle(channel, outstanding.popleft())
        finally:
            for left in outstanding:
                self._forget(channel, left)
        return retry

    async def _write(
        self, channel: aiormq.Channel, encoder: PublishEncoder, messages: list[Outgoing]
    ) -> _Chunk:
        """Put ``messages`` on the wire as one write; their confirms are tracked by tag."""
        loop = asyncio.get_running_loop()
        confirms: list[asyncio.Future[object]] = []
        async with channel.lock:  # tags must follow the order frames reach the socket
            payload = b"".join(encoder.encode(message) for message in messages)
            first = channel.delivery_tag + 1
            for message in messages:
                channel.delivery_tag += 1
                confirm: asyncio.Future[object] = loop.create_future()
                channel.confirmations[channel.delivery_tag] = confirm
                if message.mandatory and message.properties.message_id:
                    # how aiormq finds the confirm of a returned message
                    channel.message_id_delivery_tag[message.properties.message_id] = (
                        channel.delivery_tag
                    )
                confirms.append(confirm)
            written = _Chunk(messages, confirms, first)
            frame = ChannelFrame(payload=payload, should_close=False)
            try:
                channel.write_queue.put_nowait(frame)
            except asyncio.QueueFull:
                await _unless_closed(channel, channel.write_queue.put(frame))
        return written

    async def _settle(self, channel: aiormq.Channel, chunk: _Chunk) -> list[Outgoing]:
        """Wait for ``chunk``'s confirms; returns its messages to publish again."""
        try:
            await _unless_closed(channel, asyncio.gather(*chunk.confirms, return_exceptions=True))
        except CONNECTION_ERRORS:
            pass
        finally:
            self._forget(channel, chunk)
        retry: list[Outgoing] = []
        for message, confirm in zip(chunk.messages, chunk.confirms, strict=True):
            if not confirm.done() or confirm.cancelled():
                retry.append(message)
                continue
            error = confirm.exception()
            if error is None:
                continue
            if isinstance(error, aiormq.exceptions.PublishError):
                raise BusError(
                    f"RabbitMQ at {self._broker.safe_url} returned a message as unroutable: "
                    f"exchange {message.exchange!r}, routing key {message.routing_key!r}"
                ) from error
            if isinstance(error, aiormq.exceptions.DeliveryError):
                raise BusError(
                    f"RabbitMQ at {self._broker.safe_url} refused (nacked) message "
                    f"{message.properties.message_id} to {message.routing_key!r}"
                ) from error
            retry.append(message)
        return retry

    @staticmethod
    def _forget(channel: aiormq.Channel, chunk: _Chunk) -> None:
        """Drop what the channel keeps for ``chunk`` (nothing once all are confirmed)."""
        for offset, message in enumerate(chunk.messages):
            tag = chunk.first_tag + offset
            confirm = channel.confirmations.get(tag)
            if confirm is chunk.confirms[offset]:
                del channel.confirmations[tag]
            if message.mandatory and message.properties.message_id:
                channel.message_id_delivery_tag.pop(message.properties.message_id, None)


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Messages written together, their confirms, and the delivery tag of the first."""

    messages: list[Outgoing]
    confirms: list[asyncio.Future[object]]
    first_tag: int


async def _unless_closed(channel: aiormq.Channel, awaitable: Awaitable[object]) -> None:
    """Await ``awaitable``; raise ChannelInvalidStateError if the channel closes first."""
    waiter = asyncio.ensure_future(awaitable)
    try:
        await asyncio.wait((waiter, channel.closing), return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not waiter.done():
            waiter.cancel()
    if not waiter.done() or waiter.cancelled():
        raise aiormq.exceptions.ChannelInvalidStateError("channel closed")
    waiter.result()
