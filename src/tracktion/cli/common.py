"""Shared CLI plumbing: settings, JSON output, running the app, errors as exit codes."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Collection, Coroutine
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from tracktion.bootstrap import App, bootstrap
from tracktion.config import Settings, load_settings
from tracktion.core.errors import NotFoundError, ScanError, TracktionError

T = TypeVar("T")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")]
EXIT_SCAN_FAILED = 2
EXIT_NOT_FOUND = 3
EXIT_ERROR = 1


class _State:
    overrides: dict[str, Any]

    def __init__(self) -> None:
        self.overrides = {}


state = _State()


def current_settings() -> Settings:
    """Settings from the environment plus the global options."""
    return load_settings(**state.overrides)


def print_json(data: Any) -> None:
    """JSON to stdout; undecodable path bytes become ``\\udcXX`` escapes (valid JSON)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    sys.stdout.buffer.write(text.encode("utf-8", errors="backslashreplace"))
    sys.stdout.flush()


def print_json_line(data: Any) -> None:
    """One JSON object on one line (JSON Lines)."""
    text = json.dumps(data, ensure_ascii=False) + "\n"
    sys.stdout.buffer.write(text.encode("utf-8", errors="backslashreplace"))
    sys.stdout.flush()


def err_console() -> Console:
    """Console on stderr (progress, errors)."""
    return Console(stderr=True)


def run_app(
    work: Callable[[App], Awaitable[T]],
    *,
    migrate: bool = True,
    analysis: bool = False,
    consume: Collection[str] | None = None,
    api: bool = False,
) -> T:
    async def main() -> T:
        application = await bootstrap(
            current_settings(), migrate=migrate, analysis=analysis, consume=consume, api=api
        )
        try:
            return await work(application)
        finally:
            await application.close()

    return run_coroutine(main())


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coroutine)
    except NotFoundError as exc:
        err_console().print(f"[red]not found:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_NOT_FOUND) from exc
    except ScanError as exc:
        err_console().print(f"[red]scan failed:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_SCAN_FAILED) from exc
    except TracktionError as exc:
        err_console().print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_ERROR) from exc
