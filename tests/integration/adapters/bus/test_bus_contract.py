"""The EventBus contract: every backend present on the machine must pass these.

RabbitMQ runs when it answers at TRACKTION_TEST_RABBITMQ_URL (default: the local broker);
each test gets its own exchange and queue prefix, deleted afterwards.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Sequence

import aio_pika
import pytest

from tracktion.adapters.bus.inprocess import InProcessBus
from tracktion.adapters.bus.rabbitmq import RabbitMqBus
from tracktion.adapters.bus.rabbitmq_admin import RabbitMqAdmin
from tracktion.core.events import Event

pytestmark = pytest.mark.integration

RABBITMQ_URL = os.environ.get("TRACKTION_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
FAST_RETRIES = (0.0, 0.0)
"""Three attempts in all, no waiting."""

Bus = InProcessBus | RabbitMqBus
BusFactory = Callable[[], Bus]


async def require_rabbitmq() -> None:
    """Skip (saying why) when no broker answers."""
    try:
        connection = await aio_pika.connect(RABBITMQ_URL, timeout=3)
    except (OSError, aio_pika.exceptions.AMQPError) as exc:
        pytest.skip(f"RabbitMQ not reachable at {RABBITMQ_URL.split('@')[-1]}: {exc!r}")
    await connection.close()


async def delete_topology(buses: Sequence[RabbitMqBus], prefix: str) -> None:
    """Delete every queue the buses declared, and their exchange."""
    names = {name for bus in buses for name in bus.admin().subscriptions}
    async with RabbitMqAdmin(
        RABBITMQ_URL,
        sorted(names),
        exchange=prefix,
        queue_prefix=prefix,
        retry_delays_s=FAST_RETRIES,
    ) as admin:
        for name in admin.subscriptions:
            await admin.delete_subscription(name)
        await admin.delete_exchange()


@pytest.fixture(params=["inprocess", "rabbitmq"])
async def make_bus(request: pytest.FixtureRequest) -> AsyncIterator[BusFactory]:
    """Builds buses of one backend; on RabbitMQ, all of one test share their queues."""
    created: list[Bus] = []
    prefix = f"tracktion_test_{uuid.uuid4().hex[:12]}"
    if request.param == "rabbitmq":
        await require_rabbitmq()

    def make() -> Bus:
        bus: Bus
        if request.param == "inprocess":
            bus = InProcessBus(retry_delays_s=FAST_RETRIES)
        else:
            bus = RabbitMqBus(
                RABBITMQ_URL,
                exchange=prefix,
                queue_prefix=prefix,
                retry_delays_s=FAST_RETRIES,
                shutdown_timeout_s=0.5,
            )
        created.append(bus)
        return bus

    yield make
    for bus in created:
        await bus.close()
    rabbit = [bus for bus in created if isinstance(bus, RabbitMqBus)]
    if rabbit:
        await delete_topology(rabbit, prefix)


@pytest.fixture
def bus(make_bus: BusFactory) -> Bus:
    return make_bus()


async def parked(bus: Bus, name: str) -> list[Event]:
    """What subscription ``name`` gave up on."""
    if isinstance(bus, InProcessBus):
        return bus.parked(name)
    async with bus.admin() as admin:
        return await admin.parked(name)


def require_durable(bus: Bus) -> None:
    if isinstance(bus, InProcessBus):
        pytest.skip("the in-process bus keeps nothing across instances (reconciliation does)")


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[Event]] = []

    async def __call__(self, events: Sequence[Event]) -> None:
        self.batches.append(list(events))

    @property
    def events(self) -> list[Event]:
        return [event for batch in self.batches for event in batch]

    @property
    def types(self) -> list[str]:
        return [event.type for event in self.events]


async def test_routes_by_topic_pattern(bus: Bus) -> None:
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


async def test_delivers_in_publish_order_in_batches(bus: Bus) -> None:
    recorder = Recorder()
    bus.subscribe("files", "file.*", recorder)
    sent = [Event("file.created", {"n": n}) for n in range(1200)]

    await bus.publish(sent)
    await bus.start()
    await bus.wait_idle()

    assert recorder.events == sent
    assert len(recorder.batches) < len(sent)


async def test_failing_handler_gets_the_batch_again(bus: Bus) -> None:
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
    assert await parked(bus, "flaky") == []


async def test_handler_that_always_fails_parks_events_and_others_go_on(bus: Bus) -> None:
    async def broken(events: Sequence[Event]) -> None:
        raise RuntimeError("bug")

    healthy = Recorder()
    # file.* rather than #: RabbitMQ also publishes a notification.requested about the parking
    bus.subscribe("broken", "file.*", broken)
    bus.subscribe("healthy", "file.*", healthy)
    await bus.start()
    event = Event("file.created", {})
    await bus.publish([event])
    await bus.wait_idle()

    assert await parked(bus, "broken") == [event]
    assert healthy.types == ["file.created"]


async def test_retries_then_parks_after_the_last_attempt(bus: Bus) -> None:
    calls: list[list[str]] = []

    async def broken(events: Sequence[Event]) -> None:
        calls.append([event.id for event in events])
        raise RuntimeError("bug")

    bus.subscribe("broken", "file.*", broken)
    await bus.start()
    event = Event("file.created", {"path": "/music/a.flac"})
    await bus.publish([event])
    await bus.wait_idle()

    assert calls == [[event.id]] * (len(FAST_RETRIES) + 1)
    assert await parked(bus, "broken") == [event]


async def test_poison_message_does_not_block_later_messages(bus: Bus) -> None:
    poison = Event("file.created", {"poison": True})
    seen_poison = asyncio.Event()
    handled = Recorder()

    async def picky(events: Sequence[Event]) -> None:
        if any(event.payload.get("poison") for event in events):
            seen_poison.set()
            raise RuntimeError("cannot handle this one")
        await handled(events)

    bus.subscribe("picky", "file.*", picky)
    await bus.start()
    await bus.publish([poison])
    await seen_poison.wait()
    later = [Event("file.created", {"n": n}) for n in range(20)]
    await bus.publish(later)
    await bus.wait_idle()

    assert handled.events == later
    assert await parked(bus, "picky") == [poison]


async def test_unacked_events_go_to_the_next_consumer(make_bus: BusFactory) -> None:
    first = make_bus()
    require_durable(first)
    received = asyncio.Event()

    async def dies_before_ack(events: Sequence[Event]) -> None:
        received.set()
        await asyncio.Event().wait()  # hangs until the bus gives up on it

    first.subscribe("work", "file.*", dies_before_ack)
    await first.start()
    sent = [Event("file.created", {"n": n}) for n in range(5)]
    await first.publish(sent)
    await received.wait()
    await first.close()

    second, recorder = make_bus(), Recorder()
    second.subscribe("work", "file.*", recorder)
    await second.start()
    await second.wait_idle()

    assert recorder.events == sent


async def test_publish_returns_once_events_are_kept(make_bus: BusFactory) -> None:
    publisher = make_bus()
    require_durable(publisher)
    publisher.subscribe("later", "file.*", Recorder())
    sent = [Event("file.created", {"n": n}) for n in range(300)]
    await publisher.publish(sent)
    await publisher.close()

    consumer, recorder = make_bus(), Recorder()
    consumer.subscribe("later", "file.*", recorder)
    await consumer.start()
    await consumer.wait_idle()

    assert recorder.events == sent


async def test_wait_idle_covers_events_published_by_handlers(bus: Bus) -> None:
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


async def test_subscription_names_are_unique(bus: Bus) -> None:
    bus.subscribe("a", "#", Recorder())
    with pytest.raises(Exception, match="already exists"):
        bus.subscribe("a", "#", Recorder())
