"""CorrelatedBus: publishes through a bus with the request's correlation id on every event."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracktion.core.events import Event
    from tracktion.core.ports import EventBus, EventHandler


class CorrelatedBus:
    """An EventBus view whose published events carry ``correlation_id``."""

    def __init__(self, bus: EventBus, correlation_id: str) -> None:
        self._bus = bus
        self._correlation_id = correlation_id

    def subscribe(self, name: str, pattern: str, handler: EventHandler) -> None:
        """Subscribe on the underlying bus."""
        self._bus.subscribe(name, pattern, handler)

    def declare(self, name: str, pattern: str) -> None:
        """Delegates to the wrapped bus."""
        self._bus.declare(name, pattern)

    async def start(self) -> None:
        """Start the underlying bus."""
        await self._bus.start()

    async def publish(self, events: Sequence[Event]) -> None:
        """Publish with the correlation id set."""
        await self._bus.publish(
            [dataclasses.replace(event, correlation_id=self._correlation_id) for event in events]
        )

    async def wait_idle(self) -> None:
        """Wait for the underlying bus."""
        await self._bus.wait_idle()

    async def close(self) -> None:
        """Nothing to release: the underlying bus belongs to the app."""
