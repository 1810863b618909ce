"""In-process asyncio topic bus: one ordered queue and one consumer task per subscription.

Delivery is at least once within the process: a handler that raises gets the same batch again
(with backoff) before the batch is parked and logged. Queues are bounded, so a fast producer
waits for slow consumers instead of filling memory. Undelivered events die with the process;
the restart reconciliation recovers what they described (the catalog is the truth).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracktion.core.errors import BusError
from tracktion.core.events import Event, topic_matches
from tracktion.core.workers import QueueStats

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracktion.core.ports import EventHandler

logger = logging.getLogger(__name__)


@dataclass
class _Subscription:
    name: str
    pattern: str
    handler: EventHandler
    queue: asyncio.Queue[Event]
    task: asyncio.Task[None] | None = None
    parked: list[Event] = field(default_factory=list)


class InProcessBus:
    """The embedded default :class:`~tracktion.core.ports.EventBus`."""

    def __init__(
        self,
        *,
        batch_size: int = 500,
        queue_size: int = 20_000,
        retry_delays_s: Sequence[float] = (0.05, 0.5, 2.0),
    ) -> None:
        self._batch_size = batch_size
        self._queue_size = queue_size
        self._retry_delays_s = tuple(retry_delays_s)
        self._subscriptions: dict[str, _Subscription] = {}
        self._started = False
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def subscribe(self, name: str, pattern: str, handler: EventHandler) -> None:
        """Register a named subscription; names are unique."""
        if name in self._subscriptions:
            raise BusError(f"subscription {name!r} already exists")
        sub = _Subscription(name, pattern, handler, asyncio.Queue(self._queue_size))
        self._subscriptions[name] = sub
        if self._started:
            sub.task = asyncio.create_task(self._consume(sub), name=f"bus:{name}")

    def declare(self, name: str, pattern: str) -> None:
        """Nothing to keep: events of the in-process bus never outlive this process."""

    async def start(self) -> None:
        """Start one consumer task per subscription."""
        self._started = True
        for sub in self._subscriptions.values():
            if sub.task is None:
                sub.task = asyncio.create_task(self._consume(sub), name=f"bus:{sub.name}")

    async def publish(self, events: Sequence[Event]) -> None:
        """Queue each event for every subscription whose pattern matches its type."""
        for event in events:
            for sub in self._subscriptions.values():
                if topic_matches(sub.pattern, event.type):
                    self._pending += 1
                    self._idle.clear()
                    await sub.queue.put(event)

    async def wait_idle(self) -> None:
        """Wait until every queued event has been handled (or parked)."""
        if not self._started:
            raise BusError("bus not started: nothing would ever drain")
        await self._idle.wait()

    async def close(self) -> None:
        """Cancel the consumer tasks."""
        tasks = [sub.task for sub in self._subscriptions.values() if sub.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for sub in self._subscriptions.values():
            sub.task = None
            while not sub.queue.empty():
                sub.queue.get_nowait()
                sub.queue.task_done()
        self._pending = 0
        self._idle.set()
        self._started = False

    def parked(self, name: str) -> list[Event]:
        """Events subscription ``name`` gave up on after all retries."""
        return list(self._subscription(name).parked)

    @property
    def consuming(self) -> bool:
        """Whether any subscription consumes here (else there is nothing to report)."""
        return bool(self._subscriptions)

    def queue_stats(self) -> list[QueueStats]:
        """Each subscription's queued, consuming and parked counts right now."""
        return [
            QueueStats(
                name=sub.name,
                messages=sub.queue.qsize(),
                consumers=int(sub.task is not None and not sub.task.done()),
                parked=len(sub.parked),
            )
            for sub in self._subscriptions.values()
        ]

    async def retry_parked(self, name: str) -> int:
        """Queue subscription ``name``'s parked events again; returns how many."""
        sub = self._subscription(name)
        events, sub.parked = sub.parked, []
        for event in events:
            self._pending += 1
            self._idle.clear()
            await sub.queue.put(event)
        return len(events)

    def purge_parked(self, name: str) -> int:
        """Forget subscription ``name``'s parked events; returns how many."""
        sub = self._subscription(name)
        count, sub.parked = len(sub.parked), []
        return count

    def _subscription(self, name: str) -> _Subscription:
        try:
            return self._subscriptions[name]
        except KeyError:
            raise BusError(f"no subscription {name!r} in this process") from None

    async def _consume(self, sub: _Subscription) -> None:
        while True:
            batch = [await sub.queue.get()]
            while len(batch) < self._batch_size and not sub.queue.empty():
                batch.append(sub.queue.get_nowait())
            try:
                await self._deliver(sub, batch)
            finally:
                for _ in batch:
                    sub.queue.task_done()
                self._pending -= len(batch)
                if self._pending == 0:
                    self._idle.set()

    async def _deliver(self, sub: _Subscription, batch: list[Event]) -> None:
        for attempt, delay in enumerate((*self._retry_delays_s, None)):
            try:
                await sub.handler(batch)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                if delay is None:
                    logger.exception(
                        "subscription %s parked %d event(s) after %d attempts (first id %s)",
                        sub.name,
                        len(batch),
                        attempt + 1,
                        batch[0].id,
                    )
                    sub.parked.extend(batch)
                    return
                logger.warning(
                    "subscription %s failed on %d event(s), retrying in %.2fs",
                    sub.name,
                    len(batch),
                    delay,
                    exc_info=True,
                )
                await asyncio.sleep(delay)
