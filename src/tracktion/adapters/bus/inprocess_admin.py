"""InProcessBusAdmin: the BusAdmin port over this process's in-process bus (embedded mode)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracktion.adapters.bus.inprocess import InProcessBus
    from tracktion.core.events import Event
    from tracktion.core.workers import QueueStats


class InProcessBusAdmin:
    """Queue depths and parked events of the subscriptions consumed in this process."""

    def __init__(self, bus: InProcessBus) -> None:
        self._bus = bus

    async def queues(self) -> list[QueueStats]:
        """Queued, consuming and parked counts per subscription."""
        return self._bus.queue_stats()

    async def parked(self, subscription: str, limit: int = 100) -> list[Event]:
        """Up to ``limit`` parked events of a subscription, oldest first (left parked)."""
        return self._bus.parked(subscription)[:limit]

    async def retry_parked(self, subscription: str) -> int:
        """Queue a subscription's parked events again; returns how many."""
        return await self._bus.retry_parked(subscription)

    async def purge_parked(self, subscription: str) -> int:
        """Drop a subscription's parked events; returns how many."""
        return self._bus.purge_parked(subscription)

    async def close(self) -> None:
        """Nothing to release."""
