"""InProcessBusAdmin: queue depths and parked events of this process's in-process bus."""

import asyncio
from collections.abc import Sequence

import pytest

from tracktion.adapters.bus.inprocess import InProcessBus
from tracktion.adapters.bus.inprocess_admin import InProcessBusAdmin
from tracktion.core.errors import BusError
from tracktion.core.events import Event, EventType
from tracktion.core.workers import QueueStats

pytestmark = pytest.mark.integration


async def test_depths_parking_retry_and_purge() -> None:
    bus = InProcessBus(retry_delays_s=(0.0,))
    healthy = asyncio.Event()
    handled: list[Event] = []

    async def flaky(events: Sequence[Event]) -> None:
        if not healthy.is_set():
            raise RuntimeError("database down")
        handled.extend(events)

    bus.subscribe("catalog", "file.*", flaky)
    await bus.start()
    admin = InProcessBusAdmin(bus)
    try:
        first = Event(EventType.FILE_CREATED, {"path": "/m/a.mp3"})
        await bus.publish([first])
        await bus.wait_idle()
        parked = await admin.queues()
        peeked = await admin.parked("catalog")

        healthy.set()
        retried = await admin.retry_parked("catalog")
        await bus.wait_idle()
        await bus.publish([Event(EventType.FILE_DELETED, {"path": "/m/b.mp3"})])
        await bus.wait_idle()
        after = await admin.queues()
        purged = await admin.purge_parked("catalog")
        with pytest.raises(BusError, match="no subscription 'nope'"):
            await admin.parked("nope")
    finally:
        await admin.close()
        await bus.close()

    assert parked == [QueueStats(name="catalog", messages=0, consumers=1, parked=1)]
    assert [e.id for e in peeked] == [first.id]
    assert retried == 1
    assert [e.type for e in handled] == ["file.created", "file.deleted"]
    assert after == [QueueStats(name="catalog", messages=0, consumers=1, parked=0)]
    assert purged == 0
