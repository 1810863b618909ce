"""Event bus throughput: RabbitMQ durable publish+confirm, RabbitMQ consume, in-process bus.

What is measured (every figure is printed next to its target; nothing is asserted):

1. Durable publish: ``RabbitMqBus.publish`` of ``--events`` events in batches of ``--batch``
   (each call returns when the broker has confirmed its batch), into one durable queue with no
   consumer, persistent messages. Best of ``--repeats``.
2. Consume: the queue filled by (1) drained by a started RabbitMqBus whose handler does
   nothing (batches acked after the handler returns), until ``wait_idle`` returns.
3. In-process: ``InProcessBus`` publish of the same events in the same batches to one
   subscription with a do-nothing handler, until ``wait_idle`` returns (publish + consume).

Each run uses its own exchange and queue prefix, deleted afterwards. The broker runs on the
same machine, so client and broker share its cores.

Run from the repository root::

    .venv/bin/python benchmarks/bus.py [--url amqp://guest:guest@127.0.0.1:5672/]
        [--events 50000] [--batch 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from typing import TYPE_CHECKING

import aio_pika
from rich.console import Console

from machine import show_machine
from report import Row, Section, show_section
from tracktion.adapters.bus.inprocess import InProcessBus
from tracktion.adapters.bus.rabbitmq import RabbitMqBus
from tracktion.core.events import Event

if TYPE_CHECKING:
    from collections.abc import Sequence

DURABLE_PUBLISH_TARGET = 10_000.0
"""msg/s"""
IN_PROCESS_TARGET = 100_000.0
"""msg/s"""


async def nothing(events: Sequence[Event]) -> None:
    """A handler that does nothing."""


def make_events(count: int) -> list[Event]:
    """Realistic file events (a path and two hashes in the payload)."""
    return [
        Event(
            "file.created",
            {
                "path": f"/music/Artist {n % 97:02d}/Album/{n:06d}.flac",
                "sha256": "ab" * 32,
                "xxh128": "cd" * 16,
                "size": 31_457_280 + n,
            },
        )
        for n in range(count)
    ]


def batches(events: list[Event], size: int) -> list[list[Event]]:
    """``events`` cut into publish calls of ``size``."""
    return [events[start : start + size] for start in range(0, len(events), size)]


async def publish_all(bus: RabbitMqBus | InProcessBus, chunks: list[list[Event]]) -> None:
    """One publish call per chunk, each awaited (as an outbox relay does)."""
    for chunk in chunks:
        await bus.publish(chunk)


async def rabbitmq_round(url: str, events: list[Event], batch: int) -> tuple[float, float]:
    """(publish s, consume s) of one round with its own exchange and queues."""
    prefix = f"tracktion_bench_{uuid.uuid4().hex[:10]}"
    publisher = RabbitMqBus(url, exchange=prefix, queue_prefix=prefix)
    consumer = RabbitMqBus(url, exchange=prefix, queue_prefix=prefix)
    try:
        publisher.subscribe("bench", "file.*", nothing)
        await publisher.publish(events[:1])  # connect and declare outside the timing
        chunks = batches(events[1:], batch)
        started = time.perf_counter()
        await publish_all(publisher, chunks)
        publish_s = time.perf_counter() - started
        consumer.subscribe("bench", "file.*", nothing)
        started = time.perf_counter()
        await consumer.start()
        await consumer.wait_idle()
        consume_s = time.perf_counter() - started
    finally:
        await consumer.close()
        await publisher.close()
        async with publisher.admin() as admin:
            await admin.delete_subscription("bench")
            await admin.delete_exchange()
    return publish_s, consume_s


async def in_process_round(events: list[Event], batch: int) -> float:
    """Seconds to publish ``events`` through an InProcessBus and have them handled."""
    bus = InProcessBus()
    bus.subscribe("bench", "file.*", nothing)
    await bus.start()
    chunks = batches(events, batch)
    started = time.perf_counter()
    await publish_all(bus, chunks)
    await bus.wait_idle()
    elapsed = time.perf_counter() - started
    await bus.close()
    return elapsed


async def broker_version(url: str) -> str:
    """The broker's product and version, from its connection properties."""
    connection = await aio_pika.connect(url, timeout=5)
    async with connection:
        underlay = connection.transport.connection if connection.transport else None
        properties = underlay.server_properties if underlay else {}
        return f"{properties.get('product', '?')} {properties.get('version', '?')}"


async def run(args: argparse.Namespace) -> tuple[str, list[Row]]:
    """Every measurement, best of ``repeats``."""
    events = make_events(args.events)
    version = await broker_version(args.url)
    publish, consume, local = [], [], []
    for _ in range(args.repeats):
        publish_s, consume_s = await rabbitmq_round(args.url, events, args.batch)
        publish.append((len(events) - 1) / publish_s)
        consume.append((len(events) - 1) / consume_s)
        local.append(len(events) / await in_process_round(events, args.batch))
    rows = [
        Row(
            f"RabbitMQ durable publish+confirm ({args.batch:,}/call)",
            max(publish),
            "msg/s",
            f">= {DURABLE_PUBLISH_TARGET:,.0f}",
            max(publish) >= DURABLE_PUBLISH_TARGET,
        ),
        Row("RabbitMQ durable publish+confirm, worst run", min(publish), "msg/s"),
        Row("RabbitMQ consume (handler does nothing)", max(consume), "msg/s"),
        Row("RabbitMQ consume, worst run", min(consume), "msg/s"),
        Row(
            f"in-process publish+consume ({args.batch:,}/call)",
            max(local),
            "msg/s",
            f">= {IN_PROCESS_TARGET:,.0f}",
            max(local) >= IN_PROCESS_TARGET,
        ),
    ]
    return version, rows


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default="amqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--events", type=int, default=50_000, help="events per run")
    parser.add_argument("--batch", type=int, default=1_000, help="events per publish call")
    parser.add_argument("--repeats", type=int, default=3, help="runs; the best is reported")
    return parser.parse_args()


def main() -> None:
    """Run the measurements and print the tables."""
    args = parse_args()
    console = Console()
    if not console.is_terminal:
        console.width = 120
    broker, rows = asyncio.run(run(args))
    show_machine(console, {"broker": broker, "aio-pika": aio_pika.__version__})
    show_section(
        console, Section(f"Event bus: {args.events:,} events, best of {args.repeats}", rows)
    )


if __name__ == "__main__":
    main()
