"""Sign-in, refresh rotation with reuse detection, logout, 401/403 by role, service token."""

import logging

import httpx
import pytest

from .conftest import PASSWORD, SERVICE_TOKEN, SignedIn, sign_in

pytestmark = pytest.mark.integration

PROTECTED = [
    ("GET", "/api/v1/tracks"),
    ("GET", "/api/v1/tracks/0123456789ab"),
    ("GET", "/api/v1/tracks/0123456789ab/history"),
    ("POST", "/api/v1/tracks/0123456789ab/analysis"),
    ("GET", "/api/v1/duplicates"),
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/status"),
    ("GET", "/api/v1/search?q=x"),
    ("GET", "/api/v1/tracklists"),
    ("POST", "/api/v1/tracklists"),
    ("GET", "/api/v1/tracklists/0123456789ab"),
    ("GET", "/api/v1/tracklists/0123456789ab/cue?audio=/x.mp3"),
    ("GET", "/api/v1/library/roots"),
    ("POST", "/api/v1/library/scans"),
    ("GET", "/api/v1/jobs/01234567-89ab-cdef-0123-456789abcdef"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/metrics"),
]


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:tracktion:problem:{code}"
    assert body["title"]
    assert body["detail"]
    return body


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_everything_but_the_public_endpoints_needs_a_token(
    anonymous: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await anonymous.request(method, path)

    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ["/health", "/ready", "/api/v1/openapi.json", "/docs"])
async def test_public_endpoints_answer_without_a_token(
    anonymous: httpx.AsyncClient, path: str
) -> None:
    assert (await anonymous.get(path)).status_code == 200


async def test_a_garbage_or_foreign_token_is_refused(anonymous: httpx.AsyncClient) -> None:
    forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."
    for token in ("not-a-jwt", forged):
        response = await anonymous.get(
            "/api/v1/tracks", headers={"Authorization": f"Bearer {token}"}
        )
        assert_problem(response, 401, "unauthorized")


async def test_sign_in_gives_a_bearer_token_pair(anonymous: httpx.AsyncClient) -> None:
    tokens = await sign_in(anonymous, "viewer")

    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900
    response = await anonymous.get(
        "/api/v1/tracks", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert response.status_code == 200


async def test_wrong_passwords_and_unknown_users_get_the_same_answer(
    anonymous: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tracktion.audit")

    wrong = await anonymous.post(
        "/api/v1/auth/token", data={"username": "admin", "password": "not the password!"}
    )
    unknown = await anonymous.post(
        "/api/v1/auth/token", data={"username": "nobody", "password": "not the password!"}
    )

    assert assert_problem(wrong, 401, "unauthorized")["detail"] == "wrong username or password"
    assert assert_problem(unknown, 401, "unauthorized")["detail"] == "wrong username or password"
    audit = [r for r in caplog.records if r.name == "tracktion.audit"]
    assert [(r.audit_action, r.ok) for r in audit] == [("login", False), ("login", False)]  # type: ignore[attr-defined]
    assert all("not the password" not in r.getMessage() for r in audit)


async def test_the_token_form_is_strict(anonymous: httpx.AsyncClient) -> None:
    extra = await anonymous.post(
        "/api/v1/auth/token",
        data={"username": "admin", "password": PASSWORD, "admin": "true"},
    )
    missing = await anonymous.post("/api/v1/auth/token", data={"username": "admin"})

    assert_problem(extra, 422, "validation_error")
    body = assert_problem(missing, 422, "validation_error")
    assert PASSWORD not in str(body)


async def test_refresh_rotates_and_reuse_revokes_the_family(
    anonymous: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tracktion.audit")
    first = await sign_in(anonymous, "editor")

    rotated = await anonymous.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]

    reused = await anonymous.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert_problem(reused, 401, "unauthorized")
    # the thief's replay revoked the legitimate successor too
    after = await anonymous.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert_problem(after, 401, "unauthorized")
    actions = [r.audit_action for r in caplog.records if r.name == "tracktion.audit"]  # type: ignore[attr-defined]
    assert "refresh_reuse" in actions
    assert all(first["refresh_token"] not in r.getMessage() for r in caplog.records)


async def test_an_access_token_cannot_refresh(anonymous: httpx.AsyncClient) -> None:
    tokens = await sign_in(anonymous, "viewer")

    response = await anonymous.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]}
    )

    assert_problem(response, 401, "unauthorized")


async def test_logout_revokes_the_refresh_token(anonymous: httpx.AsyncClient) -> None:
    tokens = await sign_in(anonymous, "viewer")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    out = await anonymous.post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=headers
    )
    again = await anonymous.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )

    assert out.status_code == 204
    assert_problem(again, 401, "unauthorized")


async def test_nobody_logs_out_someone_else(anonymous: httpx.AsyncClient) -> None:
    victim = await sign_in(anonymous, "admin")
    attacker = await sign_in(anonymous, "viewer")

    response = await anonymous.post(
        "/api/v1/auth/logout",
        json={"refresh_token": victim["refresh_token"]},
        headers={"Authorization": f"Bearer {attacker['access_token']}"},
    )

    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        ("viewer", "POST", "/api/v1/library/scans", {"path": "/"}),
        ("viewer", "POST", "/api/v1/tracks/0123456789ab/analysis", None),
        ("viewer", "GET", "/api/v1/users", None),
        ("editor", "GET", "/api/v1/users", None),
        ("editor", "POST", "/api/v1/users", {"username": "x", "password": "y"}),
        ("editor", "PATCH", "/api/v1/users/viewer", {"role": "admin"}),
    ],
)
async def test_roles_are_enforced(
    signed_in: SignedIn,
    caplog: pytest.LogCaptureFixture,
    role: str,
    method: str,
    path: str,
    body: object,
) -> None:
    caplog.set_level(logging.INFO, logger="tracktion.audit")
    client = await signed_in(role)

    response = await client.request(method, path, json=body)

    assert_problem(response, 403, "forbidden")
    denied = [r for r in caplog.records if getattr(r, "audit_action", None) == "forbidden"]
    assert len(denied) == 1


async def test_workers_authenticate_with_the_service_token(
    anonymous: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = await anonymous.get("/metrics", headers={"X-Tracktion-Service-Token": SERVICE_TOKEN})
    bad = await anonymous.get(
        "/api/v1/status", headers={"X-Tracktion-Service-Token": SERVICE_TOKEN[:-1] + "x"}
    )
    users = await anonymous.get(
        "/api/v1/users", headers={"X-Tracktion-Service-Token": SERVICE_TOKEN}
    )

    assert good.status_code == 200
    assert_problem(bad, 401, "unauthorized")
    assert_problem(users, 403, "forbidden")
    assert all(SERVICE_TOKEN[:-1] not in r.getMessage() for r in caplog.records)
