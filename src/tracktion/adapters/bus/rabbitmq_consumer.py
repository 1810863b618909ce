"""One subscription's consumer: ordered batches, manual acks, retries through TTL queues, parking.

Deliveries (``prefetch`` unacked at most) go to a local FIFO buffer; one worker task takes up to
``batch_size`` of them, waiting at most ``linger_s`` for a batch to fill, and calls the handler.
The batch is acked only after the handler returns (it has committed its transaction).

When the handler raises, each message of the batch is offered to the handler alone, in order,
so one poison message cannot take its batch-mates down. A message that still fails is sent
(with a publisher confirm) to the retry queue of its attempt, from where it comes back to the
work queue after that queue's delay; the attempt count is read from ``x-death``. After the
last attempt it goes to the parking queue and a ``notification.requested`` event is published
(except for a failing ``notification.requested`` itself, which is only logged: no loops). Then
the original is acked, so the queue goes on. A message whose body is not an event envelope is
parked at once.

Messages received on a channel that has since closed are dropped unhandled: the broker has
already put them back in the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracktion.adapters.bus.rabbitmq_codec import (
    ATTEMPTS_HEADER,
    ERROR_HEADER,
    Outgoing,
    copy_properties,
    event_message,
    previous_attempts,
)
from tracktion.adapters.bus.rabbitmq_connection import CONNECTION_ERRORS
from tracktion.core.errors import BusError, EventFormatError
from tracktion.core.events import Event, EventType

if TYPE_CHECKING:
    import aiormq.abc
    from aio_pika.abc import AbstractChannel

    from tracktion.adapters.bus.rabbitmq_connection import Session
    from tracktion.adapters.bus.rabbitmq_publisher import ConfirmingPublisher
    from tracktion.adapters.bus.rabbitmq_topology import Topology
    from tracktion.core.ports import EventHandler

logger = logging.getLogger(__name__)

ERROR_TEXT_LIMIT = 2000
SETTLE_FAILURE_PAUSE_S = 1.0


@dataclass(frozen=True, slots=True)
class Subscription:
    """A named subscription: its pattern and its handler."""

    name: str
    pattern: str
    handler: EventHandler


@dataclass(frozen=True, slots=True)
class ConsumerSettings:
    """Flow control of every consumer of a bus."""

    prefetch: int = 200
    batch_size: int = 100
    linger_s: float = 0.02
    shutdown_timeout_s: float = 30.0


class SubscriptionConsumer:
    """Consumes one subscription's work queue on its own channel."""

    def __init__(
        self,
        subscription: Subscription,
        topology: Topology,
        publisher: ConfirmingPublisher,
        settings: ConsumerSettings,
    ) -> None:
        self.subscription = subscription
        self._topology = topology
        self._publisher = publisher
        self._settings = settings
        self._buffer: asyncio.Queue[aiormq.abc.DeliveredMessage] = asyncio.Queue()
        self._channel: AbstractChannel | None = None
        self._task: asyncio.Task[None] | None = None
        self._reattach: asyncio.Task[None] | None = None
        self._consumer_tag: str | None = None
        self._handling = False
        self._stopping = False
        self.in_flight = 0
        """Messages received and not yet settled (acked, retried or parked)."""

    async def attach(self, session: Session) -> None:
        """Start consuming on a new channel of ``session`` (again after every reconnect)."""
        if self._stopping or (self._channel is not None and not self._channel.is_closed):
            return
        channel = await session.connection.channel(publisher_confirms=False)
        underlay = await channel.get_underlay_channel()
        await underlay.basic_qos(prefetch_count=self._settings.prefetch)
        consume_ok = await underlay.basic_consume(
            self._topology.queue(self.subscription.name), self._on_message, no_ack=False
        )
        self._consumer_tag = consume_ok.consumer_tag
        channel.close_callbacks.add(lambda _, exc=None: self._on_channel_close(session, exc))
        self._channel = channel
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"rabbitmq:{self.subscription.name}")

    async def stop(self) -> None:
        """Stop consuming, let the batch being handled finish and ack, close the channel."""
        self._stopping = True
        if self._reattach is not None:
            self._reattach.cancel()
            await asyncio.gather(self._reattach, return_exceptions=True)
        channel, self._channel = self._channel, None
        if channel is not None and not channel.is_closed:
            with contextlib.suppress(*CONNECTION_ERRORS):
                if self._consumer_tag is not None:
                    underlay = await channel.get_underlay_channel()
                    await underlay.basic_cancel(self._consumer_tag)
        task, self._task = self._task, None
        if task is not None:
            if self._handling:
                _, running = await asyncio.wait([task], timeout=self._settings.shutdown_timeout_s)
                if running:
                    logger.warning(
                        "subscription %s: batch still running after %gs, abandoned unacked",
                        self.subscription.name,
                        self._settings.shutdown_timeout_s,
                    )
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if channel is not None and not channel.is_closed:
            with contextlib.suppress(*CONNECTION_ERRORS):
                await channel.close()
        self._buffer = asyncio.Queue()
        self.in_flight = 0  # whatever was unacked went back to the queue with the channel

    def _on_channel_close(self, session: Session, exc: BaseException | None) -> None:
        """Re-attach when the channel alone closed (the connection's hook covers the rest)."""
        if self._stopping or session.connection.is_closed or not session.alive:
            return
        logger.warning(
            "subscription %s: channel closed (%s), reopening", self.subscription.name, exc
        )
        self._reattach = asyncio.create_task(self._attach_logged(session))

    async def _attach_logged(self, session: Session) -> None:
        try:
            await self.attach(session)
        except CONNECTION_ERRORS as exc:
            logger.warning(
                "subscription %s: could not reopen its channel: %s", self.subscription.name, exc
            )

    async def _on_message(self, message: aiormq.abc.DeliveredMessage) -> None:
        self.in_flight += 1
        self._buffer.put_nowait(message)

    async def _run(self) -> None:
        while not self._stopping:
            batch = await self._next_batch()
            self._handling = True
            try:
                await self._process(batch)
            finally:
                self._handling = False

    async def _next_batch(self) -> list[aiormq.abc.DeliveredMessage]:
        batch = [await self._buffer.get()]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._settings.linger_s
        while len(batch) < self._settings.batch_size:
            if not self._buffer.empty():
                batch.append(self._buffer.get_nowait())
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                async with asyncio.timeout(remaining):
                    batch.append(await self._buffer.get())
            except TimeoutError:
                break
        return batch

    async def _process(self, batch: list[aiormq.abc.DeliveredMessage]) -> None:
        live = [message for message in batch if not message.channel.is_closed]
        self.in_flight -= len(batch) - len(live)
        if not live:
            return
        try:
            await self._handle(live)
        except BusError:
            logger.exception(
                "subscription %s: could not settle %d message(s); they will be redelivered",
                self.subscription.name,
                len(live),
            )
            await asyncio.sleep(SETTLE_FAILURE_PAUSE_S)
            await self._nack(live)
        finally:
            self.in_flight -= len(live)

    async def _handle(self, batch: list[aiormq.abc.DeliveredMessage]) -> None:
        events: list[Event | None] = []
        for message in batch:
            try:
                events.append(Event.from_json(message.body))
            except EventFormatError:
                events.append(None)
        error = None
        if all(event is not None for event in events):
            error = await self._call([event for event in events if event is not None])
            if error is None:
                await self._ack(batch)
                return
            if len(batch) > 1:
                logger.warning(
                    "subscription %s: handler failed on a batch of %d (%s), trying one by one",
                    self.subscription.name,
                    len(batch),
                    error,
                )
                error = None
        outgoing: list[Outgoing] = []
        for message, event in zip(batch, events, strict=True):
            outgoing += await self._handle_alone(message, event, error)
        await self._publisher.send(outgoing)
        await self._ack(batch)

    async def _call(self, events: list[Event]) -> str | None:
        """Run the handler; the error text if it raised."""
        try:
            await self.subscription.handler(events)
        except Exception as exc:
            logger.debug("subscription %s: handler raised", self.subscription.name, exc_info=True)
            return f"{type(exc).__name__}: {exc}"[:ERROR_TEXT_LIMIT]
        return None

    async def _handle_alone(
        self, message: aiormq.abc.DeliveredMessage, event: Event | None, error: str | None
    ) -> list[Outgoing]:
        """Handle one message (unless ``error`` says it just failed alone).

        Returns what moves it to a retry or parking queue, if it needs moving.
        """
        if event is None:
            return self._park(message, None, "body is not a Tracktion event envelope", 1)
        if error is None:
            error = await self._call([event])
            if error is None:
                return []
        retry_prefix = self._topology.retry_prefix(self.subscription.name)
        attempts = previous_attempts(message.header.properties.headers, retry_prefix) + 1
        if attempts >= self._topology.max_attempts:
            return self._park(message, event, error, attempts)
        logger.warning(
            "subscription %s: event %s (%s) failed attempt %d/%d, retrying in %gs: %s",
            self.subscription.name,
            event.id,
            event.type,
            attempts,
            self._topology.max_attempts,
            self._topology.retry_delays_s[attempts - 1],
            error,
        )
        queue = self._topology.retry_queue(self.subscription.name, attempts)
        return [self._moved(message, queue, {ATTEMPTS_HEADER: attempts})]

    def _park(
        self, message: aiormq.abc.DeliveredMessage, event: Event | None, error: str, attempts: int
    ) -> list[Outgoing]:
        name = self.subscription.name
        properties = message.header.properties
        logger.error(
            "subscription %s: parked message %s (%s) after %d attempt(s): %s",
            name,
            properties.message_id,
            properties.message_type,
            attempts,
            error,
        )
        parked = self._moved(
            message,
            self._topology.parked_queue(name),
            {ATTEMPTS_HEADER: attempts, ERROR_HEADER: error},
        )
        if event is not None and event.type == EventType.NOTIFICATION_REQUESTED:
            return [parked]
        payload = {
            "subscription": name,
            "event_id": properties.message_id,
            "event_type": properties.message_type,
            "error": error,
            "attempts": attempts,
        }
        notification = (
            event.caused(EventType.NOTIFICATION_REQUESTED, payload)
            if event is not None
            else Event(EventType.NOTIFICATION_REQUESTED, payload)
        )
        return [parked, event_message(self._topology.exchange, notification, mandatory=False)]

    @staticmethod
    def _moved(
        message: aiormq.abc.DeliveredMessage, queue: str, extra_headers: dict[str, object]
    ) -> Outgoing:
        properties = message.header.properties
        headers = {**(properties.headers or {}), **extra_headers}
        return Outgoing("", queue, message.body, copy_properties(properties, headers))

    async def _ack(self, batch: list[aiormq.abc.DeliveredMessage]) -> None:
        """Ack the batch: one ``multiple`` ack per channel, up to its last delivery tag."""
        last: dict[int, aiormq.abc.DeliveredMessage] = {}
        for message in batch:
            last[id(message.channel)] = message
        for message in last.values():
            try:
                await message.channel.basic_ack(_tag(message), multiple=True)
            except CONNECTION_ERRORS as exc:
                logger.warning(
                    "subscription %s: ack lost with the channel (%s); the broker redelivers",
                    self.subscription.name,
                    exc,
                )

    async def _nack(self, batch: list[aiormq.abc.DeliveredMessage]) -> None:
        for message in batch:
            with contextlib.suppress(*CONNECTION_ERRORS):
                await message.channel.basic_nack(_tag(message), requeue=True)


def _tag(message: aiormq.abc.DeliveredMessage) -> int:
    """The delivery tag of a consumed message (only ``basic.get``-empty frames have none)."""
    tag = message.delivery_tag
    if tag is None:
        raise BusError("a delivered message without a delivery tag")
    return tag
