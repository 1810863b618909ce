"""Housekeeping: forget what can no longer matter, hourly, in the process that runs the catalog.

Handled-event ids guard against a redelivered event being applied twice; redeliveries come
within minutes (the last retry waits 125 s), so ids are kept 30 days: only a parked message
retried by hand after that could be applied again. Workers not seen for a week are dropped from
the registry (``tracktion status`` lists the ones that matter); API jobs go after 30 days.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Final

from tracktion.core.errors import StorageError

if TYPE_CHECKING:
    from tracktion.core.ports import CatalogStore, JobStore, WorkerRegistry

HANDLED_KEPT_S: Final = 30 * 86_400.0
JOBS_KEPT_S: Final = 30 * 86_400.0
WORKERS_KEPT_S: Final = 7 * 86_400.0
INTERVAL_S: Final = 3_600.0
FIRST_AFTER_S: Final = 60.0
"""Short-lived commands (``tracks list``) end before the first round."""

logger = logging.getLogger(__name__)


async def tidy(store: CatalogStore, jobs: JobStore, workers: WorkerRegistry) -> int:
    """Forget old handled-event ids, old jobs and long-gone workers; returns how many rows."""
    return (
        await store.forget_handled(HANDLED_KEPT_S)
        + await jobs.forget(JOBS_KEPT_S)
        + await workers.forget(WORKERS_KEPT_S)
    )


class Housekeeping:
    """Runs :func:`tidy` a minute after start, then every :data:`INTERVAL_S`, until cancelled."""

    def __init__(
        self,
        store: CatalogStore,
        jobs: JobStore,
        workers: WorkerRegistry,
        *,
        first_after_s: float = FIRST_AFTER_S,
        interval_s: float = INTERVAL_S,
    ) -> None:
        self._store = store
        self._jobs = jobs
        self._workers = workers
        self._first_after_s = first_after_s
        self._interval_s = interval_s

    def start(self) -> asyncio.Task[None]:
        """The background task (cancel it to stop)."""
        return asyncio.create_task(self._run(), name="housekeeping")

    async def _run(self) -> None:
        await asyncio.sleep(self._first_after_s)
        while True:
            try:
                forgotten = await tidy(self._store, self._jobs, self._workers)
            except StorageError as exc:  # the database is away: next time
                logger.warning("housekeeping skipped: %s", exc)
            else:
                if forgotten:
                    logger.info("housekeeping forgot %d old row(s)", forgotten)
            await asyncio.sleep(self._interval_s)
