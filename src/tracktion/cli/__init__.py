"""The ``tracktion`` command line (typer): up, scan, analyze, tracks, duplicates, events, db."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracktion.cli import api, catalog, db, library, status, tracklists, worker
from tracktion.cli.common import current_settings, state
from tracktion.logs import configure_logging

app = typer.Typer(
    name="tracktion",
    help="Tracktion: watch, fingerprint, analyse and catalog a music library.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(catalog.tracks_app, name="tracks")
app.add_typer(db.db_app, name="db")
app.add_typer(status.dlq_app, name="dlq")
app.add_typer(tracklists.tracklist_app, name="tracklist")
app.add_typer(tracklists.cue_app, name="cue")
app.add_typer(api.user_app, name="user")
app.command()(library.scan)
app.command()(library.up)
app.command()(library.analyze)
app.command()(catalog.duplicates)
app.command()(catalog.events)
app.command()(status.status)
app.command()(worker.worker)
app.command()(tracklists.search)
app.command()(api.api)


@app.callback()
def _main(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Data directory (default: $TRACKTION_DATA_DIR)."),
    ] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True)] = 0,
    log_json: Annotated[bool, typer.Option("--log-json", help="Logs as JSON lines.")] = False,
) -> None:
    if data_dir is not None:
        state.overrides["data_dir"] = data_dir
    settings = current_settings()
    level = {0: settings.log_level, 1: "INFO"}.get(verbose, "DEBUG")
    configure_logging(level, json=log_json or settings.log_json)


def main() -> None:
    """Console-script entry point."""
    app()
