"""``tracktion status`` (the pipeline at a glance) and ``tracktion dlq`` (parked messages)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tracktion.bootstrap import SUBSCRIPTIONS, App
from tracktion.cli.common import EXIT_ERROR, JsonOption, err_console, print_json, run_app
from tracktion.core.errors import ConfigurationError
from tracktion.core.ports import BusAdmin
from tracktion.pipeline_status import pipeline_status

RATE_WINDOW_S = 300
dlq_app = typer.Typer(help="Parked (dead-lettered) messages on the broker.", no_args_is_help=True)


def status(as_json: JsonOption = False) -> None:
    """Queues and their depths, consumers, parked messages, outbox, workers alive, rates."""

    async def work(application: App) -> dict[str, Any]:
        pipeline = await pipeline_status(application)
        return {
            "backends": application.backends(),
            "queues": None
            if pipeline.queues is None
            else [
                {
                    "queue": q.name,
                    "messages": q.messages,
                    "consumers": q.consumers,
                    "retrying": q.retrying,
                    "parked": q.parked,
                }
                for q in pipeline.queues
            ],
            "queues_error": pipeline.queues_error,
            "outbox": pipeline.outbox,
            "workers": [
                {
                    "id": w.id,
                    "service": w.service,
                    "host": w.host,
                    "pid": w.pid,
                    "state": w.state.value,
                    "alive": w.alive,
                    "processed": w.processed,
                    "last_seen_at": w.last_seen_at.isoformat(),
                }
                for w in pipeline.workers
            ],
            "tracks": await application.store.status_counts(),
            "events_per_minute": await _rates(application),
        }

    report = run_app(work, consume=())
    if as_json:
        print_json(report)
        return
    _print(Console(), report)


async def _rates(application: App) -> dict[str, float]:
    """Events per minute by family (file, catalog, analysis...) over the last five minutes."""
    since = datetime.now(UTC) - timedelta(seconds=RATE_WINDOW_S)
    counts: Counter[str] = Counter()
    for event in await application.events.recent(20_000):
        if event.occurred_at < since:
            break
        counts[event.type.split(".")[0]] += 1
    return {family: round(n * 60 / RATE_WINDOW_S, 1) for family, n in sorted(counts.items())}


def _print(console: Console, report: dict[str, Any]) -> None:
    backends = report["backends"]
    console.print(
        f"database {backends['database']} · bus {backends['bus']} · cache {backends['cache']}",
        highlight=False,
    )
    if report["queues_error"] is not None:
        console.print(f"[red]queues: the broker did not answer ({report['queues_error']})[/]")
    elif report["queues"] is None:
        console.print("queues: in-process bus (nothing is queued between processes)")
    else:
        table = Table("queue", "ready", "consumers", "retrying", "parked", title="queues")
        for q in report["queues"]:
            table.add_row(
                q["queue"],
                str(q["messages"]),
                str(q["consumers"]),
                str(q["retrying"]),
                f"[red]{q['parked']}[/]" if q["parked"] else "0",
            )
        console.print(table)
    outbox = report["outbox"]
    console.print(f"outbox: {outbox['pending']} pending, {outbox['sent']} sent (kept a day)")
    workers = Table("worker", "service", "host:pid", "state", "alive", "processed", title="workers")
    for w in report["workers"]:
        workers.add_row(
            w["id"][-12:],
            w["service"],
            f"{w['host']}:{w['pid']}",
            w["state"],
            "yes" if w["alive"] else "[red]no[/]",
            str(w["processed"]),
        )
    console.print(workers if report["workers"] else "workers: none registered")
    tracks = ", ".join(f"{n} {status}" for status, n in report["tracks"].items())
    console.print(f"tracks: {tracks}", highlight=False)
    rates = ", ".join(
        f"{family} {rate}/min" for family, rate in report["events_per_minute"].items()
    )
    console.print(f"events (last 5 min): {rates or 'none'}", highlight=False)


SubscriptionArg = Annotated[str, typer.Argument(help=f"One of: {', '.join(SUBSCRIPTIONS)}.")]


@dlq_app.command("list")
def dlq_list(
    subscription: SubscriptionArg,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    as_json: JsonOption = False,
) -> None:
    """Show parked events of a subscription (they stay parked)."""

    async def work(admin: BusAdmin) -> list[dict[str, Any]]:
        return [event.to_dict() for event in await admin.parked(subscription, limit)]

    parked = _with_admin(subscription, work)
    if as_json:
        print_json(parked)
        return
    table = Table("event", "type", "occurred", title=f"parked in {subscription}")
    for event in parked:
        table.add_row(event["id"], event["type"], event["occurred_at"])
    Console().print(table)


@dlq_app.command("retry")
def dlq_retry(subscription: SubscriptionArg) -> None:
    """Move a subscription's parked events back to its queue (attempts start again)."""
    moved = _with_admin(subscription, lambda admin: admin.retry_parked(subscription))
    Console().print(f"{moved} parked event(s) moved back to {subscription}", highlight=False)


@dlq_app.command("purge")
def dlq_purge(subscription: SubscriptionArg) -> None:
    """Drop a subscription's parked events for good."""
    dropped = _with_admin(subscription, lambda admin: admin.purge_parked(subscription))
    Console().print(f"{dropped} parked event(s) dropped from {subscription}", highlight=False)


def _with_admin(subscription: str, action: Any) -> Any:
    if subscription not in SUBSCRIPTIONS:
        err_console().print(f"[red]error:[/] unknown subscription {subscription!r}")
        raise typer.Exit(EXIT_ERROR)

    async def work(application: App) -> Any:
        admin = application.bus_admin()
        if admin is None:
            raise ConfigurationError(
                "the in-process bus keeps no parked messages between runs; "
                "dlq needs TRACKTION_BUS_URL=amqp://..."
            )
        try:
            return await action(admin)
        finally:
            await admin.close()

    return run_app(work, migrate=False, consume=())
