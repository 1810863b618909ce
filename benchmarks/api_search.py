"""Search over HTTP at 100k tracks: `GET /api/v1/search` latency for queries never seen before.

Builds a catalog of synthetic tracks and tracklists (the generator of `search.py`) in a
temporary data dir, starts `tracktion api` on it, then sends every query once (so none is
served from the API's cache) from ``http.client`` connections, a few requests in flight. Prints
p50/p95 of the round trip and of the server's own `took_ms` per kind of query; asserts nothing.
Target (issue 6): search endpoint p95 < 15 ms at 100k tracks.

    .venv/bin/python benchmarks/api_search.py [--tracks 100000] [--queries 300]
        [--in-flight 4] [--workers 2]

``--workers N`` serves with N API processes (``tracktion api --workers N``); they need a broker
and a shared cache, so the script makes a private RabbitMQ vhost and uses Redis database 12.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from rich.console import Console
from rich.table import Table

from api import PASSWORD, free_port, tracktion
from search import load, make_artists, one_edit, track_rows, tracklist_rows
from tracktion.adapters.db.engine import create_engine
from tracktion.adapters.db.schema import tracklists, tracks
from tracktion.core.text import fold

if TYPE_CHECKING:
    from collections.abc import Iterator


async def fill(
    database: Path, track_count: int, artist_count: int, seed: int
) -> list[dict[str, Any]]:
    """Load the synthetic catalog; returns the track rows (for building queries)."""
    rng = random.Random(seed)
    artists = make_artists(rng, artist_count)
    rows = track_rows(rng, artists, track_count)
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await load(engine, tracks, rows)
        await load(engine, tracklists, tracklist_rows(rng, artists, track_count // 10))
    finally:
        await engine.dispose()
    return rows


def queries(rows: list[dict[str, Any]], count: int, seed: int) -> dict[str, list[str]]:
    """Distinct exact, prefix and one-edit-typo queries."""
    rng = random.Random(seed + 1)
    artists = sorted({row["artist"] for row in rows})
    folded = {fold(a) for a in artists}
    kinds: dict[str, set[str]] = {"exact": set(), "prefix": set(), "one-edit typo": set()}
    while len(kinds["exact"]) < count:
        kinds["exact"].add(rng.choice(artists) if rng.random() < 0.5 else rng.choice(rows)["title"])
    while len(kinds["prefix"]) < min(count, len(artists)):
        kinds["prefix"].add(rng.choice(artists)[: rng.randint(3, 7)])
    while len(kinds["one-edit typo"]) < count:
        typo = one_edit(rng, rng.choice(artists))
        if fold(typo) not in folded:
            kinds["one-edit typo"].add(typo)
    return {kind: sorted(found) for kind, found in kinds.items()}


def run(base: str, token: str, texts: list[str], in_flight: int) -> tuple[list[float], list[float]]:
    """Round-trip and server-side milliseconds of each query, sent once each.

    Each request in flight is a thread with its own keep-alive connection (``http.client``: a
    lean client, so the round trip is the endpoint's, not the load generator's).
    """
    trips: list[float] = []
    server: list[float] = []
    pending = list(texts)
    host, port = base.removeprefix("http://").split(":")
    headers = {"Authorization": f"Bearer {token}"}

    def worker() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            while True:
                try:
                    text = pending.pop()
                except IndexError:
                    return
                path = "/api/v1/search?" + urllib.parse.urlencode({"q": text, "limit": 20})
                started = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                trips.append((time.perf_counter() - started) * 1000)
                if response.status != 200:
                    raise SystemExit(f"{path}: HTTP {response.status}: {body[:200]!r}")
                server.append(float(json.loads(body)["took_ms"] or 0.0))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(in_flight)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return trips, server


@contextmanager
def shared_backends(workers: int) -> Iterator[dict[str, str]]:
    """Settings for several API processes: a private RabbitMQ vhost, Redis database 12."""
    if workers == 1:
        yield {}
        return
    vhost = f"tracktion_bench_{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
        check=True,
    )
    subprocess.run(["redis-cli", "-n", "12", "flushdb"], check=True, capture_output=True)
    try:
        yield {
            "TRACKTION_BUS_URL": f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
            "TRACKTION_CACHE_URL": "redis://127.0.0.1:6379/12",
            "TRACKTION_JWT_SECRET": f"benchmark-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        }
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], check=False)
        subprocess.run(["redis-cli", "-n", "12", "flushdb"], check=False, capture_output=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--artists", type=int, default=3_000)
    parser.add_argument("--queries", type=int, default=300, help="distinct queries per kind")
    parser.add_argument("--in-flight", type=int, default=1, help="requests in flight")
    parser.add_argument("--workers", type=int, default=1, help="API processes")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    console = Console()
    with (
        tempfile.TemporaryDirectory(prefix="tracktion-bench-api-search-") as tmp,
        shared_backends(args.workers) as backends,
    ):
        root = Path(tmp)
        env = {
            **os.environ,
            **backends,
            "TRACKTION_DATA_DIR": str(root / "data"),
            "TRACKTION_RATE_LIMIT_PER_S": "1000000",
            "TRACKTION_RATE_LIMIT_BURST": "1000000",
        }
        tracktion(env, "db", "upgrade")
        started = time.perf_counter()
        rows = asyncio.run(
            fill(root / "data" / "tracktion.db", args.tracks, args.artists, args.seed)
        )
        console.print(f"loaded {len(rows):,} tracks in {time.perf_counter() - started:.1f} s")
        tracktion(env, "user", "add", "bench", "--role", "viewer", stdin=f"{PASSWORD}\n")
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tracktion",
                "api",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the API server did not start") from None
                    time.sleep(0.2)
            token = httpx.post(
                f"{base}/api/v1/auth/token", data={"username": "bench", "password": PASSWORD}
            ).json()["access_token"]
            table = Table(
                title=(
                    f"GET /api/v1/search, {len(rows):,} tracks, SQLite, every query sent once "
                    f"(no cache hits), {args.in_flight} in flight, {args.workers} API process(es)"
                )
            )
            for column in (
                "queries",
                "count",
                "p50 ms",
                "p95 ms",
                "server p50 ms",
                "server p95 ms",
                "target",
            ):
                table.add_column(column, justify="left" if column == "queries" else "right")
            batches = queries(rows, args.queries, args.seed)
            warm = queries(rows, 30, args.seed + 100)  # other texts: fills every process's caches
            run(base, token, [t for ts in warm.values() for t in ts], args.in_flight)
            for kind, texts in batches.items():
                trips, server_ms = run(base, token, texts, args.in_flight)
                table.add_row(
                    kind,
                    str(len(trips)),
                    f"{percentile(trips, 0.5):.2f}",
                    f"{percentile(trips, 0.95):.2f}",
                    f"{percentile(server_ms, 0.5):.2f}",
                    f"{percentile(server_ms, 0.95):.2f}",
                    "p95 < 15 ms",
                )
            console.print(table)
            console.print(f"load average at the end: {os.getloadavg()}")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)


if __name__ == "__main__":
    main()
