"""Bulk writes on PostgreSQL: first-scan catalog inserts and audit-trail appends, in rows/s.

What is measured (figures are printed; nothing is asserted):

1. Catalog: ``--tracks`` new tracks written through ``SqlCatalogStore.apply`` in calls of
   ``--batch`` changes (the in-process bus hands the catalog up to 500 file events at a time), so
   each call inserts that many ``tracks``, ``track_history`` and ``handled_events`` rows in one
   transaction. Without an announcer, so the outbox is not written.
2. The same with an announcer producing one event per track, as the catalog service does (each
   call also writes as many ``outbox`` rows).
3. Audit trail: ``--tracks`` events appended through ``SqlEventStore.append`` in calls of
   ``--batch``.

Every figure is the best of ``--repeats`` runs; before each run the tables are emptied and the
stores made afresh. The runs use a scratch database created on the server of ``--url`` and
dropped afterwards. The server runs on the same machine, so client and server share its cores.

Run from the repository root::

    .venv/bin/python benchmarks/db_bulk.py [--url postgresql+asyncpg://postgres@127.0.0.1/test]
        [--tracks 50000] [--batch 500] [--repeats 3] [--no-copy]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.engine import make_url

from machine import show_machine
from tracktion.adapters.db import bulk_insert
from tracktion.adapters.db.catalog_store import SqlCatalogStore
from tracktion.adapters.db.engine import create_engine, upgrade
from tracktion.adapters.db.event_store import SqlEventStore
from tracktion.core.changes import HistoryAction, RecordObservation
from tracktion.core.events import Event
from tracktion.core.ids import new_event_id
from tracktion.core.models import (
    AudioFormat,
    AudioProperties,
    DuplicateGroup,
    FileObservation,
    FileStat,
    Fingerprint,
    Tags,
    Track,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

TABLES = "tracks, track_history, handled_events, artist_names, outbox, events"


def make_changes(count: int, offset: int) -> list[RecordObservation]:
    """Discoveries of ``count`` distinct tagged files (unique paths and hashes)."""
    changes = []
    for n in range(offset, offset + count):
        artist = f"Artist {n % 997:03d}"
        observation = FileObservation(
            FileStat(f"/music/{artist}/Album {n // 12:05d}/{n:07d} - Track.flac", 31_457_280, n, n),
            Fingerprint(f"{n:064x}", f"{n:032x}", 31_457_280),
            AudioFormat.FLAC,
            Tags(
                title=f"Track {n}",
                artist=artist,
                artists=(artist,),
                album=f"Album {n // 12:05d}",
                track_number=n % 12 + 1,
                year=2000 + n % 25,
                genre="Techno",
                tagged_bpm=120.0 + n % 20,
            ),
            AudioProperties(codec="flac", duration_s=300.5, sample_rate=44_100, channels=2),
        )
        changes.append(RecordObservation(new_event_id(), HistoryAction.DISCOVERED, observation))
    return changes


def announce_each(tracks: Sequence[Track], groups: Sequence[DuplicateGroup]) -> list[Event]:
    """One event per touched track, like the catalog service's announcer."""
    return [Event("catalog.track_updated", {"track_id": t.id, "path": t.path}) for t in tracks]


def make_events(count: int) -> list[Event]:
    """Realistic file events (a path and two hashes in the payload)."""
    return [
        Event(
            "file.created",
            {"path": f"/music/{n:07d}.flac", "sha256": f"{n:064x}", "xxh128": f"{n:032x}"},
        )
        for n in range(count)
    ]


def batches(items: Sequence[object], size: int) -> list[Sequence[object]]:
    """``items`` cut into calls of ``size``."""
    return [items[start : start + size] for start in range(0, len(items), size)]


async def admin(url: str, statement: str) -> None:
    """Run a statement outside a transaction (CREATE/DROP DATABASE)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def timed_round(engine: AsyncEngine, plan: Callable[..., list[Any]]) -> float:
    """Seconds to make every call of ``plan`` in turn, on emptied tables, with fresh stores."""
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    calls = plan(SqlCatalogStore(engine), SqlEventStore(engine))
    started = time.perf_counter()
    for call in calls:
        await call()
    return time.perf_counter() - started


async def measure(engine: AsyncEngine, args: argparse.Namespace) -> list[tuple[str, float]]:
    """(label, best rows/s) of each measurement."""
    chunks = batches(make_changes(args.tracks, 0), args.batch)
    event_chunks = batches(make_events(args.tracks), args.batch)

    def catalog(store: SqlCatalogStore, _: SqlEventStore) -> list[Any]:
        return [lambda c=c: store.apply("bench", c) for c in chunks]

    def with_outbox(store: SqlCatalogStore, _: SqlEventStore) -> list[Any]:
        return [lambda c=c: store.apply("bench", c, announce_each) for c in chunks]

    def audit(_: SqlCatalogStore, events: SqlEventStore) -> list[Any]:
        return [lambda c=c: events.append(c) for c in event_chunks]

    figures = []
    for label, plan in (
        ("catalog apply (tracks + history + handled)", catalog),
        ("catalog apply + outbox (one event per track)", with_outbox),
        ("audit trail append (events)", audit),
    ):
        best = min([await timed_round(engine, plan) for _ in range(args.repeats)])
        figures.append((label, args.tracks / best))
    return figures


async def run(args: argparse.Namespace) -> tuple[str, list[tuple[str, float]]]:
    """Create the scratch database, measure, drop it."""
    name = f"tracktion_bench_{uuid.uuid4().hex[:10]}"
    url = make_url(args.url).set(database=name).render_as_string(hide_password=False)
    await admin(args.url, f'CREATE DATABASE "{name}"')
    try:
        engine = create_engine(url)
        try:
            await upgrade(engine)
            async with engine.connect() as conn:
                version = str((await conn.execute(text("SHOW server_version"))).scalar_one())
            return f"PostgreSQL {version}", await measure(engine, args)
        finally:
            await engine.dispose()
    finally:
        await admin(args.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--tracks", type=int, default=50_000, help="rows per run")
    parser.add_argument("--batch", type=int, default=500, help="changes or events per call")
    parser.add_argument("--repeats", type=int, default=3, help="runs; the best is reported")
    parser.add_argument(
        "--no-copy", action="store_true", help="executemany only, never COPY (for comparison)"
    )
    return parser.parse_args()


def main() -> None:
    """Run the measurements and print the tables."""
    args = parse_args()
    if args.no_copy:
        bulk_insert.copies = lambda conn, count, min_rows=0: False
    console = Console()
    if not console.is_terminal:
        console.width = 120
    server, figures = asyncio.run(run(args))
    show_machine(console, {"server": server})
    table = Table(
        title=f"PostgreSQL bulk writes ({'executemany only' if args.no_copy else 'COPY'}): "
        f"{args.tracks:,} rows in calls of {args.batch:,}, best of {args.repeats}",
        title_justify="left",
    )
    table.add_column("measurement")
    table.add_column("rows/s", justify="right")
    for label, rate in figures:
        table.add_row(label, f"{rate:,.0f}")
    console.print(table)


if __name__ == "__main__":
    main()
