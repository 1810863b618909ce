"""Search benchmark: latency and typo hit rates of SqlSearchIndex on SQLite and PostgreSQL.

What is measured (every figure is printed next to its target; nothing is asserted):

1. Data generation (not timed): ``--tracks`` synthetic tracks (default 100k) by ``--artists``
   artists (default 3,000) and ``--tracklists`` tracklists (default 10k). Names are made from
   word lists: "First Last" DJ names, "Adjective Noun" and "The ... s" bands, one-word aliases
   from syllables; titles of 1-4 words from a 600-word vocabulary, some with "(X Remix)".
   Rows go straight into the migrated catalog's tables (one executemany per 5,000 rows), so
   the database triggers build the FTS5 tables / artist names as they would in use.
2. Latency of ``search()`` (all kinds, limit 10) for ``--queries`` queries per kind, after a
   warm-up: exact (a whole artist name or track title), prefix (the first 3-6 letters of an
   artist name) and one-edit typos (a random letter of an artist name substituted, deleted or
   inserted; typos that spell another artist's name are skipped). p50 and p95 in ms of wall
   time, and on SQLite (the database runs in this process) also of this process's CPU time,
   which other load on the machine inflates far less than wall time.
3. Typo hit rates: for each typo'd artist name, is the right artist the first artist hit
   (top-1) or among the first five (top-5)? Also with all kinds mixed: is the first hit the
   artist or one of their tracks?

Backends: SQLite in a temporary file, and PostgreSQL in a scratch database created and dropped
on the server of ``--postgres`` (skipped with a note when it cannot be reached).

Run from the repository root::

    .venv/bin/python benchmarks/search.py [--tracks 100000] [--artists 3000]
        [--tracklists 10000] [--queries 300] [--postgres URL] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import shutil
import sqlite3
import string
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from machine import show_machine
from report import Row, Section, figure, show_section, verdict
from tracktion.adapters.db.engine import create_engine, upgrade
from tracktion.adapters.db.schema import tracklists, tracks
from tracktion.adapters.db.search_index import SqlSearchIndex
from tracktion.core.ids import new_id
from tracktion.core.search import SearchKind, SearchQuery
from tracktion.core.text import fold

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


P95_TARGET_MS = 10.0
TOP1_TARGET = 95.0
"""percent"""
BATCH = 5_000
WARMUP = 30
SCRATCH_DATABASE = "tracktion_bench_search"

FIRST_NAMES = _words(
    "Carl Adam Richie Sven Laurent Nina Charlotte Ben Amelie Dixon Maceo Joris Tale Peggy "
    "Jeff Derrick Kevin Juan Robert Blake Floating Jon Marco Dave Oscar Paula Sasha John "
    "Danny Pete Ricardo Seth Nicole Anja Ellen Helena Len Kerri Ame Henrik Mano Rodriguez "
    "Fritz Paul Chris Andrea Enrico Sonja Tom Moritz Vince Marcel Lena Ida Felix Hugo Ivan "
    "Joe Kai Lars Mia Noah Olga Quentin Rosa Theo Uma Vera Wim Xavier Yuki Zoe Alma Bruno "
    "Clara Dora Emil Frida Gil"
)
SYLLABLES = _words(
    "ka lo mir va ne dos tru bel fen gar hol ix jun kor lum mo nar os pel quin ras sol tem "
    "ur vex wol yan zer ba ce di fo gu ha ji ku la me ni po ri sa te vo wi xa yo zu an el "
    "on"
)
ADJECTIVES = _words(
    "Neon Silent Golden Black Electric Velvet Broken Hidden Lunar Solar Crystal Frozen Wild "
    "Deep Dark Blue Red Green Purple Liquid Digital Analog Cosmic Urban Secret Lost Burning "
    "Falling Rising Endless Hollow Magnetic Quiet Savage Sweet Bitter Distant Twin Glass "
    "Iron"
)
NOUNS = _words(
    "Fox Wolf River Machine Garden Echo Signal Harbor Mirror Forest Engine Tiger Circuit "
    "Dream Shadow Temple Ocean Desert Canyon Falcon Raven Comet Planet Pilot Ghost Rebel "
    "Dancer Monk Wave Storm Flame Stone Cloud Arrow Crown Knight Lion Panther Orchid Lotus"
)
TITLE_WORDS = tuple(
    sorted(
        {
            *(w.lower() for w in ADJECTIVES + NOUNS),
            *_words(
                "love night day light heart fire time world dance feel move body soul mind sky "
                "city home road dream rain sun moon star gold blue way life room floor sound "
                "music rhythm bass drum kick acid house techno groove funk jack trip loop phase "
                "tunnel mirror system control power energy motion pulse beat voice call answer"
            ),
            *(a + b for a in SYLLABLES[:20] for b in SYLLABLES[20:45]),
        }
    )
)

EVENTS = (
    "Essential Mix",
    "Boiler Room",
    "Live at Space",
    "Cocoon Heroes",
    "Awakenings",
    "Time Warp",
    "Sonar by Night",
    "Fabric Live",
    "Resident Advisor Podcast",
    "Dekmantel",
    "Movement",
    "Circoloco",
    "Berghain Closing",
    "Tomorrowland Mainstage",
    "Radio 1 Residency",
)


# --- data -----------------------------------------------------------------------------------


def syllable_word(rng: random.Random, low: int = 2, high: int = 3) -> str:
    """A made-up name word: ``"Korvexan"``."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(low, high))).capitalize()


def artist_name(rng: random.Random) -> str:
    """One artist name in one of the common shapes."""
    shape = rng.random()
    if shape < 0.45:
        return f"{rng.choice(FIRST_NAMES)} {syllable_word(rng)}"
    if shape < 0.65:
        return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    if shape < 0.75:
        return f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}s"
    if shape < 0.85:
        return f"{syllable_word(rng)} & {syllable_word(rng)}"
    return syllable_word(rng, 2, 4)


def make_artists(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct artist names (distinct once folded)."""
    names: dict[str, str] = {}
    while len(names) < count:
        name = artist_name(rng)
        names.setdefault(fold(name) or "", name)
    return list(names.values())


def make_title(rng: random.Random, artists: Sequence[str]) -> str:
    """A track title, sometimes with a remix credit."""
    title = " ".join(rng.choice(TITLE_WORDS) for _ in range(rng.randint(1, 4))).title()
    if rng.random() < 0.2:
        title += f" ({rng.choice(artists)} Remix)"
    return title


def track_rows(rng: random.Random, artists: Sequence[str], count: int) -> list[dict[str, Any]]:
    """``tracks`` rows; artists get a long-tailed number of tracks."""
    now = datetime.now(UTC)
    weights = [1.0 / (rank + 10) for rank in range(len(artists))]
    chosen = rng.choices(artists, weights, k=count)
    rows = []
    for number, artist in enumerate(chosen):
        title = make_title(rng, artists)
        album = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
        genre = rng.choice(("Techno", "House", "Electro", "Ambient", "Drum & Bass", "Disco"))
        path = f"/music/{artist}/{album}/{number:06d} {title}.flac"
        rows.append(
            {
                "id": new_id(),
                "path": path,
                "path_bytes": os.fsencode(path),
                "status": "ok",
                "format": "flac",
                "title": title,
                "artist": artist,
                "artists": [artist],
                "album": album,
                "genre": genre,
                "year": rng.randint(1985, 2025),
                "title_key": fold(title),
                "artist_key": fold(artist),
                "album_key": fold(album),
                "genre_key": fold(genre),
                "first_seen_at": now,
                "updated_at": now,
            }
        )
    return rows


def tracklist_rows(rng: random.Random, artists: Sequence[str], count: int) -> list[dict[str, Any]]:
    """``tracklists`` rows (no entries: search looks at title and DJs)."""
    now = datetime.now(UTC)
    rows = []
    for number in range(count):
        djs = rng.sample(list(artists), rng.choice((1, 1, 1, 2)))
        year = rng.randint(1995, 2025)
        title = f"{rng.choice(EVENTS)} {year}"
        rows.append(
            {
                "id": new_id(),
                "title": title,
                "djs": djs,
                "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "source": f"https://www.mixesdb.com/w/{number}",
                "source_kind": "mixesdb",
                "styles": ["Techno"],
                "title_key": fold(title),
                "djs_key": fold(" / ".join(djs)),
                "styles_key": "techno",
                "imported_at": now,
                "updated_at": now,
            }
        )
    return rows


async def load(engine: AsyncEngine, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows in batches, one transaction each."""
    for start in range(0, len(rows), BATCH):
        async with engine.begin() as conn:
            await conn.execute(insert(table), rows[start : start + BATCH])


def one_edit(rng: random.Random, name: str) -> str:
    """``name`` with one letter substituted, deleted or inserted (never a space)."""
    positions = [i for i, char in enumerate(name) if char.isalpha()]
    position = rng.choice(positions)
    letter = rng.choice(string.ascii_lowercase)
    edit = rng.choice(("substitute", "delete", "insert"))
    if edit == "substitute":
        while letter == name[position].lower():
            letter = rng.choice(string.ascii_lowercase)
        return name[:position] + letter + name[position + 1 :]
    if edit == "delete":
        return name[:position] + name[position + 1 :]
    return name[:position] + letter + name[position:]


# --- measuring ------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def latencies(
    index: SqlSearchIndex, queries: Sequence[str]
) -> tuple[list[float], list[float]]:
    """Wall time and this process's CPU time of each search (all kinds, limit 10), in ms.

    On SQLite the database runs in this process, so its CPU time is the work a query costs
    whatever else the machine is doing; wall time also counts waiting for a core."""
    wall, cpu = [], []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        await index.search(SearchQuery(query, limit=10))
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def latency_rows(label: str, times: tuple[list[float], list[float]], cpu: bool) -> list[Row]:
    """p50 and p95 rows (wall p95 against the target), plus CPU time when it means something."""
    wall, used = times
    p95 = percentile(wall, 0.95)
    rows = [
        Row(f"{label}: p50", percentile(wall, 0.50), "ms"),
        Row(f"{label}: p95", p95, "ms", f"< {P95_TARGET_MS:g}", p95 < P95_TARGET_MS),
    ]
    if cpu:
        rows += [
            Row(f"{label}: CPU p50", percentile(used, 0.50), "ms"),
            Row(f"{label}: CPU p95", percentile(used, 0.95), "ms"),
        ]
    return rows


async def hit_rates(
    index: SqlSearchIndex, typos: Sequence[tuple[str, str]]
) -> tuple[float, float, float]:
    """Percent of typo'd names whose artist is first / in the top 5 artist hits, and percent
    whose first hit of a mixed search is the artist or one of their tracks."""
    top1 = top5 = mixed = 0
    only_artists = frozenset({SearchKind.ARTIST})
    for typo, artist in typos:
        found = await index.search(SearchQuery(typo, kinds=only_artists, limit=5))
        names = [hit.label for hit in found.hits]
        top1 += bool(names) and names[0] == artist
        top5 += artist in names
        first = (await index.search(SearchQuery(typo, limit=1))).hits
        mixed += bool(first) and (
            first[0].label == artist or first[0].fields.get("artist") == artist
        )
    count = max(1, len(typos))
    return 100 * top1 / count, 100 * top5 / count, 100 * mixed / count


async def bench_backend(name: str, url: str, args: argparse.Namespace, console: Console) -> Section:
    """Load the data into a fresh catalog at ``url`` and measure it."""
    rng = random.Random(args.seed)
    artists = make_artists(rng, args.artists)
    titles_rows = track_rows(rng, artists, args.tracks)
    mixes = tracklist_rows(rng, artists, args.tracklists)
    engine = create_engine(url)
    try:
        await upgrade(engine)
        started = time.perf_counter()
        await load(engine, tracks, titles_rows)
        await load(engine, tracklists, mixes)
        if engine.dialect.name == "postgresql":
            async with engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE"))
        loaded_s = time.perf_counter() - started
        console.print(f"{name}: loaded {len(titles_rows):,} tracks in {loaded_s:.1f} s")
        index = SqlSearchIndex(engine)
        used = sorted({row["artist"] for row in titles_rows})
        folded = {fold(artist) for artist in used}
        exact = [
            rng.choice(used) if i % 2 else rng.choice(titles_rows)["title"]
            for i in range(args.queries)
        ]
        prefixes = [rng.choice(used)[: rng.randint(3, 6)] for _ in range(args.queries)]
        typos: list[tuple[str, str]] = []
        while len(typos) < args.queries:
            artist = rng.choice(used)
            typo = one_edit(rng, artist)
            if fold(typo) not in folded:
                typos.append((typo, artist))
        await latencies(index, [q for q, _ in typos[:WARMUP]] + exact[:WARMUP])
        rows = [Row("load (tracks + tracklists, with triggers)", loaded_s, "s")]
        cpu = engine.dialect.name == "sqlite"
        rows += latency_rows("exact", await latencies(index, exact), cpu)
        rows += latency_rows("prefix", await latencies(index, prefixes), cpu)
        typo_times = await latencies(index, [q for q, _ in typos])
        rows += latency_rows("one-edit typo", typo_times, cpu)
        top1, top5, mixed = await hit_rates(index, typos)
        rows += [
            Row(
                "typo'd artist: right artist first",
                top1,
                "%",
                f">= {TOP1_TARGET:g}",
                top1 >= TOP1_TARGET,
            ),
            Row("typo'd artist: right artist in top 5", top5, "%"),
            Row("typo'd artist, all kinds: first hit is the artist or theirs", mixed, "%"),
        ]
    finally:
        await engine.dispose()
    title = (
        f"{name}: {len(titles_rows):,} tracks, {len(used):,} artists, {len(mixes):,} tracklists,"
        f" {args.queries} queries per kind"
    )
    return Section(title, rows)


async def admin(url: str, statement: str) -> None:
    """Run one statement outside a transaction on the PostgreSQL server."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def run_all(args: argparse.Namespace, console: Console) -> list[Section]:
    """SQLite in a temporary folder, then PostgreSQL in a scratch database."""
    sections = []
    work = Path(tempfile.mkdtemp(prefix="tracktion-bench-search-"))
    try:
        url = f"sqlite+aiosqlite:///{work / 'catalog.db'}"
        sections.append(await bench_backend("SQLite (FTS5 trigram)", url, args, console))
        show_section(console, sections[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    scratch = make_url(args.postgres).set(database=SCRATCH_DATABASE)
    scratch_url = scratch.render_as_string(hide_password=False)
    try:
        await admin(args.postgres, f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)')
        await admin(args.postgres, f'CREATE DATABASE "{SCRATCH_DATABASE}"')
    except OSError as exc:
        console.print(f"[yellow]PostgreSQL skipped: {args.postgres} not reachable ({exc})[/]")
        return sections
    try:
        section = await bench_backend("PostgreSQL (pg_trgm + tsvector)", scratch_url, args, console)
        sections.append(section)
        show_section(console, section)
    finally:
        await admin(args.postgres, f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)')
    return sections


# --- output ---------------------------------------------------------------------------------


def markdown_summary(sections: list[Section]) -> str:
    """Every row, as a markdown table for the README."""
    lines = [
        "| backend | measurement | figure | target | met |",
        "| --- | --- | ---: | --- | --- |",
    ]
    for section in sections:
        name = section.title.split(":", 1)[0]
        for row in section.rows:
            value = f"{figure(row.value)} {row.unit}".strip()
            target = f"{row.target} {row.unit}".strip() if row.target else ""
            lines.append(f"| {name} | {row.label} | {value} | {target} | {verdict(row.met)} |")
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--artists", type=int, default=3_000)
    parser.add_argument("--tracklists", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300, help="queries per kind")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TRACKTION_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
        ),
        help="server (any database on it) where the scratch database is created",
    )
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def main() -> None:
    """Run the benchmark on each backend and print the tables and the README summary."""
    args = parse_args()
    console = Console()
    if not console.is_terminal:
        console.width = 120
    show_machine(console, {"SQLite": sqlite3.sqlite_version})
    sections = asyncio.run(run_all(args, console))
    print("\nREADME summary (markdown, paste into benchmarks/README.md):\n")
    print(markdown_summary(sections))


if __name__ == "__main__":
    main()
