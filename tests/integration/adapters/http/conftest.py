"""A real HTTP server on 127.0.0.1 that plays the sites: pages, 429s, slowness, failures."""

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PAGE = (
    Path(__file__).parents[3]
    / "fixtures"
    / "tracklists"
    / "1001tracklists"
    / "bicep-nts-radio-2022-06-16.html"
).read_bytes()

ROBOTS = b"""\
User-agent: *
Disallow: /

User-agent: Tracktion
Disallow: /private/
"""


@dataclass
class Seen:
    """One request as the server saw it."""

    path: str
    at: float
    """time.monotonic() when the request arrived."""
    user_agent: str


@dataclass
class SiteState:
    """What the server saw and how it should behave; shared with the handler threads."""

    seen: list[Seen] = field(default_factory=list)
    robots_status: int = 200
    release_slow: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        with self.lock:
            return [request.path for request in self.seen]

    def count(self, path: str) -> int:
        return sum(1 for seen in self.paths() if urlsplit(seen).path == path)


class SiteHandler(BaseHTTPRequestHandler):
    server: "SiteServer"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            state.seen.append(Seen(self.path, time.monotonic(), self.headers["User-Agent"] or ""))
            calls = sum(1 for seen in state.seen if seen.path == self.path)
        path = urlsplit(self.path).path
        if path == "/robots.txt":
            if state.robots_status == 200:
                self.reply(200, ROBOTS, "text/plain")
            else:
                self.reply(state.robots_status, b"no", "text/plain")
        elif path in {"/page", "/private/page"}:
            self.reply(200, PAGE, "text/html; charset=utf-8", {"ETag": '"bicep"'})
        elif path == "/busy":
            if calls == 1:
                self.reply(429, b"slow down", "text/plain", {"Retry-After": "1"})
            else:
                self.reply(200, b"finally", "text/plain")
        elif path == "/always-busy":
            self.reply(429, b"slow down", "text/plain", {"Retry-After": "0"})
        elif path == "/slow":
            state.release_slow.wait(timeout=5)
            self.reply(200, b"too late", "text/plain")
        elif path == "/broken":
            self.reply(500, b"oops", "text/plain")
        elif path == "/away":
            self.reply(302, b"", "text/plain", {"Location": "https://evil.example/steal"})
        elif path == "/home":
            self.reply(301, b"", "text/plain", {"Location": "/page?from=home"})
        elif path == "/loop":
            self.reply(302, b"", "text/plain", {"Location": "/loop"})
        else:
            self.reply(404, b"not found", "text/plain")

    def reply(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(ConnectionError):  # the client gave up (read timeout)
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    state: SiteState

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up mid-answer is expected here (timeouts)."""


@dataclass
class Site:
    state: SiteState
    authority: str

    def url(self, path: str) -> str:
        return f"http://{self.authority}{path}"


@pytest.fixture
def site() -> Iterator[Site]:
    server = SiteServer(("127.0.0.1", 0), SiteHandler)
    server.state = SiteState()
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield Site(server.state, f"127.0.0.1:{server.server_address[1]}")
    finally:
        server.state.release_slow.set()
        server.shutdown()
        server.server_close()
        thread.join()
