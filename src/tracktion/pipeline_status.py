"""PipelineStatus: queues, outbox and workers at a glance (``tracktion status``, ``GET
/api/v1/status`` and the queue gauges of ``/metrics`` read the same thing)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from tracktion.core.ports import BusAdmin, Outbox, WorkerRegistry
    from tracktion.core.workers import QueueStats, WorkerInfo

QUEUES_TIMEOUT_S: Final = 2.0
"""How long the broker may take to report its queues before the status goes without them."""

logger = logging.getLogger(__name__)


class StatusSource(Protocol):
    """What the status is read from (``bootstrap.App`` and the API's container)."""

    @property
    def outbox(self) -> Outbox:
        """Events waiting to be published."""

    @property
    def workers(self) -> WorkerRegistry:
        """Worker heartbeats."""

    def bus_admin(self) -> BusAdmin | None:
        """Queue statistics (None when this process sees no queue)."""


@dataclass(frozen=True, slots=True)
class PipelineStatus:
    """The pipeline now."""

    queues: list[QueueStats] | None
    """Per subscription; None when no queue is visible here (or the broker did not answer)."""
    queues_error: str | None
    """Why the broker's queues are missing (the exception's kind), when they are."""
    outbox: dict[str, int]
    """``{"pending": n, "sent": m}``."""
    workers: list[WorkerInfo]
    """Every registered worker, newest first."""


async def pipeline_status(source: StatusSource) -> PipelineStatus:
    """Read queues, outbox and workers; a broker that fails or hangs only loses the queues."""
    queues, queues_error = await _queues(source.bus_admin())
    return PipelineStatus(
        queues=queues,
        queues_error=queues_error,
        outbox=await source.outbox.counts(),
        workers=await source.workers.workers(),
    )


async def _queues(admin: BusAdmin | None) -> tuple[list[QueueStats] | None, str | None]:
    if admin is None:
        return None, None
    try:
        return await asyncio.wait_for(admin.queues(), QUEUES_TIMEOUT_S), None
    except Exception as exc:  # the rest of the status still answers without the broker
        logger.warning("queue statistics failed: %s", exc)
        return None, type(exc).__name__
    finally:
        await admin.close()
