"""GET /api/v1/status: catalog counts plus broker queues, outbox and workers alive."""

import os
import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tracktion.api.app import create_app
from tracktion.bootstrap import App, bootstrap
from tracktion.core.users import Role, User
from tracktion.core.workers import WorkerState

from .conftest import FAST_PASSWORDS, PASSWORD, SignedIn, api_settings, sign_in

pytestmark = pytest.mark.integration

RABBITMQ_URL = os.environ.get("TRACKTION_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


async def test_status_reports_outbox_and_workers(signed_in: SignedIn, container: App) -> None:
    client = await signed_in("viewer")
    worker_id = await container.workers.register("analysis", "host-a", 4242)
    await container.workers.beat(worker_id, 17, WorkerState.RUNNING)

    status = (await client.get("/api/v1/status")).json()

    # embedded: the in-process queues of the subscriptions this process consumes
    queues = {q["queue"]: q for q in status["queues"]}
    assert {"audit", "catalog", "catalog.analysis", "api.cache.catalog"} <= set(queues)
    assert queues["catalog"] == {
        "queue": "catalog",
        "messages": 0,
        "consumers": 1,
        "retrying": 0,
        "parked": 0,
    }
    assert status["queues_error"] is None
    assert set(status["outbox"]) == {"pending", "sent"}
    assert status["outbox"]["pending"] + status["outbox"]["sent"] >= 6
    assert status["workers_alive"] == 1
    (worker,) = status["workers"]
    assert (worker["id"], worker["service"], worker["host"], worker["pid"]) == (
        worker_id,
        "analysis",
        "host-a",
        4242,
    )
    assert (worker["state"], worker["alive"], worker["processed"]) == ("running", True, 17)


async def test_status_lists_the_broker_queues(
    tmp_path: Path, database_url: str, music: Path
) -> None:
    parts = urlsplit(RABBITMQ_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 5672), timeout=1).close()
    except OSError:
        pytest.skip(f"RabbitMQ not reachable at {parts.hostname}:{parts.port}")
    settings = api_settings(tmp_path, database_url, music, bus_url=RABBITMQ_URL)
    app = await bootstrap(settings, consume=(), api=True)
    try:
        api = create_app(app, passwords=FAST_PASSWORDS)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api), base_url="http://test"
        ) as client:
            await app.users.add(
                User(
                    str(uuid.uuid4()),
                    "viewer",
                    FAST_PASSWORDS.hash_sync(PASSWORD),
                    Role.VIEWER,
                    datetime.now(UTC),
                )
            )
            token = (await sign_in(client, "viewer"))["access_token"]
            response = await client.get(
                "/api/v1/status", headers={"Authorization": f"Bearer {token}"}
            )
    finally:
        await app.close()

    assert response.status_code == 200, response.text
    queues = response.json()["queues"]
    assert queues, response.json()
    assert {"queue", "messages", "consumers", "retrying", "parked"} == set(queues[0])
    assert any("catalog" in q["queue"] for q in queues)
