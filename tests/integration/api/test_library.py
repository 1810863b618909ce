"""Scans over HTTP: roots enforced after resolving symlinks and '..', jobs, correlation ids."""

import asyncio
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from tracktion.bootstrap import App

from .conftest import CORPUS, SignedIn
from .test_auth import assert_problem

pytestmark = pytest.mark.integration


async def finished(client: httpx.AsyncClient, job: dict[str, Any]) -> dict[str, Any]:
    for _ in range(600):
        current: dict[str, Any] = (await client.get(f"/api/v1/jobs/{job['id']}")).json()
        if current["status"] != "running":
            return current
        await asyncio.sleep(0.05)
    raise AssertionError("job did not finish")


async def test_roots_are_listed(signed_in: SignedIn, tmp_path: Path) -> None:
    client = await signed_in("viewer")

    assert (await client.get("/api/v1/library/roots")).json() == [str(tmp_path / "Music")]


async def test_an_editor_scans_a_folder_inside_the_roots(
    signed_in: SignedIn, container: App, tmp_path: Path
) -> None:
    client = await signed_in("editor")
    new = tmp_path / "Music" / "new"
    new.mkdir()
    shutil.copy(CORPUS / "untitled (14).mp3", new / "untitled (14).mp3")

    response = await client.post(
        "/api/v1/library/scans",
        json={"path": str(new)},
        headers={"X-Correlation-ID": "scan-request-42"},
    )

    assert response.status_code == 202
    assert response.headers["x-correlation-id"] == "scan-request-42"
    job = await finished(client, response.json())
    assert job["status"] == "completed", job
    assert job["kind"] == "scan"
    assert job["correlation_id"] == "scan-request-42"
    assert job["result"]["events"] == {"file.discovered": 1}
    await container.bus.wait_idle()
    events = await container.events.recent(100, "file.*")
    assert [e.correlation_id for e in events if e.payload["path"].endswith("(14).mp3")] == [
        "scan-request-42"
    ]
    updated = await container.events.recent(100, "catalog.track_updated")
    assert any(e.correlation_id == "scan-request-42" for e in updated)


async def test_paths_outside_the_roots_are_refused(signed_in: SignedIn, tmp_path: Path) -> None:
    client = await signed_in("editor")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (tmp_path / "Music" / "escape").symlink_to(outside)

    for path in (
        str(outside),
        f"{tmp_path}/Music/../elsewhere",
        str(tmp_path / "Music" / "escape"),
        "Music",
        "/",
    ):
        response = await client.post("/api/v1/library/scans", json={"path": path})
        assert_problem(response, 422, "validation_error")


async def test_missing_folders_and_bad_bodies_are_refused(
    signed_in: SignedIn, tmp_path: Path
) -> None:
    client = await signed_in("editor")

    missing = await client.post(
        "/api/v1/library/scans", json={"path": str(tmp_path / "Music" / "nope")}
    )
    extra = await client.post(
        "/api/v1/library/scans", json={"path": str(tmp_path / "Music"), "force": True}
    )
    empty = await client.post(
        "/api/v1/library/scans", content=b"{", headers={"content-type": "application/json"}
    )

    assert "does not exist" in str(assert_problem(missing, 422, "validation_error")["detail"])
    assert_problem(extra, 422, "validation_error")
    assert_problem(empty, 422, "validation_error")


async def test_unknown_jobs_are_404(signed_in: SignedIn) -> None:
    client = await signed_in("viewer")

    response = await client.get("/api/v1/jobs/01234567-89ab-cdef-0123-456789abcdef")

    assert_problem(response, 404, "not_found")
