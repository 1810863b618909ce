"""Operator view of the RabbitMQ bus: queue depths and the parking queues (``tracktion dlq``).

Plain AMQP (no management plugin needed): depths come from passive queue declarations, so the
admin is given the subscription names it reports on. ``parked`` peeks without losing anything:
it takes messages with ``basic.get`` unacked and then nacks them with requeue, which puts them
back at their original positions (they come back flagged ``redelivered``; a second peek at the
same moment may see fewer). ``retry_parked`` moves messages to the work queue with their retry
state reset (attempts start again at one): each batch is published with confirms before it is
acked, so a crash in between duplicates, never loses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Self

import aio_pika
import aiormq

from tracktion.adapters.bus.rabbitmq_codec import copy_properties, reset_headers
from tracktion.adapters.bus.rabbitmq_connection import CONNECTION_ERRORS
from tracktion.adapters.bus.rabbitmq_topology import (
    DEFAULT_EXCHANGE,
    DEFAULT_QUEUE_PREFIX,
    Topology,
)
from tracktion.adapters.urls import redact_url
from tracktion.core.errors import BusError, EventFormatError
from tracktion.core.events import Event
from tracktion.core.workers import QueueStats

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence
    from types import TracebackType

    from aio_pika.abc import AbstractConnection

logger = logging.getLogger(__name__)

MOVE_BATCH = 200


class RabbitMqAdmin:
    """Queue statistics and parking-queue operations for the named subscriptions."""

    def __init__(
        self,
        url: str,
        subscriptions: Sequence[str],
        *,
        exchange: str = DEFAULT_EXCHANGE,
        queue_prefix: str = DEFAULT_QUEUE_PREFIX,
        retry_delays_s: Sequence[float] = (1.0, 5.0, 25.0, 125.0),
        timeout_s: float = 10.0,
    ) -> None:
        self._url = url
        self._safe_url = redact_url(url)
        self._subscriptions = list(subscriptions)
        self._topology = Topology(exchange, queue_prefix, tuple(retry_delays_s))
        self._timeout_s = timeout_s
        self._connection: AbstractConnection | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """The subscriptions this admin reports on."""
        return tuple(self._subscriptions)

    async def queues(self) -> list[QueueStats]:
        """Depth, consumers, retrying and parked counts per subscription (absent queues: 0)."""
        stats = []
        for name in self._subscriptions:
            messages, consumers = await self._depth(self._topology.queue(name))
            retrying = 0
            for queue in self._topology.retry_queues(name):
                retrying += (await self._depth(queue))[0]
            parked = (await self._depth(self._topology.parked_queue(name)))[0]
            stats.append(
                QueueStats(self._topology.queue(name), messages, consumers, parked, retrying)
            )
        return stats

    async def parked(self, subscription: str, limit: int = 100) -> list[Event]:
        """Up to ``limit`` parked events, oldest first, left in the parking queue."""
        queue = self._topology.parked_queue(subscription)
        events: list[Event] = []
        async with self._channel(confirms=False) as channel:
            last_tag = None
            for _ in range(limit):
                got = await channel.basic_get(queue, no_ack=False)
                if got.delivery_tag is None:  # Basic.GetEmpty
                    break
                last_tag = got.delivery_tag
                try:
                    events.append(Event.from_json(got.body))
                except EventFormatError:
                    logger.warning("%s holds a message that is not an event", queue)
            if last_tag is not None:
                await channel.basic_nack(last_tag, multiple=True, requeue=True)
        return events

    async def retry_parked(self, subscription: str) -> int:
        """Move every parked message back to the work queue, attempts reset; returns how many."""
        parked_queue = self._topology.parked_queue(subscription)
        work_queue = self._topology.queue(subscription)
        moved = 0
        async with self._channel(confirms=True) as channel:
            remaining = (await channel.queue_declare(parked_queue, passive=True)).message_count
            while remaining:
                batch: list[aiormq.abc.DeliveredMessage] = []
                while len(batch) < min(MOVE_BATCH, remaining or 0):
                    got = await channel.basic_get(parked_queue, no_ack=False)
                    if got.delivery_tag is None:
                        break
                    batch.append(got)
                if not batch:
                    break
                await asyncio.gather(
                    *(
                        channel.basic_publish(
                            message.body,
                            routing_key=work_queue,
                            properties=copy_properties(
                                message.header.properties,
                                reset_headers(message.header.properties.headers),
                            ),
                            mandatory=True,
                        )
                        for message in batch
                    )
                )
                await channel.basic_ack(batch[-1].delivery_tag or 0, multiple=True)
                moved += len(batch)
                remaining = (remaining or 0) - len(batch)
        logger.info("moved %d parked message(s) of %s back to %s", moved, subscription, work_queue)
        return moved

    async def purge_parked(self, subscription: str) -> int:
        """Delete every parked message of ``subscription``; returns how many."""
        async with self._channel(confirms=False) as channel:
            purged = await channel.queue_purge(self._topology.parked_queue(subscription))
        return purged.message_count or 0

    async def delete_subscription(self, subscription: str) -> None:
        """Delete the work, retry and parking queues of ``subscription`` (messages are lost)."""
        async with self._channel(confirms=False) as channel:
            for queue in self._topology.all_queues(subscription):
                await channel.queue_delete(queue)

    async def delete_exchange(self) -> None:
        """Delete the bus's topic exchange."""
        async with self._channel(confirms=False) as channel:
            await channel.exchange_delete(self._topology.exchange)

    async def close(self) -> None:
        """Close the admin's connection."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed:
            with contextlib.suppress(*CONNECTION_ERRORS):
                await connection.close()

    async def _depth(self, queue: str) -> tuple[int, int]:
        try:
            async with self._channel(confirms=False) as channel:
                declared = await channel.queue_declare(queue, passive=True)
        except BusError as exc:
            if isinstance(exc.__cause__, aiormq.exceptions.ChannelNotFoundEntity):
                return 0, 0
            raise
        return declared.message_count or 0, declared.consumer_count or 0

    @contextlib.asynccontextmanager
    async def _channel(self, *, confirms: bool) -> AsyncIterator[aiormq.abc.AbstractChannel]:
        """A fresh channel (a failed passive declare closes it), errors as BusError."""
        try:
            if self._connection is None or self._connection.is_closed:
                self._connection = await aio_pika.connect(self._url, timeout=self._timeout_s)
            channel = await self._connection.channel(
                publisher_confirms=confirms, on_return_raises=confirms
            )
            try:
                yield await channel.get_underlay_channel()
            finally:
                if not channel.is_closed:
                    with contextlib.suppress(*CONNECTION_ERRORS):
                        await channel.close()
        except (*CONNECTION_ERRORS, aiormq.exceptions.DeliveryError) as exc:
            raise BusError(f"RabbitMQ at {self._safe_url}: {exc!r}") from exc
