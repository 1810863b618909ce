"""Health, readiness, metrics, correlation ids, caching and the OpenAPI document."""

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tracktion.bootstrap import App

from .conftest import SignedIn

pytestmark = pytest.mark.integration


async def test_health_and_readiness(anonymous: httpx.AsyncClient) -> None:
    health = await anonymous.get("/health")
    ready = await anonymous.get("/ready")

    assert health.json() == {"status": "ok"}
    body = ready.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "bus", "cache"}
    assert all(check["ok"] for check in body["checks"].values())


async def test_readiness_is_503_with_details_when_the_database_fails(
    anonymous: httpx.AsyncClient, container: App, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the database is broken by overwriting its SQLite file")
    await container.engine.dispose()
    database = Path(str(container.engine.url.database))
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    database.write_bytes(b"this is not a database" * 100)

    response = await anonymous.get("/ready")
    live = await anonymous.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["detail"]
    assert body["checks"]["cache"]["ok"] is True
    assert live.status_code == 200


async def test_correlation_ids_are_echoed_or_generated(anonymous: httpx.AsyncClient) -> None:
    echoed = await anonymous.get("/health", headers={"X-Correlation-ID": "abc-123"})
    generated = await anonymous.get("/health")
    unsafe = await anonymous.get("/health", headers={"X-Correlation-ID": "bad id\twith spaces"})
    problem = await anonymous.get("/api/v1/tracks", headers={"X-Correlation-ID": "trace-9"})

    assert echoed.headers["x-correlation-id"] == "abc-123"
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-correlation-id"])
    assert unsafe.headers["x-correlation-id"] != "bad id\twith spaces"
    assert problem.json()["correlation_id"] == "trace-9"


async def test_metrics_by_route_template_with_cache_and_catalog_figures(
    signed_in: SignedIn,
) -> None:
    client = await signed_in("viewer")
    track = (await client.get("/api/v1/tracks")).json()["items"][0]
    for _ in range(3):
        await client.get(f"/api/v1/tracks/{track['id']}")
    await client.get("/api/v1/tracks/0123456789ab")

    text = (await client.get("/metrics")).text

    assert (
        'tracktion_http_requests_total{method="GET",route="/api/v1/tracks/{track_id}",'
        'status="200"} 3.0'
    ) in text
    assert 'route="/api/v1/tracks/{track_id}",status="404"' in text
    assert "tracktion_http_request_duration_seconds_bucket" in text
    assert 'tracktion_http_errors_total{code="not_found"} 1.0' in text
    assert 'tracktion_api_cache_total{result="hit"} 2.0' in text
    assert 'tracktion_catalog_tracks{status="ok"} 6.0' in text
    assert "tracktion_analysis_pending 5.0" in text
    assert track["id"] not in text  # ids never become labels
    # the pipeline of this (embedded) process: its queues, outbox and what its services did
    assert 'tracktion_queue_messages{queue="catalog",state="ready"} 0.0' in text
    assert 'tracktion_queue_consumers{queue="catalog"} 1.0' in text
    assert "tracktion_outbox_pending 0.0" in text
    assert (
        'tracktion_events_handled_total{subscription="catalog",type="file.discovered"} 6.0' in text
    )
    assert "tracktion_files_analysed_total" in text
    assert "tracktion_analysis_seconds_bucket" in text


async def test_each_app_has_its_own_metrics_registry(container: App) -> None:
    from tracktion.api.app import create_app

    first, second = create_app(container), create_app(container)

    assert first.state.api.metrics.registry is not second.state.api.metrics.registry


async def test_the_openapi_document_is_3_1_with_every_resource(
    anonymous: httpx.AsyncClient, api: FastAPI
) -> None:
    document = (await anonymous.get("/api/v1/openapi.json")).json()
    docs = await anonymous.get("/docs")

    assert document["openapi"].startswith("3.1")
    assert {
        "/api/v1/tracks",
        "/api/v1/tracks/{track_id}",
        "/api/v1/tracks/{track_id}/analysis",
        "/api/v1/duplicates",
        "/api/v1/events",
        "/api/v1/status",
        "/api/v1/library/scans",
        "/api/v1/auth/token",
        "/api/v1/auth/refresh",
        "/api/v1/users",
        "/health",
        "/ready",
    } <= set(document["paths"])
    assert "OAuth2PasswordBearer" in document["components"]["securitySchemes"]
    assert "swagger" in docs.text.lower()
