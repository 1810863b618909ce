"""Prefork: copies of a server process sharing one listening socket (``tracktion api
--workers N``).

The parent binds the socket, forks the children before any event loop or thread exists, and
then only supervises: SIGTERM/SIGINT are passed on to every child (each stops gracefully), and
a child that dies while the server is meant to run is replaced. The kernel spreads incoming
connections over the children's accept calls, so N processes use N cores.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

RESTART_PAUSE_S: Final = 1.0
"""Wait before replacing a child that died, so a child failing at start-up does not spin."""
STARTUP_S: Final = 10.0
"""A child that dies sooner than this after its start failed to start."""
FAILED_STARTS: Final = 3
"""Failed starts in a row after which the server gives up (the configuration is wrong)."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound, listening TCP socket children can inherit (IPv6 when ``host`` is one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Prefork:
    """Runs ``serve()`` in ``count`` forked children until told to stop."""

    def __init__(self, count: int, serve: Callable[[], int]) -> None:
        """``serve`` runs in a child and returns its exit code."""
        self._count = count
        self._serve = serve
        self._children: dict[int, float] = {}
        """pid -> when it was started (monotonic)."""
        self._stopping = False

    def run(self) -> int:
        """Fork the children, supervise them, return 0 when every one stopped cleanly."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for _ in range(self._count):
            self._fork()
        worst = 0
        failed_starts = 0
        while self._children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            started = self._children.pop(pid, None)
            if started is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            if self._stopping:
                worst = max(worst, abs(code))
                continue
            failed_starts = failed_starts + 1 if time.monotonic() - started < STARTUP_S else 0
            if failed_starts >= FAILED_STARTS:
                logger.error("API processes keep failing at start-up: stopping")
                self._stop(signal.SIGTERM, None)
                worst = max(1, abs(code))
                continue
            logger.warning("API process %d exited with %d: starting another", pid, code)
            time.sleep(RESTART_PAUSE_S)
            if not self._stopping:
                self._fork()
        return worst

    def _fork(self) -> None:
        pid = os.fork()
        if pid == 0:  # the child: default signal handling, then serve until told to stop
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 1
            try:
                code = self._serve()
            finally:
                os._exit(code)
        self._children[pid] = time.monotonic()

    def _stop(self, signum: int, _frame: object) -> None:
        self._stopping = True
        for pid in list(self._children):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                self._children.pop(pid, None)
