"""The distributed mode as an operator runs it: worker processes over PostgreSQL and RabbitMQ.

Each test gets its own PostgreSQL database and RabbitMQ virtual host, so nothing it does is
seen by anything else on the machine. Faults are real: ``kill -9`` of a worker, PostgreSQL
terminating the workers' connections.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import wave
from pathlib import Path
from typing import IO, Any

import numpy as np
import pytest

from .conftest import psql, run_command

pytestmark = pytest.mark.e2e

FILES = int(os.environ.get("TRACKTION_E2E_WORKER_FILES", "40"))
"""40 keeps the default run short; the issue's 500-file run: TRACKTION_E2E_WORKER_FILES=500."""


def _write_clicks(path: Path, bpm: float, seconds: float = 4.0, rate: int = 22050) -> None:
    samples = np.zeros(int(seconds * rate), dtype=np.float32)
    period = 60.0 / bpm
    click = np.hanning(400)[200:] * 0.8
    for beat in np.arange(0, seconds - 0.05, period):
        start = int(beat * rate)
        samples[start : start + click.size] = click
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * 32767).astype("<i2").tobytes())


class Cluster:
    """Worker processes sharing one environment."""

    def __init__(self, env: dict[str, str], data_dir: Path) -> None:
        self.env = {**os.environ, **env, "TRACKTION_DATA_DIR": str(data_dir)}
        self.logs = data_dir.parent
        self.procs: list[subprocess.Popen[bytes]] = []
        self.log_files: list[IO[bytes]] = []

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "tracktion", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=180,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"{args}: exit {result.returncode}\n{result.stderr}")
        return result

    def worker(self, service: str, *options: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{service}-{len(self.procs)}.log").open("wb")
        self.log_files.append(log)
        proc = subprocess.Popen(
            [sys.executable, "-m", "tracktion", "worker", service, *options],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def status(self) -> dict[str, Any]:
        return json.loads(self.cli("status", "--json").stdout)

    def stop(self) -> list[int | None]:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(timeout=60))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(None)
        for log in self.log_files:
            log.close()
        return codes


def _analysed(database: str) -> tuple[int, int]:
    rows = psql("SELECT count(*), count(DISTINCT sha256) FROM analyses", database)
    total, distinct = rows.split("|")
    return int(total), int(distinct)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _scrape(url: str) -> dict[str, float]:
    """Samples of a Prometheus text exposition: ``name{labels}`` -> value."""
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def _wait_for(predicate: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_worker_and_dropped_connections_lose_nothing(
    services: dict[str, str], tmp_path: Path
) -> None:
    music = tmp_path / "Music"
    music.mkdir()
    for n in range(FILES):
        _write_clicks(music / f"clicks {n:03d}.wav", bpm=90 + n * 0.25)
    database = services["VHOST"]
    cluster = Cluster(services, tmp_path / "data")
    cluster.cli("db", "upgrade")
    cluster.worker("catalog")
    analysis = cluster.worker("analysis")
    try:
        cluster.cli("scan", "--no-analysis", str(music))
        _wait_for(lambda: _analysed(database)[0] >= 3, 120, "the first analyses")
        analysis.send_signal(signal.SIGKILL)  # mid-run: it holds unacked messages
        analysis.wait(timeout=30)
        assert _analysed(database)[0] < FILES
        psql(  # PostgreSQL drops every worker connection; they must reconnect by themselves
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            f" WHERE datname = '{database}' AND pid <> pg_backend_pid()"
        )
        metrics_port = _free_port()
        cluster.worker("analysis", "--metrics-port", str(metrics_port))
        _wait_for(lambda: _analysed(database)[1] == FILES, 60 + FILES * 3, "every file analysed")
        metrics = _scrape(f"http://127.0.0.1:{metrics_port}/metrics")
        _wait_for(
            lambda: all(q["messages"] == 0 for q in cluster.status()["queues"]),
            60,
            "empty queues",
        )
        status = cluster.status()
        alive = {w["service"] for w in status["workers"] if w["alive"]}
        assert alive == {"catalog", "analysis"}
        assert status["outbox"]["pending"] == 0
        # the restarted worker's own metrics: what it analysed, and how long each file took
        analysed_here = metrics['tracktion_files_analysed_total{outcome="ok"}']
        assert 0 < analysed_here <= FILES
        assert metrics["tracktion_analysis_seconds_count"] == analysed_here
        assert (
            metrics[
                'tracktion_events_handled_total{subscription="analysis",type="catalog.track_updated"}'
            ]
            >= analysed_here
        )
    finally:
        codes = cluster.stop()
    assert _analysed(database) == (FILES, FILES)  # one row per content, no duplicates
    tracks = psql("SELECT count(*), count(DISTINCT path) FROM tracks", database)
    assert tracks == f"{FILES}|{FILES}"
    unacked = run_command(
        "rabbitmqctl", "-q", "list_queues", "-p", database, "name", "messages_unacknowledged"
    ).stdout
    counts = [line.split()[-1] for line in unacked.splitlines()[1:] if line.strip()]
    assert counts, unacked
    assert all(count == "0" for count in counts), unacked
    assert [codes[0], codes[2]] == [0, 0], "SIGTERM stops the catalog and analysis workers cleanly"
