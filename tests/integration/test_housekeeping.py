"""Housekeeping on a real catalog database: old handled-event ids and long-gone workers go."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tracktion.adapters.db.catalog_store import SqlCatalogStore
from tracktion.adapters.db.engine import create_engine, upgrade
from tracktion.adapters.db.job_store import SqlJobStore
from tracktion.adapters.db.worker_registry import SqlWorkerRegistry
from tracktion.core.changes import HistoryAction, RecordObservation
from tracktion.core.models import FileObservation, FileStat, Fingerprint
from tracktion.core.workers import WorkerState
from tracktion.housekeeping import Housekeeping

pytestmark = pytest.mark.integration


async def test_housekeeping_forgets_what_can_no_longer_matter(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}")
    await upgrade(engine)
    long_ago = datetime.now(UTC) - timedelta(days=40)
    old_store = SqlCatalogStore(engine, clock=lambda: long_ago)
    observation = FileObservation(FileStat("/m/a.mp3", 1, 1, 1), Fingerprint("a" * 64, "a" * 32, 1))
    await old_store.apply(
        "catalog", [RecordObservation("old", HistoryAction.DISCOVERED, observation)]
    )
    old_registry = SqlWorkerRegistry(engine, clock=lambda: long_ago)
    gone = await old_registry.register("analysis", "old-host", 1)
    registry = SqlWorkerRegistry(engine)
    alive = await registry.register("analysis", "host", 2)
    await registry.beat(alive, 0, WorkerState.RUNNING)
    store = SqlCatalogStore(engine)

    task = Housekeeping(
        store, SqlJobStore(engine), registry, first_after_s=0, interval_s=3600
    ).start()
    try:
        for _ in range(100):
            if [w.id for w in await registry.workers()] == [alive]:
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
    remaining = [w.id for w in await registry.workers()]
    async with engine.connect() as conn:
        handled = (await conn.execute(text("SELECT count(*) FROM handled_events"))).scalar_one()
    await engine.dispose()

    assert remaining == [alive]
    assert gone != alive
    assert handled == 0
