"""Commands for the HTTP API: ``api`` serves it, ``user ...`` manages its accounts."""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import re
import signal
import socket
import sys
import uuid
from datetime import UTC, datetime
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from tracktion.api.app import create_app
from tracktion.api.audit import audit
from tracktion.api.passwords import MAX_LENGTH, MIN_LENGTH, Passwords
from tracktion.api.schemas.users import USERNAME_PATTERN
from tracktion.api.tokens import codec_for
from tracktion.bootstrap import App
from tracktion.cli.common import (
    EXIT_ERROR,
    EXIT_NOT_FOUND,
    JsonOption,
    current_settings,
    err_console,
    print_json,
    run_app,
)
from tracktion.cli.prefork import Prefork, listening_socket
from tracktion.core.errors import TracktionError
from tracktion.core.users import Role, User

user_app = typer.Typer(help="API accounts.", no_args_is_help=True)
RoleOption = Annotated[Role, typer.Option("--role", help="admin, editor or viewer.")]
UsernameArgument = Annotated[str, typer.Argument(help="Username.")]


def api_server(application: App, host: str, port: int) -> uvicorn.Server:
    """A uvicorn server for the API over ``application`` (run it with ``await server.serve()``)."""
    config = uvicorn.Config(
        create_app(application),
        host=host,
        port=port,
        http="httptools" if _importable("httptools") else "auto",
        loop="uvloop" if _importable("uvloop") else "auto",
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)


def _importable(module: str) -> bool:
    """True when ``module`` can be imported (uvicorn's fast HTTP parser and event loop)."""
    return importlib.util.find_spec(module) is not None


def use_uvloop() -> None:
    """Run this process's next event loops on uvloop when it is installed (uvicorn[standard]).

    ``uvicorn.Config(loop=...)`` only applies to loops uvicorn creates itself; the API is
    served from the loop ``asyncio.run`` creates, so the policy is set before it.
    """
    if _importable("uvloop"):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def stop_on_signals(server: uvicorn.Server) -> None:
    """Ctrl+C and SIGTERM stop ``server`` gracefully (uvicorn re-raises them after it stops;
    they then land here again, harmlessly, instead of killing the process before cleanup)."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, setattr, server, "should_exit", True)


def api(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port.")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="API processes sharing the port (one per core); more than one needs a broker "
            "and a shared cache (TRACKTION_BUS_URL=amqp://..., TRACKTION_CACHE_URL=redis://...).",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API (docs at /docs) until Ctrl+C."""
    settings = current_settings()
    bind_host = host or settings.api_host
    bind_port = port or settings.api_port
    # Embedded (in-process bus): this process is the whole app. On a broker the workers consume.
    embedded = settings.in_process_bus
    if workers > 1 and (embedded or settings.in_process_cache):
        raise typer.BadParameter(
            "several API processes need a broker and a shared cache: with the in-process bus "
            "or the memory cache each would keep its own events and cached answers",
            param_hint="--workers",
        )
    use_uvloop()
    if workers == 1:
        _serve(bind_host, bind_port, None, embedded=embedded)
        return
    try:
        codec_for(settings)  # every process needs the same token secret: fail here, not N times
    except TracktionError as exc:
        err_console().print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_ERROR) from exc
    try:
        sock = listening_socket(bind_host, bind_port)
    except OSError as exc:
        err_console().print(f"[red]error:[/] {bind_host}:{bind_port}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_ERROR) from exc
    err_console().print(f"{workers} API processes share the port", highlight=False)
    code = Prefork(workers, lambda: _serve_child(bind_host, bind_port, sock)).run()
    raise typer.Exit(code)


def _serve(host: str, port: int, sock: socket.socket | None, *, embedded: bool) -> None:
    async def work(application: App) -> None:
        server = api_server(application, host, port)
        stop_on_signals(server)
        err_console().print(
            f"API on http://{host}:{port}/api/v1 (docs: /docs; Ctrl+C stops)", highlight=False
        )
        # Start-up objects (imported libraries, the app) never die: keep the collector from
        # walking them on every full collection, which otherwise stalls requests for ms.
        gc.collect()
        gc.freeze()
        await server.serve(sockets=[sock] if sock is not None else None)

    run_app(work, consume=None if embedded else (), api=True)


def _serve_child(host: str, port: int, sock: socket.socket) -> int:
    """One forked API process on the shared socket; returns its exit code."""
    try:
        _serve(host, port, sock, embedded=False)
    except typer.Exit as exc:
        return exc.exit_code
    return 0


def _user_view(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role.value,
        "created_at": user.created_at.isoformat(),
        "disabled": user.disabled,
    }


def _read_password() -> str:
    if sys.stdin.isatty():
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise typer.BadParameter(
            f"the password needs {MIN_LENGTH} to {MAX_LENGTH} characters", param_hint="password"
        )
    return password


@user_app.command("add")
def user_add(
    username: UsernameArgument, role: RoleOption = Role.VIEWER, as_json: JsonOption = False
) -> None:
    """Create an account; the password is prompted twice (or read from stdin when piped)."""
    if not re.match(USERNAME_PATTERN, username):
        raise typer.BadParameter("3-64 letters, digits, '.', '_' or '-'", param_hint="username")
    password_hash = Passwords().hash_sync(_read_password())
    user = User(str(uuid.uuid4()), username, password_hash, role, datetime.now(UTC))
    run_app(lambda application: application.users.add(user))
    audit("user_created", by="cli", user=username, role=role.value)
    if as_json:
        print_json(_user_view(user))
    else:
        Console().print(f"user {username} added ({role.value})", highlight=False)


@user_app.command("list")
def user_list(as_json: JsonOption = False) -> None:
    """Every account."""
    users = run_app(lambda application: application.users.list_users())
    if as_json:
        print_json([_user_view(user) for user in users])
        return
    table = Table("username", "role", "created", "disabled")
    for user in users:
        table.add_row(
            user.username,
            user.role.value,
            user.created_at.isoformat(timespec="seconds"),
            "yes" if user.disabled else "",
        )
    Console().print(table)


def _changed(user: User | None, username: str, what: str) -> None:
    if user is None:
        err_console().print(f"[red]not found:[/] no user {username!r}", highlight=False)
        raise typer.Exit(EXIT_NOT_FOUND)
    Console().print(f"user {username} {what}", highlight=False)


@user_app.command("set-role")
def user_set_role(
    username: UsernameArgument,
    role: Annotated[Role, typer.Argument(help="admin, editor or viewer.")],
) -> None:
    """Change an account's role (tokens already issued keep theirs until they expire)."""
    user = run_app(lambda application: application.users.set_role(username, role))
    _changed(user, username, f"is now {role.value}")
    audit("user_role_changed", by="cli", user=username, role=role.value)


@user_app.command("disable")
def user_disable(username: UsernameArgument) -> None:
    """Disable an account and revoke its refresh tokens."""
    user = run_app(lambda application: application.users.disable(username))
    _changed(user, username, "disabled")
    audit("user_disabled", by="cli", user=username)
