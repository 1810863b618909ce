"""`tracktion api --workers 2` over PostgreSQL, RabbitMQ and Redis: two processes share the port,
one killed is replaced while the API keeps answering, SIGTERM stops them all cleanly."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import run_command
from .test_api_server import PASSWORD, free_port, tracktion

pytestmark = pytest.mark.e2e
REDIS_DB = "13"
"""The Redis database these tests flush for themselves."""


def children(pid: int) -> set[int]:
    """Live child processes of ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def wait_until(predicate: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def env(services: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    if run_command("redis-cli", "-n", REDIS_DB, "flushdb").returncode != 0:
        pytest.skip("Redis is not running")
    environment = {
        **os.environ,
        **services,
        "TRACKTION_CACHE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "TRACKTION_DATA_DIR": str(tmp_path / "data"),
        "TRACKTION_JWT_SECRET": "e2e-api-workers-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    }
    tracktion(environment, "db", "upgrade")
    tracktion(environment, "user", "add", "vera", "--role", "viewer", stdin=PASSWORD + "\n")
    yield environment
    run_command("redis-cli", "-n", REDIS_DB, "flushdb")


def test_two_api_processes_share_a_port_and_replace_a_dead_one(env: dict[str, str]) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "tracktion", "api", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: len(children(server.pid)) == 2, 30, "two API processes")

        def up() -> bool:
            try:
                return httpx.get(f"{base}/health", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(up, 60, "the API")
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "vera", "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        first = children(server.pid)
        victim = min(first)

        os.kill(victim, signal.SIGKILL)
        answers = [httpx.get(f"{base}/api/v1/status", headers=headers).status_code]
        wait_until(
            lambda: len(children(server.pid)) == 2 and victim not in children(server.pid),
            30,
            "a replacement process",
        )
        wait_until(up, 30, "the API after the replacement")
        answers += [
            httpx.get(f"{base}/api/v1/status", headers=headers).status_code for _ in range(20)
        ]
        replaced = children(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            _, stderr = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
            raise
        code = server.returncode

    assert answers == [200] * 21, stderr
    assert len(replaced - first) == 1, stderr
    assert code == 0, stderr
    assert children(server.pid) == set()
    assert PASSWORD not in stderr


def api_that_refuses(env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    """`tracktion api --workers 2` expected to stop at once (it fails the test by hanging)."""
    return subprocess.run(
        [sys.executable, "-m", "tracktion", "api", "--workers", "2", *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_missing_shared_secret_stops_before_any_process_starts(env: dict[str, str]) -> None:
    environment = {key: value for key, value in env.items() if key != "TRACKTION_JWT_SECRET"}

    result = api_that_refuses(environment, "--port", str(free_port()))

    assert result.returncode == 1
    assert "TRACKTION_JWT_SECRET" in result.stderr
    assert "processes share the port" not in result.stderr


def test_several_processes_need_a_broker_and_a_shared_cache(tmp_path: Path) -> None:
    environment = {**os.environ, "TRACKTION_DATA_DIR": str(tmp_path / "data")}

    result = api_that_refuses(environment)

    assert result.returncode == 2
    assert "--workers" in result.stderr
