"""RabbitMQ-only behaviour of the bus: topology, message format, admin, x-death, reconnects."""

import asyncio
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Sequence

import aio_pika
import pytest

from tracktion.adapters.bus.rabbitmq import RabbitMqBus
from tracktion.adapters.bus.rabbitmq_admin import RabbitMqAdmin
from tracktion.core.errors import BusError
from tracktion.core.events import Event, EventType
from tracktion.core.workers import QueueStats

pytestmark = pytest.mark.integration

RABBITMQ_URL = os.environ.get("TRACKTION_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
RETRIES = (0.0, 0.0, 0.0)
"""Four attempts, no waiting."""

BusFactory = Callable[..., RabbitMqBus]


@pytest.fixture
async def prefix() -> str:
    return f"tracktion_test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def raw(prefix: str) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A plain aio-pika channel for looking at the broker directly (skips if none answers)."""
    try:
        connection = await aio_pika.connect(RABBITMQ_URL, timeout=3)
    except (OSError, aio_pika.exceptions.AMQPError) as exc:
        pytest.skip(f"RabbitMQ not reachable at {RABBITMQ_URL.split('@')[-1]}: {exc!r}")
    async with connection:
        yield await connection.channel()


@pytest.fixture
async def make_bus(prefix: str, raw: aio_pika.abc.AbstractChannel) -> AsyncIterator[BusFactory]:
    created: list[RabbitMqBus] = []

    def make(**options: object) -> RabbitMqBus:
        settings: dict[str, object] = {"retry_delays_s": RETRIES, "shutdown_timeout_s": 0.5}
        bus = RabbitMqBus(
            RABBITMQ_URL, exchange=prefix, queue_prefix=prefix, **{**settings, **options}
        )
        created.append(bus)
        return bus

    yield make
    names = set()
    for bus in created:
        await bus.close()
        names |= set(bus.admin().subscriptions)
    async with admin_for(prefix, sorted(names)) as admin:
        for name in admin.subscriptions:
            await admin.delete_subscription(name)
        await admin.delete_exchange()


def admin_for(prefix: str, subscriptions: Sequence[str]) -> RabbitMqAdmin:
    return RabbitMqAdmin(
        RABBITMQ_URL, subscriptions, exchange=prefix, queue_prefix=prefix, retry_delays_s=RETRIES
    )


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, events: Sequence[Event]) -> None:
        self.events.extend(events)


class Switch:
    """A handler that fails while ``broken`` is set."""

    def __init__(self) -> None:
        self.broken = True
        self.handled: list[Event] = []

    async def __call__(self, events: Sequence[Event]) -> None:
        if self.broken:
            raise RuntimeError("disk full")
        self.handled.extend(events)


async def rabbitmqctl(*args: str) -> str:
    """Run rabbitmqctl (skips when it is not installed or not allowed)."""
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl not installed")
    process = await asyncio.create_subprocess_exec(
        "rabbitmqctl", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        pytest.skip(f"rabbitmqctl {args[0]} failed: {err.decode(errors='replace')[:200]}")
    return out.decode(errors="replace")


async def test_queues_are_durable_and_messages_persistent_with_headers(
    make_bus: BusFactory, prefix: str, raw: aio_pika.abc.AbstractChannel
) -> None:
    bus = make_bus()
    bus.subscribe("catalog", "file.*", Recorder())
    cause = Event("file.discovered", {"path": "/music/a.flac"})
    event = cause.caused("file.created", {"path": "/music/a.flac"})
    await bus.publish([event])

    listed = await rabbitmqctl("list_queues", "name", "durable", "-q", "--no-table-headers")
    durable = dict(line.split("\t") for line in listed.splitlines() if line.startswith(prefix))
    assert durable == {
        f"{prefix}.catalog": "true",
        f"{prefix}.catalog.retry.1": "true",
        f"{prefix}.catalog.retry.2": "true",
        f"{prefix}.catalog.retry.3": "true",
        f"{prefix}.catalog.parked": "true",
    }
    queue = await raw.get_queue(f"{prefix}.catalog")
    message = await queue.get(no_ack=True)
    assert message is not None
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.content_type == "application/json"
    assert message.message_id == event.id
    assert message.type == "file.created"
    assert message.routing_key == "file.created"
    assert message.headers == {
        "correlation_id": cause.id,
        "causation_id": cause.id,
        "schema_version": event.schema_version,
    }
    assert Event.from_json(message.body) == event


async def test_parked_messages_carry_attempts_in_x_death(
    make_bus: BusFactory, prefix: str, raw: aio_pika.abc.AbstractChannel
) -> None:
    bus = make_bus()
    bus.subscribe("broken", "file.*", Switch())
    await bus.start()
    await bus.publish([Event("file.created", {})])
    await bus.wait_idle()

    queue = await raw.get_queue(f"{prefix}.broken.parked")
    message = await queue.get(no_ack=True)
    assert message is not None
    deaths = {
        str(death["queue"]): (death["reason"], death["count"])
        for death in message.headers["x-death"]  # type: ignore[union-attr]
    }
    assert deaths == {
        f"{prefix}.broken.retry.{level}": ("expired", 1) for level in range(1, len(RETRIES) + 1)
    }
    assert message.headers["x-tracktion-attempts"] == len(RETRIES) + 1
    assert message.headers["x-tracktion-error"] == "RuntimeError: disk full"


async def test_parking_publishes_a_notification(make_bus: BusFactory) -> None:
    bus, notes = make_bus(), Recorder()
    bus.subscribe("broken", "file.*", Switch())
    bus.subscribe("notify", EventType.NOTIFICATION_REQUESTED, notes)
    await bus.start()
    event = Event("file.created", {})
    await bus.publish([event])
    await bus.wait_idle()

    [note] = notes.events
    assert note.payload == {
        "subscription": "broken",
        "event_id": event.id,
        "event_type": "file.created",
        "error": "RuntimeError: disk full",
        "attempts": len(RETRIES) + 1,
    }
    assert note.causation_id == event.id
    assert note.correlation_id == event.correlation_id


async def test_a_poison_message_does_not_park_its_batch_mates(make_bus: BusFactory) -> None:
    bus, handled = make_bus(), Recorder()

    async def picky(events: Sequence[Event]) -> None:
        if any(event.payload.get("poison") for event in events):
            raise RuntimeError("poison")
        await handled(events)

    bus.subscribe("picky", "file.*", picky)
    sent = [Event("file.created", {"n": n, "poison": n == 25}) for n in range(50)]
    await bus.publish(sent)
    await bus.start()
    await bus.wait_idle()

    assert handled.events == [event for event in sent if not event.payload["poison"]]
    async with bus.admin() as admin:
        assert await admin.parked("picky") == [sent[25]]


async def test_admin_lists_retries_and_purges_parked_messages(
    make_bus: BusFactory, prefix: str
) -> None:
    bus, switch = make_bus(), Switch()
    bus.subscribe("tags", "file.*", switch)
    await bus.start()
    sent = [Event("file.created", {"n": n}) for n in range(3)]
    await bus.publish(sent)
    await bus.wait_idle()

    async with bus.admin() as admin:
        assert await admin.queues() == [QueueStats(f"{prefix}.tags", 0, 1, 3, 0)]
        assert await admin.parked("tags", limit=2) == sent[:2]
        assert await admin.parked("tags") == sent  # peeking lost nothing, kept the order

        switch.broken = False
        assert await admin.retry_parked("tags") == 3
        await bus.wait_idle()
        assert switch.handled == sent
        assert await admin.parked("tags") == []

        switch.broken = True
        await bus.publish(sent[:2])
        await bus.wait_idle()
        assert (await admin.queues())[0].parked == 2
        assert await admin.purge_parked("tags") == 2
        assert await admin.queues() == [QueueStats(f"{prefix}.tags", 0, 1, 0, 0)]


async def test_admin_reports_absent_queues_as_empty(prefix: str, raw: object) -> None:
    async with admin_for(prefix, ["never_started"]) as admin:
        assert await admin.queues() == [QueueStats(f"{prefix}.never_started", 0, 0, 0, 0)]


async def test_unreachable_broker_is_a_bus_error_without_the_password() -> None:
    bus = RabbitMqBus(
        "amqp://guest:s3cret@127.0.0.1:1/", connect_timeout_s=0.5, publish_timeout_s=0.5
    )
    try:
        with pytest.raises(BusError, match=r"127\.0\.0\.1:1") as caught:
            await bus.publish([Event("file.created", {})])
    finally:
        await bus.close()
    assert "s3cret" not in str(caught.value)


async def test_an_unroutable_mandatory_event_is_a_bus_error(make_bus: BusFactory) -> None:
    bus, received = make_bus(mandatory=True), Recorder()
    bus.subscribe("renames", "rename.*", received)
    await bus.start()

    with pytest.raises(BusError, match="unroutable"):
        await bus.publish([Event("file.created", {"n": n}) for n in range(300)])
    routed = Event("rename.proposed", {})
    await bus.publish([routed])  # the publisher goes on after the error
    await bus.wait_idle()
    assert received.events == [routed]


async def test_a_nacked_event_is_a_bus_error(
    make_bus: BusFactory, prefix: str, raw: aio_pika.abc.AbstractChannel
) -> None:
    bus = make_bus()
    bus.subscribe("catalog", "file.*", Recorder())
    await bus.publish([Event("file.created", {})])  # declares the exchange
    full = await raw.declare_queue(
        f"{prefix}.full",
        auto_delete=True,
        arguments={"x-max-length": 0, "x-overflow": "reject-publish"},
    )
    await full.bind(prefix, "file.created")

    with pytest.raises(BusError, match="nacked"):
        await bus.publish([Event("file.created", {})])


async def close_connection_named(name: str) -> None:
    """Close this test's own broker connection from the server side."""
    listed = await rabbitmqctl(
        "list_connections", "pid", "client_properties", "-q", "--no-table-headers"
    )
    [connection] = [line.split("\t")[0] for line in listed.splitlines() if name in line]
    await rabbitmqctl("close_connection", connection, "tracktion test: broker went away")


# aiormq 6.9 leaves the socket of a connection the broker closed to the garbage collector
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_nothing_is_lost_when_the_connection_drops_mid_burst(
    make_bus: BusFactory, caplog: pytest.LogCaptureFixture
) -> None:
    name = f"tracktion-test-{uuid.uuid4().hex[:8]}"
    bus, received = make_bus(connection_name=name), Recorder()
    bus.subscribe("burst", "file.*", received)
    await bus.start()
    sent = [Event("file.created", {"n": n}) for n in range(5000)]
    caplog.set_level(logging.WARNING, logger="tracktion.adapters.bus.rabbitmq_connection")

    await bus.publish(sent[:1500])
    killer = asyncio.create_task(close_connection_named(name))
    published = 1500
    while not killer.done() and published < 4500:  # keep the burst going while it lands
        await bus.publish(sent[published : published + 25])
        published += 25
        await asyncio.sleep(0.02)
    await killer
    await bus.publish(sent[published:])  # at least 500 more after the drop
    await bus.wait_idle()

    assert "connection lost" in caplog.text
    assert {event.id for event in received.events} == {event.id for event in sent}


async def run_rabbitmqctl(*args: str) -> tuple[int, str]:
    """Run rabbitmqctl; its exit code and output (never skips)."""
    process = await asyncio.create_subprocess_exec(
        "rabbitmqctl", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode(errors="replace")


async def restart_broker_app() -> None:
    """``rabbitmqctl stop_app`` then ``start_app``; the broker is back when this returns."""
    try:
        code, out = await run_rabbitmqctl("stop_app")
        if code != 0:
            pytest.skip(f"rabbitmqctl stop_app not permitted here: {out[:200]}")
    finally:
        await run_rabbitmqctl("start_app")
        code, out = await run_rabbitmqctl("await_startup")
        assert code == 0, f"RabbitMQ did not come back: {out[:500]}"


# !!! RESTARTS THE WHOLE LOCAL RABBITMQ APPLICATION (stop_app/start_app, a few seconds): every
# client of this broker loses its connections. Set TRACKTION_TEST_SKIP_BROKER_RESTART=1 to skip.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_nothing_is_lost_when_the_broker_restarts_mid_burst(
    make_bus: BusFactory, caplog: pytest.LogCaptureFixture
) -> None:
    if os.environ.get("TRACKTION_TEST_SKIP_BROKER_RESTART"):
        pytest.skip("TRACKTION_TEST_SKIP_BROKER_RESTART is set")
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl not installed")
    bus, received = make_bus(reconnect_max_s=0.5), Recorder()
    bus.subscribe("restart", "file.*", received)
    await bus.start()
    sent = [Event("file.created", {"n": n}) for n in range(6000)]
    caplog.set_level(logging.WARNING, logger="tracktion.adapters.bus.rabbitmq_connection")

    async with asyncio.timeout(300):  # a hang guard, not a speed assert
        await bus.publish(sent[:1500])
        restart = asyncio.create_task(restart_broker_app())
        published = 1500
        while not restart.done() and published < 4500:  # the burst goes on through the outage
            await bus.publish(sent[published : published + 25])
            published += 25
            await asyncio.sleep(0.02)
        await restart
        during = published
        await bus.publish(sent[published:])  # at least 1,500 more once the broker is back
        await bus.wait_idle()

    assert "connection lost" in caplog.text
    assert during > 1500  # the restart landed while publishing
    assert {event.id for event in received.events} == {event.id for event in sent}
