"""User management over HTTP (admins only)."""

import pytest

from .conftest import PASSWORD, SignedIn
from .test_auth import assert_problem

pytestmark = pytest.mark.integration


async def test_admins_create_list_promote_and_disable_users(signed_in: SignedIn) -> None:
    admin = await signed_in("admin")

    created = await admin.post(
        "/api/v1/users", json={"username": "dj.kim", "password": PASSWORD, "role": "viewer"}
    )
    assert created.status_code == 201
    assert "password" not in str(created.json())
    promoted = await admin.patch("/api/v1/users/dj.kim", json={"role": "editor"})
    listed = await admin.get("/api/v1/users")
    fetched = await admin.get("/api/v1/users/dj.kim")

    assert promoted.json()["role"] == "editor"
    assert [u["username"] for u in listed.json()] == ["admin", "dj.kim", "editor", "viewer"]
    assert fetched.json()["role"] == "editor"

    login = await admin.post(
        "/api/v1/auth/token", data={"username": "dj.kim", "password": PASSWORD}
    )
    assert login.status_code == 200
    disabled = await admin.patch("/api/v1/users/dj.kim", json={"disabled": True})
    assert disabled.json()["disabled"] is True
    refused = await admin.post(
        "/api/v1/auth/token", data={"username": "dj.kim", "password": PASSWORD}
    )
    assert_problem(refused, 401, "unauthorized")
    refresh = await admin.post(
        "/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
    )
    assert_problem(refresh, 401, "unauthorized")


async def test_user_input_is_validated(signed_in: SignedIn) -> None:
    admin = await signed_in("admin")

    taken = await admin.post("/api/v1/users", json={"username": "viewer", "password": PASSWORD})
    short = await admin.post("/api/v1/users", json={"username": "newbie", "password": "short"})
    bad_name = await admin.post(
        "/api/v1/users", json={"username": "no spaces", "password": PASSWORD}
    )
    bad_role = await admin.post(
        "/api/v1/users", json={"username": "newbie", "password": PASSWORD, "role": "root"}
    )
    empty_patch = await admin.patch("/api/v1/users/viewer", json={})
    re_enable = await admin.patch("/api/v1/users/viewer", json={"disabled": False})

    assert_problem(taken, 409, "conflict")
    for response in (short, bad_name, bad_role, empty_patch, re_enable):
        assert_problem(response, 422, "validation_error")
    assert_problem(await admin.get("/api/v1/users/ghost"), 404, "not_found")
    assert_problem(
        await admin.patch("/api/v1/users/ghost", json={"role": "admin"}), 404, "not_found"
    )
