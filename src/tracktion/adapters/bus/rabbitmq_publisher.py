"""Publishing with publisher confirms: a sliding window in flight, retried across reconnects.

:meth:`ConfirmingPublisher.send` writes up to ``window`` messages before waiting for any
confirm (the broker confirms in bulk), and returns only when every message is confirmed, so a
caller may mark its outbox rows sent afterwards. A message whose confirm is lost with the
connection is published again once the connection is back (at least once: consumers dedupe on
the event id), until ``timeout_s`` has passed since the call began: then :class:`BusError`.
A nack or a returned (unroutable, ``mandatory``) message raises :class:`BusError` at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, cast

import aiormq

from tracktion.adapters.bus.rabbitmq_connection import CONNECTION_ERRORS
from tracktion.core.errors import BusError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracktion.adapters.bus.rabbitmq_codec import Outgoing
    from tracktion.adapters.bus.rabbitmq_connection import BrokerConnection

logger = logging.getLogger(__name__)


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
            # the concrete channel: the abstract one lacks basic_publish's ``wait``
            channel = cast("aiormq.Channel", await session.publisher.get_underlay_channel())
            try:
                async with asyncio.timeout(remaining):
                    pending = await self._send_window(channel, pending)
            except TimeoutError:
                continue
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
        slots = asyncio.Semaphore(self._window)

        async def one(message: Outgoing) -> None:
            try:
                await channel.basic_publish(
                    message.body,
                    exchange=message.exchange,
                    routing_key=message.routing_key,
                    properties=message.properties,
                    mandatory=message.mandatory,
                    wait=False,  # the window bounds the write queue; the confirm is awaited
                )
            finally:
                slots.release()

        tasks: list[asyncio.Task[None]] = []
        try:
            for message in messages:
                await slots.acquire()
                tasks.append(asyncio.create_task(one(message)))
                if channel.is_closed:
                    break
            results = await asyncio.gather(*tasks, return_exceptions=True)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        retry: list[Outgoing] = []
        for message, result in zip(messages, results, strict=False):
            if result is None:
                continue
            if isinstance(result, aiormq.exceptions.PublishError):
                raise BusError(
                    f"RabbitMQ at {self._broker.safe_url} returned a message as unroutable: "
                    f"exchange {message.exchange!r}, routing key {message.routing_key!r}"
                ) from result
            if isinstance(result, aiormq.exceptions.DeliveryError):
                raise BusError(
                    f"RabbitMQ at {self._broker.safe_url} refused (nacked) message "
                    f"{message.properties.message_id} to {message.routing_key!r}"
                ) from result
            if isinstance(result, (*CONNECTION_ERRORS, asyncio.CancelledError)):
                retry.append(message)
                continue
            raise BusError(
                f"RabbitMQ at {self._broker.safe_url}: publish failed: {result!r}"
            ) from result
        return retry + messages[len(tasks) :]
