import base64
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest

from tracktion.api.tokens import InvalidTokenError, TokenCodec, load_secret
from tracktion.config import load_settings
from tracktion.core.errors import ConfigurationError
from tracktion.core.users import Role, User

SECRET = b"k3Y-for-tests-only-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP"
USER = User("user-1", "alice", "hash", Role.EDITOR, datetime(2026, 1, 1, tzinfo=UTC))


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def codec(clock: Clock | None = None, **overrides: object) -> TokenCodec:
    options: dict[str, object] = {
        "issuer": "tracktion",
        "audience": "tracktion-api",
        "access_ttl_s": 900,
        "refresh_ttl_s": 3600,
        "clock": clock or Clock(1_900_000_000.0),
    }
    options.update(overrides)
    return TokenCodec(SECRET, **options)  # type: ignore[arg-type]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def forge(header: dict[str, object], payload: dict[str, object], signature: bytes = b"") -> str:
    parts = [b64(json.dumps(header).encode()), b64(json.dumps(payload).encode()), b64(signature)]
    return ".".join(parts)


def valid_claims(now: float) -> dict[str, object]:
    return {
        "iss": "tracktion",
        "aud": "tracktion-api",
        "sub": "user-1",
        "role": "admin",
        "typ": "access",
        "iat": int(now),
        "nbf": int(now),
        "exp": int(now) + 600,
        "jti": "j-1",
    }


def test_a_token_round_trips_with_its_claims() -> None:
    tokens = codec()
    token, issued = tokens.issue(USER, "access")

    claims = tokens.verify(token, "access")

    assert claims == issued
    assert (claims.subject, claims.role, claims.kind) == ("user-1", Role.EDITOR, "access")
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
    payload = jwt.decode(token, options={"verify_signature": False})
    assert set(payload) == {"iss", "aud", "sub", "role", "typ", "iat", "nbf", "exp", "jti"}


def test_alg_none_is_rejected() -> None:
    token = forge({"alg": "none", "typ": "JWT"}, valid_claims(1_900_000_000.0))

    with pytest.raises(InvalidTokenError):
        codec().verify(token, "access")


def test_algorithm_confusion_is_rejected() -> None:
    now = 1_900_000_000.0
    rs_token = forge({"alg": "RS256", "typ": "JWT"}, valid_claims(now), b"\x00" * 256)
    # HS512 keyed with the real secret: right key, algorithm not on the allow-list.
    hs512 = jwt.encode(valid_claims(now), SECRET, algorithm="HS512")

    for token in (rs_token, hs512):
        with pytest.raises(InvalidTokenError):
            codec().verify(token, "access")


def test_expired_and_not_yet_valid_tokens_are_rejected() -> None:
    clock = Clock(1_900_000_000.0)
    tokens = codec(clock)
    token, _ = tokens.issue(USER, "access")
    tokens.verify(token, "access")  # valid now (and remembered as verified)

    clock.now += 900 + 6  # past exp + leeway
    with pytest.raises(InvalidTokenError, match="expired"):
        tokens.verify(token, "access")

    clock.now = 1_900_000_000.0 - 60  # before nbf - leeway
    with pytest.raises(InvalidTokenError, match="not yet valid"):
        tokens.verify(token, "access")


def test_wrong_audience_is_rejected() -> None:
    token, _ = codec(audience="another-api").issue(USER, "access")

    with pytest.raises(InvalidTokenError, match="audience"):
        codec().verify(token, "access")


def test_tampered_signature_and_payload_are_rejected() -> None:
    token, _ = codec().issue(USER, "access")
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    promoted = b64(json.dumps(claims).encode())

    for forged in (f"{header}.{payload}.{flipped}", f"{header}.{promoted}.{signature}"):
        with pytest.raises(InvalidTokenError):
            codec().verify(forged, "access")


@pytest.mark.parametrize("missing", ["iss", "aud", "sub", "iat", "nbf", "exp", "jti", "typ"])
def test_missing_claims_are_rejected(missing: str) -> None:
    claims = valid_claims(1_900_000_000.0)
    del claims[missing]
    token = jwt.encode(claims, SECRET, algorithm="HS256")

    with pytest.raises(InvalidTokenError):
        codec().verify(token, "access")


def test_a_refresh_token_is_not_an_access_token() -> None:
    tokens = codec()
    refresh, _ = tokens.issue(USER, "refresh")
    access, _ = tokens.issue(USER, "access")

    with pytest.raises(InvalidTokenError, match="not an access token"):
        tokens.verify(refresh, "access")
    with pytest.raises(InvalidTokenError, match="not a refresh token"):
        tokens.verify(access, "refresh")


@pytest.mark.parametrize("secret", [b"short", b"changethis", b"a" * 64])
def test_weak_secrets_are_refused(secret: bytes) -> None:
    with pytest.raises(ConfigurationError):
        TokenCodec(secret, issuer="i", audience="a", access_ttl_s=60, refresh_ttl_s=60)


def test_embedded_secret_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)

    first = load_secret(settings)
    second = load_secret(settings)

    path = tmp_path / "jwt-secret"
    assert first == second
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_world_readable_secret_file_is_refused(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    load_secret(settings)
    (tmp_path / "jwt-secret").chmod(0o644)

    with pytest.raises(ConfigurationError, match="readable by other users"):
        load_secret(settings)


def test_a_shared_database_needs_an_explicit_secret(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, database_url="postgresql+asyncpg://u@h/db")

    with pytest.raises(ConfigurationError, match="TRACKTION_JWT_SECRET"):
        load_secret(settings)


def test_settings_refuse_default_secrets() -> None:
    with pytest.raises(ValueError, match="jwt_secret"):
        load_settings(jwt_secret="changethis")
    with pytest.raises(ValueError, match="service_token"):
        load_settings(service_token="secret")
