"""pipeline_status: a broker that fails or hangs costs the queues only, and is closed."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from tracktion import pipeline_status as module
from tracktion.core.events import Event
from tracktion.core.workers import QueueStats, WorkerInfo, WorkerState
from tracktion.pipeline_status import pipeline_status

NOW = datetime.now(UTC)
WORKER = WorkerInfo("w1", "analysis", "host", 42, WorkerState.RUNNING, NOW, NOW, 7, True)


@dataclass
class Broker:
    behaviour: str
    closed: bool = False

    async def queues(self) -> list[QueueStats]:
        if self.behaviour == "fails":
            raise ConnectionRefusedError("nothing listens")
        if self.behaviour == "hangs":
            await asyncio.Event().wait()
        return [QueueStats("analysis", 3, 1, 0)]

    async def parked(self, subscription: str, limit: int = 100) -> list[Event]:
        return []

    async def retry_parked(self, subscription: str) -> int:
        return 0

    async def purge_parked(self, subscription: str) -> int:
        return 0

    async def close(self) -> None:
        self.closed = True


class Outbox:
    async def counts(self) -> dict[str, int]:
        return {"pending": 2, "sent": 5}


class Workers:
    async def workers(self, alive_within_s: float = 15.0) -> list[WorkerInfo]:
        return [WORKER]


@dataclass
class Source:
    broker: Broker | None
    outbox: Outbox = field(default_factory=Outbox)
    workers: Workers = field(default_factory=Workers)

    def bus_admin(self) -> Broker | None:
        return self.broker


@pytest.mark.parametrize(
    ("behaviour", "queues", "error"),
    [
        ("answers", [QueueStats("analysis", 3, 1, 0)], None),
        ("fails", None, "ConnectionRefusedError"),
        ("hangs", None, "TimeoutError"),
    ],
)
async def test_the_broker_only_ever_costs_the_queues(
    monkeypatch: pytest.MonkeyPatch, behaviour: str, queues: object, error: str | None
) -> None:
    monkeypatch.setattr(module, "QUEUES_TIMEOUT_S", 0.05)
    broker = Broker(behaviour)

    status = await pipeline_status(Source(broker))  # type: ignore[arg-type]

    assert (status.queues, status.queues_error) == (queues, error)
    assert status.outbox == {"pending": 2, "sent": 5}
    assert status.workers == [WORKER]
    assert broker.closed


async def test_no_queues_where_none_are_visible() -> None:
    status = await pipeline_status(Source(None))  # type: ignore[arg-type]

    assert (status.queues, status.queues_error) == (None, None)
