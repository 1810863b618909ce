"""``tracktion worker <service>``: one service as its own process (the distributed mode)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from prometheus_client import start_http_server
from rich.console import Console

from tracktion.bootstrap import App
from tracktion.cli.common import EXIT_ERROR, err_console, run_app
from tracktion.cli.library import stop_on_signals, watch
from tracktion.core.errors import ConfigurationError, StorageError
from tracktion.core.workers import ALIVE_WITHIN_S, HEARTBEAT_S, WorkerState

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

logger = logging.getLogger(__name__)


class Service(StrEnum):
    """What a worker process runs."""

    WATCHER = "watcher"
    CATALOG = "catalog"
    ANALYSIS = "analysis"


def worker(
    service: Annotated[Service, typer.Argument(help="watcher, catalog or analysis.")],
    paths: Annotated[
        list[str] | None, typer.Argument(help="Music folders (the watcher only).")
    ] = None,
    backfill: Annotated[
        bool,
        typer.Option(help="analysis: first queue present tracks lacking a current analysis."),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help=f"Run nothing: exit 0 if a SERVICE worker beat in the last {ALIVE_WITHIN_S:g} s.",
        ),
    ] = False,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Serve this worker's Prometheus metrics (events handled, files analysed, "
            "analysis time) on this port.",
        ),
    ] = None,
    metrics_host: Annotated[
        str, typer.Option(help="Address of --metrics-port (0.0.0.0 in a container).")
    ] = "127.0.0.1",
) -> None:
    """Run SERVICE until SIGTERM/SIGINT, then finish or requeue in-flight work and stop."""
    if check:
        _check(service)
        return
    if service == Service.WATCHER and not paths:
        err_console().print("[red]error:[/] the watcher needs at least one music folder")
        raise typer.Exit(EXIT_ERROR)

    async def work(application: App) -> None:
        exporter = _serve_metrics(application, metrics_port, metrics_host)
        try:
            await _run(application, service, list(paths or ()), backfill=backfill)
        finally:
            if exporter is not None:
                exporter.shutdown()
                exporter.server_close()

    consume: tuple[str, ...] = () if service == Service.WATCHER else (service.value,)
    run_app(work, analysis=service == Service.ANALYSIS, consume=consume)


async def _run(application: App, service: Service, paths: list[str], *, backfill: bool) -> None:
    worker_id = await application.workers.register(service.value, socket.gethostname(), os.getpid())
    heartbeat = asyncio.create_task(_heartbeat(application, worker_id), name="heartbeat")
    err_console().print(f"{service.value} worker {worker_id[-12:]} started", highlight=False)
    try:
        if service == Service.WATCHER:
            await watch(application, paths, backfill=False)
        else:
            if backfill and application.analysis is not None:
                await application.analysis.backfill()
            await stop_on_signals().wait()
        await application.workers.beat(
            worker_id, application.metrics.handled_total, WorkerState.STOPPING
        )
        err_console().print("stopping: finishing in-flight work", highlight=False)
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat
    # App.close() (run_app) then stops consuming, lets running handlers finish and ack;
    # the broker requeues whatever was prefetched but not handled.
    await application.workers.beat(
        worker_id, application.metrics.handled_total, WorkerState.STOPPED
    )


def _serve_metrics(application: App, port: int | None, host: str) -> WSGIServer | None:
    """Serve the worker's metrics over HTTP on ``host:port`` (None: not asked for)."""
    if port is None:
        return None
    try:
        server, _ = start_http_server(port, host, registry=application.metrics.registry)
    except OSError as exc:
        raise ConfigurationError(f"--metrics-port {port} on {host}: {exc.strerror or exc}") from exc
    err_console().print(f"metrics on http://{host}:{port}/metrics", highlight=False)
    return server


def _check(service: Service) -> None:
    """Exit 0 when a SERVICE worker has beaten within ``ALIVE_WITHIN_S`` (container probes)."""

    async def work(application: App) -> int:
        workers = await application.workers.workers(ALIVE_WITHIN_S)
        return sum(1 for w in workers if w.service == service.value and w.alive)

    alive = run_app(work, migrate=False, consume=())
    Console().print(f"{service.value}: {alive} worker(s) alive", highlight=False)
    if not alive:
        raise typer.Exit(EXIT_ERROR)


async def _heartbeat(application: App, worker_id: str) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        try:
            await application.workers.beat(
                worker_id, application.metrics.handled_total, WorkerState.RUNNING
            )
        except StorageError as exc:
            logger.warning("heartbeat not recorded: %s", exc)
