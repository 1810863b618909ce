"""HTTP API throughput and latency: cached GETs against a real `tracktion api` server.

Starts `tracktion api` in a subprocess over a temporary data dir (the corpus scanned without
analysis, one user made with `tracktion user add`), then loads it over loopback from separate
processes with async httpx clients (keep-alive connections). The server runs uvicorn with
httptools and uvloop when they are installed (uvicorn[standard]). Prints req/s and p50/p99 per
endpoint, and the server's own CPU time per request (what one free core would sustain, whatever
else the machine is doing); asserts nothing. Targets (issue 6): >= 3,000 req/s cached and
p99 < 20 ms on 2 cores.

    .venv/bin/python benchmarks/api.py [--seconds 10] [--clients 1] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "corpus" / "tracks"
PASSWORD = "benchmark passphrase 123"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def tracktion(env: dict[str, str], *args: str, stdin: str = "") -> None:
    subprocess.run(
        [sys.executable, "-m", "tracktion", *args],
        input=stdin,
        text=True,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def start_server(root: Path) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    music = root / "Music"
    shutil.copytree(CORPUS, music)
    env = {
        **os.environ,
        "TRACKTION_DATA_DIR": str(root / "data"),
        "TRACKTION_RATE_LIMIT_PER_S": "1000000",
        "TRACKTION_RATE_LIMIT_BURST": "1000000",
    }
    tracktion(env, "scan", "--no-analysis", str(music))
    tracktion(env, "user", "add", "bench", "--role", "viewer", stdin=f"{PASSWORD}\n")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tracktion", "api", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return server, base, env
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the API server did not start")


async def _load(url: str, token: str, seconds: float, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=10
    ) as client:
        for _ in range(concurrency):  # warm the connections and the cache
            await client.get(url)
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


def _client(url: str, token: str, seconds: float, concurrency: int, out: Any) -> None:
    out.put(asyncio.run(_load(url, token, seconds, concurrency)))


def measure(url: str, token: str, seconds: float, clients: int, concurrency: int) -> list[Any]:
    """Latency samples (s), error count and throughput, from ``clients`` load processes."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [
        context.Process(target=_client, args=(url, token, seconds, concurrency, queue))
        for _ in range(clients)
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join(30)
    latencies = sorted(x for r in results for x in r["latencies"])
    errors = sum(r["errors"] for r in results)
    rate = sum(len(r["latencies"]) / r["elapsed"] for r in results)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return [len(latencies), rate, statistics.median(latencies) * 1000, p99 * 1000, errors]


async def asgi_costs(data_dir: Path, paths: list[str]) -> list[tuple[str, float]]:
    """CPU µs per request of the app alone (no HTTP server, no client), called as ASGI."""
    from tracktion.api.app import create_app
    from tracktion.bootstrap import bootstrap
    from tracktion.config import load_settings

    settings = load_settings(data_dir=data_dir, rate_limit_per_s=1e9, rate_limit_burst=10**9)
    container = await bootstrap(settings)
    try:
        api = create_app(container)
        user = (await container.users.list_users())[0]
        token, _ = api.state.api.codec.issue(user, "access")
        costs = []
        for target in paths:
            path, _, query = target.partition("?")
            scope = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": "GET",
                "scheme": "http",
                "path": path,
                "raw_path": path.encode(),
                "root_path": "",
                "query_string": query.encode(),
                "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())],
                "client": ("127.0.0.1", 50000),
                "server": ("127.0.0.1", 80),
            }

            async def receive() -> dict[str, Any]:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: dict[str, Any]) -> None:
                return None

            for _ in range(200):
                await api(dict(scope), receive, send)
            started, count = time.process_time(), 2000
            for _ in range(count):
                await api(dict(scope), receive, send)
            costs.append((target, (time.process_time() - started) / count * 1e6))
        return costs
    finally:
        await container.close()


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match[1]) * _WRK_UNITS[match[2]]


def measure_wrk(url: str, token: str, seconds: float, concurrency: int) -> list[Any]:
    """The same figures from wrk (C, one thread): the load generator costs little CPU."""
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{seconds:.0f}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    count = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return [
        count,
        rate,
        _wrk_ms(percentiles["50"]),
        _wrk_ms(percentiles["99"]),
        int(errors[1]) if errors else 0,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=1, help="load generator processes")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight each")
    parser.add_argument(
        "--load",
        choices=("auto", "wrk", "httpx"),
        default="auto",
        help="load generator: wrk when installed (Debian package), else async httpx processes",
    )
    args = parser.parse_args()
    use_wrk = args.load == "wrk" or (args.load == "auto" and shutil.which("wrk") is not None)
    with tempfile.TemporaryDirectory(prefix="tracktion-bench-api-") as tmp:
        server, base, _ = start_server(Path(tmp))
        try:
            token = httpx.post(
                f"{base}/api/v1/auth/token", data={"username": "bench", "password": PASSWORD}
            ).json()["access_token"]
            some = httpx.get(
                f"{base}/api/v1/tracks",
                params={"limit": 1},
                headers={"Authorization": f"Bearer {token}"},
            ).json()["items"][0]["id"]
            endpoints = {
                "GET /health (no auth, no cache)": f"{base}/health",
                "GET /api/v1/status (cached)": f"{base}/api/v1/status",
                "GET /api/v1/tracks/{id} (cached)": f"{base}/api/v1/tracks/{some}",
                "GET /api/v1/tracks?limit=50 (cached)": f"{base}/api/v1/tracks?limit=50",
                "GET /api/v1/search?q=night (cached)": f"{base}/api/v1/search?q=night",
            }
            table = Table(
                title=(
                    "API on 127.0.0.1, 1 uvicorn process; load: "
                    + ("wrk, 1 thread" if use_wrk else f"{args.clients} httpx process(es)")
                    + f" x {args.concurrency} in flight, {args.seconds:.0f} s each; "
                    f"{os.cpu_count()} cores"
                )
            )
            columns = (
                "endpoint",
                "requests",
                "req/s",
                "p50 ms",
                "p99 ms",
                "errors",
                "server CPU µs/req",
                "req/s per server core",
            )
            for column in columns:
                table.add_column(column, justify="left" if column == "endpoint" else "right")
            for name, url in endpoints.items():
                cpu_before = cpu_seconds(server.pid)
                if use_wrk:
                    count, rate, p50, p99, errors = measure_wrk(
                        url, token, args.seconds, args.concurrency
                    )
                else:
                    count, rate, p50, p99, errors = measure(
                        url, token, args.seconds, args.clients, args.concurrency
                    )
                per_request = (cpu_seconds(server.pid) - cpu_before) / max(1, count)
                table.add_row(
                    name,
                    str(count),
                    f"{rate:,.0f}",
                    f"{p50:.2f}",
                    f"{p99:.2f}",
                    str(errors),
                    f"{per_request * 1e6:,.0f}",
                    f"{1 / per_request:,.0f}" if per_request else "-",
                )
            Console().print(table)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        paths = [url.removeprefix(base) for url in endpoints.values()]
        costs = asyncio.run(asgi_costs(Path(tmp) / "data", paths))
        inner = Table(title="The app alone, called as ASGI in-process (no uvicorn, no client)")
        inner.add_column("path")
        inner.add_column("CPU µs/request", justify="right")
        inner.add_column("req/s per core", justify="right")
        for path, micros in costs:
            inner.add_row(path, f"{micros:,.0f}", f"{1e6 / micros:,.0f}")
        Console().print(inner)


if __name__ == "__main__":
    main()
