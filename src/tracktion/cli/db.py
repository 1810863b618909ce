"""Commands for the catalog database schema."""

from __future__ import annotations

import typer
from rich.console import Console

from tracktion.bootstrap import App
from tracktion.cli.common import (
    run_app,
)

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the catalog schema to the newest version."""

    async def work(application: App) -> tuple[str | None, str]:
        return await application.schema_state()

    current, head = run_app(work)
    Console().print(f"database at revision {current} (newest {head})", highlight=False)


@db_app.command("status")
def db_status() -> None:
    """Schema revision and track counts (changes nothing)."""

    async def work(application: App) -> tuple[tuple[str | None, str], dict[str, int] | None]:
        current, head = await application.schema_state()
        counts = await application.store.status_counts() if current is not None else None
        return (current, head), counts

    (current, head), counts = run_app(work, migrate=False)
    console = Console()
    if counts is None:
        console.print(f"no catalog yet (newest schema {head}): run `tracktion db upgrade`")
        return
    state = "up to date" if current == head else "needs `tracktion db upgrade`"
    console.print(f"schema revision {current} (newest {head}): {state}", highlight=False)
    console.print(", ".join(f"{status}: {count}" for status, count in counts.items()))
