"""`tracktion api` as a user runs it: a real server process, a user made with `tracktion user
add` (password piped on stdin), a token over real HTTP on 127.0.0.1, then the tracks."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CORPUS = Path(__file__).parents[1] / "fixtures" / "corpus" / "tracks"
PASSWORD = "a long enough passphrase"

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    music = tmp_path / "Music"
    music.mkdir()
    for name in ("03. Night Circuit.m4a", "untitled (14).mp3"):
        shutil.copy(CORPUS / name, music / name)
    return {
        **os.environ,
        "TRACKTION_DATA_DIR": str(tmp_path / "data"),
        "TRACKTION_LIBRARY_ROOTS": f'["{music}"]',
    }


def tracktion(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "tracktion", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stderr}"
    return result


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tracktion", "api", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()[1]
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("the API did not come up")
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(30)


def test_a_user_signs_in_and_lists_tracks_over_http(
    env: dict[str, str], server: tuple[str, subprocess.Popen[str]]
) -> None:
    base, process = server
    music = env["TRACKTION_LIBRARY_ROOTS"][2:-2]
    tracktion(env, "scan", "--no-analysis", music)
    tracktion(env, "user", "add", "alice", "--role", "admin", stdin=f"{PASSWORD}\n")
    listed = tracktion(env, "user", "list", "--json")
    assert '"username": "alice"' in listed.stdout

    with httpx.Client(base_url=base, timeout=10) as client:
        denied = client.post(
            "/api/v1/auth/token", data={"username": "alice", "password": "wrong password!"}
        )
        tokens = client.post(
            "/api/v1/auth/token", data={"username": "alice", "password": PASSWORD}
        ).json()
        client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        page = client.get("/api/v1/tracks").json()
        ready = client.get("/ready")

    assert denied.status_code == 401
    assert tokens["token_type"] == "bearer"
    assert sorted(Path(track["path"]).name for track in page["items"]) == [
        "03. Night Circuit.m4a",
        "untitled (14).mp3",
    ]
    assert ready.status_code == 200

    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    assert PASSWORD not in process.communicate()[1]
