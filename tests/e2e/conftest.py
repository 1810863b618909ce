"""Distributed-mode environments for the e2e tests: a private PostgreSQL database and RabbitMQ
virtual host per test, so nothing a test does is seen by anything else on the machine."""

import shutil
import subprocess
import uuid
from collections.abc import Iterator

import pytest

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432"


def run_command(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a program, capturing its output (never raises on failure)."""
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


def psql(sql: str, database: str = "test") -> str:
    """One SQL statement through psql; its unaligned output."""
    result = run_command("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atqc", sql)
    if result.returncode != 0:
        raise AssertionError(result.stderr)
    return result.stdout.strip()


@pytest.fixture
def services() -> Iterator[dict[str, str]]:
    """Environment for a private database and vhost (skips when a server is missing)."""
    if shutil.which("rabbitmqctl") is None or shutil.which("psql") is None:
        pytest.skip("distributed mode: rabbitmqctl/psql not installed")
    name = f"tracktion_e2e_{uuid.uuid4().hex[:10]}"
    if run_command("rabbitmqctl", "-q", "add_vhost", name).returncode != 0:
        pytest.skip("distributed mode: RabbitMQ is not running")
    run_command("rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        psql(f'CREATE DATABASE "{name}"')
    except AssertionError as exc:
        run_command("rabbitmqctl", "-q", "delete_vhost", name)
        pytest.skip(f"distributed mode: PostgreSQL is not reachable ({exc})")
    try:
        yield {
            "TRACKTION_DATABASE_URL": f"{POSTGRES}/{name}",
            "TRACKTION_BUS_URL": f"amqp://guest:guest@127.0.0.1:5672/{name}",
            "TRACKTION_ANALYSIS_WORKERS": "1",
            "TRACKTION_ANALYSIS_TAGS": "false",
            "VHOST": name,
        }
    finally:
        run_command("rabbitmqctl", "-q", "delete_vhost", name)
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
