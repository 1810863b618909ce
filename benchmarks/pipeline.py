"""End-to-end pipeline throughput: files/hour from scan to stored analysis rows.

What is measured (a table; nothing is asserted):

1. Library generation (not timed): ``--files`` tracks of ``--seconds`` s (clicks at a tempo
   of their own over a chord of their own, so every file has its own content hash), half
   16-bit WAV (stdlib ``wave``), half MP3 (PyAV's libmp3lame; WAV only when it is missing).
2. embedded: ``tracktion scan DIR`` on a fresh SQLite data dir, in-process bus,
   ``TRACKTION_ANALYSIS_WORKERS=1``; timed from the command's start (so including its process
   start) until it exits, which is after every analysis is stored; the analyses rows are then
   counted.
3. distributed, 1 and 2 analysis workers: a scratch PostgreSQL database and RabbitMQ vhost
   (created and deleted here), ``tracktion db upgrade``, ``tracktion worker catalog`` and N x
   ``tracktion worker analysis`` processes started and waited for (not timed), then
   ``tracktion scan --no-analysis DIR`` publishes; timed from the scan's start until the
   ``analyses`` table holds one row per file (polled every 0.25 s).

Every setup runs with ``TRACKTION_ANALYSIS_TAGS=false`` (no genre/mood CNN), so the three are
comparable. On a 2-core machine that also runs the broker and PostgreSQL, a second analysis
worker has little spare CPU to use.

Run from the repository root (needs rabbitmqctl and psql for the distributed setups)::

    .venv/bin/python benchmarks/pipeline.py [--files 60] [--seconds 30]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432] [--workdir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import av
import numpy as np
from rich.console import Console
from rich.table import Table

from machine import show_machine

if TYPE_CHECKING:
    from collections.abc import Iterator

RATE = 44_100
POLL_S = 0.25
STARTUP_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Result:
    """One setup's run."""

    setup: str
    files: int
    seconds: float

    @property
    def files_per_hour(self) -> float:
        """Throughput."""
        return self.files / self.seconds * 3600


def track(number: int, seconds: float) -> np.ndarray:
    """Mono float32 clicks at a tempo of their own over a triad of its own."""
    bpm = 84.0 + (number * 1.37) % 90.0
    root = 110.0 * 2 ** ((number % 12) / 12)
    t = np.arange(int(seconds * RATE), dtype=np.float64) / RATE
    chord = sum(np.sin(2 * np.pi * root * ratio * t) for ratio in (1.0, 1.26, 1.5)) * 0.12
    click = np.zeros_like(t)
    decay = np.exp(-np.arange(600) / 90.0) * 0.7
    for beat in np.arange(0.0, seconds, 60.0 / bpm):
        start = int(beat * RATE)
        piece = decay[: len(click) - start]
        click[start : start + len(piece)] += piece
    return np.clip(chord + click, -1.0, 1.0).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray) -> None:
    """16-bit mono WAV."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((samples * 32767).astype("<i2").tobytes())


def write_mp3(path: Path, samples: np.ndarray) -> None:
    """128 kb/s mono MP3 through PyAV."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libmp3lame", rate=RATE)
        stream.layout = "mono"
        stream.bit_rate = 128_000
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = RATE
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def make_library(folder: Path, files: int, seconds: float) -> None:
    """``files`` distinct tracks in ``folder``."""
    folder.mkdir(parents=True)
    mp3 = True
    try:
        av.codec.Codec("libmp3lame", "w")
    except av.codec.codec.UnknownCodecError:
        mp3 = False
    for number in range(files):
        samples = track(number, seconds)
        if mp3 and number % 2:
            write_mp3(folder / f"track {number:03d}.mp3", samples)
        else:
            write_wav(folder / f"track {number:03d}.wav", samples)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """A command, its output captured; raises on failure."""
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])}: exit {result.returncode}\n{result.stderr}")
    return result


def tracktion_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m tracktion ARGS`` in ``env``."""
    return run(*env_prefix(env), sys.executable, "-m", "tracktion", *args)


def env_prefix(env: dict[str, str]) -> list[str]:
    """``env K=V ...`` so the child gets exactly this environment on top of ours."""
    return ["env", *(f"{key}={value}" for key, value in env.items())]


def psql(database: str, sql: str) -> str:
    """One statement through psql, its unaligned output."""
    return run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atqc", sql).stdout


def embedded(music: Path, work: Path, files: int) -> Result:
    """``tracktion scan`` on SQLite with the in-process bus."""
    data = work / "embedded"
    env = {"TRACKTION_DATA_DIR": str(data), **COMMON_ENV}
    tracktion_cli(env, "db", "upgrade")
    started = time.perf_counter()
    tracktion_cli(env, "scan", str(music))
    elapsed = time.perf_counter() - started
    with contextlib.closing(sqlite3.connect(data / "tracktion.db")) as db:
        [(rows,)] = db.execute("SELECT count(*) FROM analyses").fetchall()
    if rows != files:
        raise RuntimeError(f"embedded: {rows} analyses for {files} files")
    return Result("embedded (SQLite, in-process bus, 1 analysis process)", files, elapsed)


@contextlib.contextmanager
def scratch_services(postgres: str) -> Iterator[tuple[str, dict[str, str]]]:
    """A PostgreSQL database and a RabbitMQ vhost of their own, deleted afterwards."""
    name = f"tracktion_bench_{uuid.uuid4().hex[:10]}"
    run("rabbitmqctl", "-q", "add_vhost", name)
    try:
        run("rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        psql("postgres", f'CREATE DATABASE "{name}"')
        try:
            yield (
                name,
                {
                    "TRACKTION_DATABASE_URL": f"{postgres}/{name}",
                    "TRACKTION_BUS_URL": f"amqp://guest:guest@127.0.0.1:5672/{name}",
                },
            )
        finally:
            psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        run("rabbitmqctl", "-q", "delete_vhost", name)


def distributed(music: Path, work: Path, files: int, workers: int, postgres: str) -> Result:
    """Catalog and ``workers`` analysis worker processes over PostgreSQL and RabbitMQ."""
    data = work / f"distributed-{workers}"
    data.mkdir()
    with scratch_services(postgres) as (database, urls):
        env = {"TRACKTION_DATA_DIR": str(data), **COMMON_ENV, **urls}
        tracktion_cli(env, "db", "upgrade")
        services = ["catalog"] + ["analysis"] * workers
        with worker_processes(env, services, data) as procs:
            wait_for_workers(env, procs, services)
            started = time.perf_counter()
            tracktion_cli(env, "scan", "--no-analysis", str(music))
            while int(psql(database, "SELECT count(*) FROM analyses")) < files:
                if any(proc.poll() is not None for proc in procs):
                    raise RuntimeError(f"a worker exited; see the logs in {data}")
                time.sleep(POLL_S)
            elapsed = time.perf_counter() - started
    label = f"distributed (PostgreSQL + RabbitMQ), {workers} analysis worker(s)"
    return Result(label, files, elapsed)


@contextlib.contextmanager
def worker_processes(
    env: dict[str, str], services: list[str], logs: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``tracktion worker SERVICE`` processes, stopped with SIGTERM afterwards."""
    procs: list[subprocess.Popen[bytes]] = []
    outputs: list[IO[bytes]] = []
    try:
        for number, service in enumerate(services):
            log = (logs / f"{service}-{number}.log").open("wb")
            outputs.append(log)
            command = [sys.executable, "-m", "tracktion", "worker", service]
            procs.append(
                subprocess.Popen(env_prefix(env) + command, stdout=log, stderr=subprocess.STDOUT)
            )
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in outputs:
            log.close()


def wait_for_workers(
    env: dict[str, str], procs: list[subprocess.Popen[bytes]], services: list[str]
) -> None:
    """Until ``tracktion status`` reports every worker alive (their start is not timed)."""
    wanted = sorted(services)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if any(proc.poll() is not None for proc in procs):
            raise RuntimeError("a worker exited while starting")
        status = json.loads(tracktion_cli(env, "status", "--json").stdout)
        alive = sorted(w["service"] for w in status.get("workers", []) if w.get("alive"))
        if alive == wanted:
            return
        time.sleep(POLL_S)
    raise RuntimeError(f"workers {wanted} not all alive after {STARTUP_TIMEOUT_S:g}s")


COMMON_ENV = {"TRACKTION_ANALYSIS_WORKERS": "1", "TRACKTION_ANALYSIS_TAGS": "false"}


def show(console: Console, results: list[Result], args: argparse.Namespace) -> None:
    """The machine, then the results."""
    show_machine(console)
    table = Table(
        title=f"Pipeline: {args.files} tracks of {args.seconds:g} s, scan -> analyses stored",
        title_justify="left",
    )
    for column in ("setup", "files", "seconds", "files/hour"):
        table.add_column(column, justify="left" if column == "setup" else "right")
    for result in results:
        table.add_row(
            result.setup,
            str(result.files),
            f"{result.seconds:.1f}",
            f"{result.files_per_hour:,.0f}",
        )
    console.print(table)


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each track")
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432")
    parser.add_argument("--workdir", type=Path, help="default: a temporary directory")
    parser.add_argument("--keep", action="store_true", help="keep the workdir")
    return parser.parse_args()


def main() -> None:
    """Generate the library, run the three setups, print the table."""
    args = parse_args()
    console = Console()
    if not console.is_terminal:
        console.width = 120
    work = Path(args.workdir or tempfile.mkdtemp(prefix="tracktion-pipeline-"))
    try:
        music = work / "Music"
        make_library(music, args.files, args.seconds)
        results = [embedded(music, work, args.files)]
        if shutil.which("rabbitmqctl") and shutil.which("psql"):
            for workers in (1, 2):
                results.append(distributed(music, work, args.files, workers, args.postgres))
        else:
            console.print("rabbitmqctl/psql missing: distributed setups skipped")
        show(console, results, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
