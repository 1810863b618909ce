"""The RabbitMQ topology of the bus: names, and the declarations that create it.

Per subscription ``<name>`` (queues are durable, exchange is a durable topic exchange):

- ``<prefix>.<name>``: the work queue, bound to the exchange with the subscription's pattern
  (AMQP topic semantics are the bus's own, see :func:`tracktion.core.events.topic_matches`);
- ``<prefix>.<name>.retry.<n>`` (n = 1..len(retry delays)): holding queues with
  ``x-message-ttl`` = the n-th delay, dead-lettering through the default exchange back to the
  work queue, so a failed message comes back after an exponential backoff with an ``x-death``
  entry counting the expiry;
- ``<prefix>.<name>.parked``: where a message ends after its last attempt, until an operator
  retries or purges it (``tracktion dlq``).

Declarations are idempotent, so every (re)connection declares the whole topology again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import aio_pika

if TYPE_CHECKING:
    from aio_pika.abc import AbstractChannel

DEFAULT_EXCHANGE: Final = "tracktion_exchange"
DEFAULT_QUEUE_PREFIX: Final = "tracktion"


@dataclass(frozen=True, slots=True)
class Topology:
    """Exchange and queue names of one bus, and the retry ladder's delays."""

    exchange: str = DEFAULT_EXCHANGE
    queue_prefix: str = DEFAULT_QUEUE_PREFIX
    retry_delays_s: tuple[float, ...] = (1.0, 5.0, 25.0, 125.0)

    @property
    def max_attempts(self) -> int:
        """Handler attempts before a message is parked (one more than the retry delays)."""
        return len(self.retry_delays_s) + 1

    def queue(self, subscription: str) -> str:
        """The work queue of ``subscription``."""
        return f"{self.queue_prefix}.{subscription}"

    def retry_prefix(self, subscription: str) -> str:
        """What the names of the retry queues of ``subscription`` begin with."""
        return f"{self.queue(subscription)}.retry."

    def retry_queue(self, subscription: str, level: int) -> str:
        """The holding queue for the ``level``-th retry (1-based)."""
        return f"{self.retry_prefix(subscription)}{level}"

    def retry_queues(self, subscription: str) -> list[str]:
        """Every retry holding queue of ``subscription``, shortest delay first."""
        return [
            self.retry_queue(subscription, level)
            for level in range(1, len(self.retry_delays_s) + 1)
        ]

    def parked_queue(self, subscription: str) -> str:
        """The parking queue of ``subscription``."""
        return f"{self.queue(subscription)}.parked"

    def all_queues(self, subscription: str) -> list[str]:
        """Work, retry and parking queues of ``subscription``."""
        return [
            self.queue(subscription),
            *self.retry_queues(subscription),
            self.parked_queue(subscription),
        ]

    async def declare_exchange(self, channel: AbstractChannel) -> None:
        """Declare the durable topic exchange."""
        await channel.declare_exchange(self.exchange, aio_pika.ExchangeType.TOPIC, durable=True)

    async def declare_subscription(
        self, channel: AbstractChannel, subscription: str, pattern: str
    ) -> None:
        """Declare the queues of ``subscription`` and bind its work queue to ``pattern``."""
        work = await channel.declare_queue(self.queue(subscription), durable=True)
        await work.bind(self.exchange, routing_key=pattern)
        for level, delay_s in enumerate(self.retry_delays_s, start=1):
            await channel.declare_queue(
                self.retry_queue(subscription, level),
                durable=True,
                arguments={
                    "x-message-ttl": max(0, round(delay_s * 1000)),
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": work.name,
                },
            )
        await channel.declare_queue(self.parked_queue(subscription), durable=True)
