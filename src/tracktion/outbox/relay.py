"""OutboxRelay: publishes committed outbox events to the bus, then marks them sent.

Services publish what they just committed at once (:meth:`OutboxRelay.publish`); the relay's
sweep (:meth:`OutboxRelay.run`) publishes whatever is still pending after a crash, a broker
outage or a kill between commit and publish. Either path may publish an event twice (two
processes sweeping, or a kill after the confirm but before the mark); consumers are idempotent
per event id, so a duplicate is absorbed and nothing is ever lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from tracktion.core.errors import BusError, StorageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracktion.core.events import Event
    from tracktion.core.ports import EventBus, Outbox

logger = logging.getLogger(__name__)


class OutboxRelay:
    """Moves outbox rows onto the bus; safe to run in every process that writes the outbox."""

    def __init__(
        self,
        outbox: Outbox,
        bus: EventBus,
        *,
        batch_size: int = 500,
        sweep_every_s: float = 2.0,
        straggler_age_s: float = 5.0,
        keep_sent_s: float = 86_400.0,
    ) -> None:
        self._outbox = outbox
        self._bus = bus
        self._batch_size = batch_size
        self._sweep_every_s = sweep_every_s
        self._straggler_age_s = straggler_age_s
        self._keep_sent_s = keep_sent_s
        self._lock = asyncio.Lock()
        self.published = 0

    async def publish(self, events: Sequence[Event]) -> bool:
        """Publish freshly committed events and mark them sent; False leaves them to the sweep.

        Never raises for a bus or database failure: the events are safe in the outbox.
        """
        if not events:
            return True
        try:
            await self._bus.publish(events)
            await self._outbox.mark_sent([event.id for event in events])
        except (BusError, StorageError) as exc:
            logger.warning("outbox: %d event(s) left for the relay: %s", len(events), exc)
            return False
        self.published += len(events)
        return True

    async def sweep(self, min_age_s: float = 0.0) -> int:
        """Publish every pending event at least ``min_age_s`` old; returns how many."""
        total = 0
        async with self._lock:
            while True:
                events = await self._outbox.pending(self._batch_size, min_age_s)
                if not events:
                    return total
                await self._bus.publish(events)
                await self._outbox.mark_sent([event.id for event in events])
                total += len(events)
                self.published += len(events)
                if len(events) < self._batch_size:
                    return total

    async def run(self) -> None:
        """Sweep at start (everything pending), then stragglers periodically, until cancelled."""
        min_age_s = 0.0
        sweeps = 0
        while True:
            try:
                sent = await self.sweep(min_age_s)
                if sent:
                    logger.info("outbox relay published %d pending event(s)", sent)
                min_age_s = self._straggler_age_s
                sweeps += 1
                if sweeps % 500 == 1:
                    await self._outbox.prune(self._keep_sent_s)
            except (BusError, StorageError) as exc:
                logger.warning("outbox relay: %s; retrying", exc)
            await asyncio.sleep(self._sweep_every_s)

    def start(self) -> asyncio.Task[None]:
        """Run :meth:`run` as a background task."""
        return asyncio.create_task(self.run(), name="outbox-relay")

    @staticmethod
    async def stop(task: asyncio.Task[None]) -> None:
        """Cancel a task started by :meth:`start` and wait for it."""
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
