"""The RabbitMQ :class:`~tracktion.core.ports.EventBus` (aio-pika), for the distributed mode.

Topology (see :mod:`.rabbitmq_topology`): a durable topic exchange, one durable work queue per
subscription bound with its pattern, TTL retry queues and a parking queue. Events are
persistent JSON messages routed by their type. ``publish`` returns once the broker has
confirmed every event (a window of ``confirm_window`` unconfirmed publishes in flight), so an
outbox relay may mark rows sent right after it. Consumers get ordered batches and ack them only
after the handler returns; failures retry with exponential backoff and end parked (with a
``notification.requested`` event) after ``len(retry_delays_s) + 1`` attempts. A lost
connection is re-established with backoff; the topology is declared again and consumers resume;
publishes in flight are repeated until confirmed or ``publish_timeout_s`` passes.

Delivery is at least once: an event may arrive twice (a confirm or an ack lost with the
connection), and events retried after a failure arrive after later ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from tracktion.adapters.bus.rabbitmq_admin import RabbitMqAdmin
from tracktion.adapters.bus.rabbitmq_codec import event_message
from tracktion.adapters.bus.rabbitmq_connection import CONNECTION_ERRORS, BrokerConnection
from tracktion.adapters.bus.rabbitmq_consumer import (
    ConsumerSettings,
    Subscription,
    SubscriptionConsumer,
)
from tracktion.adapters.bus.rabbitmq_publisher import ConfirmingPublisher
from tracktion.adapters.bus.rabbitmq_topology import (
    DEFAULT_EXCHANGE,
    DEFAULT_QUEUE_PREFIX,
    Topology,
)
from tracktion.core.errors import BusError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracktion.adapters.bus.rabbitmq_connection import Session
    from tracktion.core.events import Event
    from tracktion.core.ports import EventHandler

logger = logging.getLogger(__name__)

IDLE_CONFIRMATIONS = 2
"""Consecutive idle observations wait_idle needs (covers a message in transit between two)."""


class RabbitMqBus:
    """At-least-once topic bus over RabbitMQ; one instance per process."""

    def __init__(
        self,
        url: str,
        *,
        exchange: str = DEFAULT_EXCHANGE,
        queue_prefix: str = DEFAULT_QUEUE_PREFIX,
        prefetch: int = 200,
        batch_size: int = 100,
        linger_s: float = 0.02,
        retry_delays_s: Sequence[float] = (1.0, 5.0, 25.0, 125.0),
        confirm_window: int = 1000,
        publish_timeout_s: float = 60.0,
        connect_timeout_s: float = 10.0,
        reconnect_max_s: float = 5.0,
        shutdown_timeout_s: float = 30.0,
        mandatory: bool = False,
        idle_poll_s: float = 0.05,
        connection_name: str | None = None,
    ) -> None:
        self._url = url
        self._topology = Topology(exchange, queue_prefix, tuple(retry_delays_s))
        self._broker = BrokerConnection(
            url,
            self._on_connected,
            connect_timeout_s=connect_timeout_s,
            reconnect_max_s=reconnect_max_s,
            connection_name=connection_name,
        )
        self._publisher = ConfirmingPublisher(
            self._broker, window=confirm_window, timeout_s=publish_timeout_s
        )
        self._settings = ConsumerSettings(prefetch, batch_size, linger_s, shutdown_timeout_s)
        self._publish_timeout_s = publish_timeout_s
        self._mandatory = mandatory
        self._idle_poll_s = idle_poll_s
        self._consumers: dict[str, SubscriptionConsumer] = {}
        self._declare_only: dict[str, str] = {}
        self._declared: set[str] | None = None
        """Subscriptions declared on this connection; None: not even the exchange yet."""
        self._attaching: set[asyncio.Task[None]] = set()
        self._started = False

    @property
    def topology(self) -> Topology:
        """The exchange and queue names this bus uses."""
        return self._topology

    def subscribe(self, name: str, pattern: str, handler: EventHandler) -> None:
        """Register subscription ``name`` (queue ``<prefix>.<name>``) for keys matching ``pattern``.

        Its queues are declared on the next connect, publish or start, so events published
        after ``subscribe`` returns are kept for it even before :meth:`start`.
        """
        if name in self._consumers:
            raise BusError(f"subscription {name!r} already exists")
        consumer = SubscriptionConsumer(
            Subscription(name, pattern, handler), self._topology, self._publisher, self._settings
        )
        self._consumers[name] = consumer
        if self._started:
            task = asyncio.create_task(self._attach_logged(consumer), name=f"rabbitmq:{name}")
            self._attaching.add(task)
            task.add_done_callback(self._attaching.discard)

    def declare(self, name: str, pattern: str) -> None:
        """Keep subscription ``name``'s queues without consuming them in this process.

        A worker process consumes its own service's queues; declaring the others too means an
        event published before their worker first starts waits in their queue.
        """
        if name in self._consumers or name in self._declare_only:
            raise BusError(f"subscription {name!r} already exists")
        self._declare_only[name] = pattern
        if self._declared is not None:
            self._declared.discard(name)

    async def start(self) -> None:
        """Connect, declare the topology and start consuming every subscription."""
        self._started = True
        for consumer in list(self._consumers.values()):
            await self._attach(consumer)

    async def publish(self, events: Sequence[Event]) -> None:
        """Publish ``events`` in order; returns once the broker has confirmed all of them."""
        if not events:
            return
        if self._declared is None or len(self._declared) < len(self._consumers):
            await self._declare_missing(await self._broker.ready(self._publish_timeout_s))
        exchange = self._topology.exchange
        await self._publisher.send(
            [event_message(exchange, event, mandatory=self._mandatory) for event in events]
        )

    async def wait_idle(self) -> None:
        """Return once this process has nothing left to do on its subscriptions.

        That is: no publish of this process awaits a confirm, no message is received and not
        yet settled here, and the work and retry queues of this process's subscriptions are
        empty, on two polls in a row (``idle_poll_s`` apart). Messages other processes hold
        unacked, or queues of subscriptions other processes own, are not looked at.
        """
        if not self._started:
            raise BusError("bus not started: nothing would ever drain")
        idle = 0
        while idle < IDLE_CONFIRMATIONS:
            await asyncio.sleep(self._idle_poll_s)
            if self._busy() or await self._queued() > 0 or self._busy():
                idle = 0
            else:
                idle += 1

    async def close(self) -> None:
        """Stop consuming, let handler batches in progress finish and ack, disconnect."""
        for task in list(self._attaching):
            task.cancel()
        await asyncio.gather(*self._attaching, return_exceptions=True)
        for consumer in self._consumers.values():
            await consumer.stop()
        await self._broker.close()
        self._started = False

    def admin(self) -> RabbitMqAdmin:
        """An admin client for this bus's subscriptions (close it after use)."""
        return RabbitMqAdmin(
            self._url,
            list(self._consumers),
            exchange=self._topology.exchange,
            queue_prefix=self._topology.queue_prefix,
            retry_delays_s=self._topology.retry_delays_s,
        )

    async def _on_connected(self, session: Session) -> None:
        """Run on every new connection: declare everything, re-attach started consumers."""
        self._declared = None
        await self._declare_missing(session)
        if self._started:
            for consumer in list(self._consumers.values()):
                await consumer.attach(session)

    async def _attach(self, consumer: SubscriptionConsumer) -> None:
        session = await self._broker.ready()
        await self._declare_missing(session)
        try:
            await consumer.attach(session)
        except CONNECTION_ERRORS as exc:
            raise BusError(
                f"RabbitMQ at {self._broker.safe_url}: cannot consume "
                f"{self._topology.queue(consumer.subscription.name)}: {exc!r}"
            ) from exc

    async def _attach_logged(self, consumer: SubscriptionConsumer) -> None:
        try:
            await self._attach(consumer)
        except BusError:
            logger.exception("subscription %s: not consuming", consumer.subscription.name)

    async def _declare_missing(self, session: Session) -> None:
        declared = self._declared or set()
        wanted = {n: c.subscription.pattern for n, c in self._consumers.items()}
        wanted.update(self._declare_only)
        missing = {name: pattern for name, pattern in wanted.items() if name not in declared}
        if self._declared is not None and not missing:
            return
        try:
            channel = await session.connection.channel(publisher_confirms=False)
            async with channel:
                await self._topology.declare_exchange(channel)
                for name, pattern in missing.items():
                    await self._topology.declare_subscription(channel, name, pattern)
                    declared.add(name)
            self._declared = declared
        except CONNECTION_ERRORS as exc:
            raise BusError(
                f"RabbitMQ at {self._broker.safe_url}: cannot declare the topology: {exc!r}"
            ) from exc

    def _busy(self) -> bool:
        return (
            self._publisher.in_flight > 0
            or bool(self._attaching)
            or any(consumer.in_flight for consumer in self._consumers.values())
        )

    async def _queued(self) -> int:
        """Messages ready in the work and retry queues of this process's subscriptions."""
        names = [
            queue
            for name in self._consumers
            for queue in (self._topology.queue(name), *self._topology.retry_queues(name))
        ]
        with contextlib.suppress(*CONNECTION_ERRORS, BusError):
            session = await self._broker.ready()
            channel = await session.connection.channel(publisher_confirms=False)
            async with channel:
                underlay = await channel.get_underlay_channel()
                total = 0
                for name in names:
                    declared = await underlay.queue_declare(name, passive=True)
                    total += declared.message_count or 0
                return total
        return 1  # the broker is away: not idle
