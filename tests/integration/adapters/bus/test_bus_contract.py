"""The EventBus contract: every backend present on the machine must pass these."""

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from tracktion.adapters.bus.inprocess import InProcessBus
from tracktion.core.events import Event

pytestmark = pytest.mark.integration


@pytest.fixture(params=["inprocess"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[InProcessBus]:
    backend = InProcessBus(retry_delays_s=(0.0, 0.0))
    yield backend
    await backend.close()


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[Event]] = []

    async def __call__(self, events: Sequence[Event]) -> None:
        self.batches.append(list(events))

    @property
    def types(self) -> list[str]:
        return [event.type for batch in self.batches for event in batch]


async def test_routes_by_topic_pattern(bus: InProcessBus) -> None:
    files, everything, analysis = Recorder(), Recorder(), Recorder()
    bus.subscribe("files", "file.*", files)
    bus.subscribe("all", "#", everything)
    bus.subscribe("analysis", "analysis.*", analysis)
    await bus.start()

    await bus.publish([Event("file.created", {}), Event("catalog.track_updated", {})])
    await bus.wait_idle()

    assert files.types == ["file.created"]
    assert everything.types == ["file.created", "catalog.track_updated"]
    assert analysis.types == []


async def test_delivers_in_publish_order_in_batches(bus: InProcessBus) -> None:
    recorder = Recorder()
    bus.subscribe("files", "file.*", recorder)
    sent = [Event("file.created", {"n": n}) for n in range(1200)]

    await bus.publish(sent)
    await bus.start()
    await bus.wait_idle()

    received = [event for batch in recorder.batches for event in batch]
    assert received == sent
    assert len(recorder.batches) < len(sent)


async def test_failing_handler_gets_the_batch_again(bus: InProcessBus) -> None:
    attempts: list[int] = []

    async def flaky(events: Sequence[Event]) -> None:
        attempts.append(len(events))
        if len(attempts) < 3:
            raise RuntimeError("database briefly locked")

    bus.subscribe("flaky", "#", flaky)
    await bus.start()
    await bus.publish([Event("file.created", {})])
    await bus.wait_idle()

    assert attempts == [1, 1, 1]
    assert bus.parked("flaky") == []


async def test_handler_that_always_fails_parks_events_and_others_go_on(bus: InProcessBus) -> None:
    async def broken(events: Sequence[Event]) -> None:
        raise RuntimeError("bug")

    healthy = Recorder()
    bus.subscribe("broken", "#", broken)
    bus.subscribe("healthy", "#", healthy)
    await bus.start()
    event = Event("file.created", {})
    await bus.publish([event])
    await bus.wait_idle()

    assert bus.parked("broken") == [event]
    assert healthy.types == ["file.created"]


async def test_wait_idle_covers_events_published_by_handlers(bus: InProcessBus) -> None:
    downstream = Recorder()

    async def relay(events: Sequence[Event]) -> None:
        await asyncio.sleep(0.01)
        await bus.publish([event.caused("catalog.track_updated", {}) for event in events])

    bus.subscribe("relay", "file.*", relay)
    bus.subscribe("downstream", "catalog.*", downstream)
    await bus.start()
    await bus.publish([Event("file.created", {})])
    await bus.wait_idle()

    assert downstream.types == ["catalog.track_updated"]


async def test_subscription_names_are_unique(bus: InProcessBus) -> None:
    bus.subscribe("a", "#", Recorder())
    with pytest.raises(Exception, match="already exists"):
        bus.subscribe("a", "#", Recorder())
