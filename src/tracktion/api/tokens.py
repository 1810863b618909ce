"""JWT access and refresh tokens (HS256 via PyJWT) and the signing secret's life cycle."""

from __future__ import annotations

import logging
import os
import secrets
import stat
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

import jwt

from tracktion.config import is_strong_secret
from tracktion.core.errors import ConfigurationError
from tracktion.core.users import Role

if TYPE_CHECKING:
    from collections.abc import Callable

    from tracktion.config import Settings
    from tracktion.core.users import User

logger = logging.getLogger(__name__)

ALGORITHM: Final = "HS256"
SECRET_FILE: Final = "jwt-secret"
LEEWAY_S: Final = 5
TokenKind = Literal["access", "refresh"]
_VERIFIED_CACHE: Final = 4096
_REQUIRED: Final = ["iss", "aud", "sub", "iat", "nbf", "exp", "jti", "typ"]


class InvalidTokenError(Exception):
    """A token that must not be trusted; the message says why (safe to show)."""


@dataclass(frozen=True, slots=True)
class Claims:
    """The verified claims of a token."""

    subject: str
    """The user id."""
    role: Role
    jti: str
    kind: TokenKind
    expires_at: float


class TokenCodec:
    """Issues and verifies tokens; only HS256 with this app's secret is ever accepted."""

    def __init__(
        self,
        secret: bytes,
        *,
        issuer: str,
        audience: str,
        access_ttl_s: int,
        refresh_ttl_s: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not is_strong_secret(secret.decode("utf-8", "replace")):
            raise ConfigurationError("the JWT secret is too short or a well-known default")
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self.access_ttl_s = access_ttl_s
        self.refresh_ttl_s = refresh_ttl_s
        self._clock = clock
        self._verified: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def issue(self, user: User, kind: TokenKind) -> tuple[str, Claims]:
        """A signed token for ``user`` and its claims."""
        now = int(self._clock())
        ttl = self.access_ttl_s if kind == "access" else self.refresh_ttl_s
        claims = Claims(user.id, user.role, str(uuid.uuid4()), kind, now + ttl)
        payload: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": user.id,
            "role": user.role.value,
            "typ": kind,
            "iat": now,
            "nbf": now,
            "exp": claims.expires_at,
            "jti": claims.jti,
        }
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM), claims

    def verify(self, token: str, kind: TokenKind) -> Claims:
        """The claims of a valid token of ``kind``; :class:`InvalidTokenError` otherwise.

        A token whose signature checked out is remembered (by its full text, signature
        included), so repeated requests skip the HMAC and JSON work; times are checked always.
        """
        payload = self._verified.get(token)
        if payload is None:
            payload = self._decode(token)
            self._verified[token] = payload
            if len(self._verified) > _VERIFIED_CACHE:
                self._verified.popitem(last=False)
        self._check_times(payload)
        if payload["typ"] != kind:
            raise InvalidTokenError(
                f"not an {kind} token" if kind == "access" else "not a refresh token"
            )
        try:
            role = Role(str(payload.get("role")))
        except ValueError as exc:
            raise InvalidTokenError("token has no valid role") from exc
        return Claims(str(payload["sub"]), role, str(payload["jti"]), kind, float(payload["exp"]))

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require": _REQUIRED,
                    "verify_signature": True,
                    # times are checked by _check_times, against this codec's clock
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidAudienceError as exc:
            raise InvalidTokenError("token is for another audience") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidTokenError(f"token lacks the {exc.claim!r} claim") from exc
        except jwt.InvalidTokenError as exc:
            raise InvalidTokenError("token is not valid") from exc
        return payload

    def _check_times(self, payload: dict[str, Any]) -> None:
        times = [payload["exp"], payload["nbf"], payload["iat"]]
        if not all(
            isinstance(value, int | float) and not isinstance(value, bool) for value in times
        ):
            raise InvalidTokenError("token times are not numbers")
        now = self._clock()
        if payload["exp"] <= now - LEEWAY_S:
            raise InvalidTokenError("token expired")
        if payload["nbf"] > now + LEEWAY_S or payload["iat"] > now + LEEWAY_S:
            raise InvalidTokenError("token not yet valid")


def load_secret(settings: Settings) -> bytes:
    """The configured secret; embedded mode generates one in ``data_dir/jwt-secret`` (0600)."""
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value().encode()
    if settings.database_url:
        raise ConfigurationError(
            "TRACKTION_JWT_SECRET must be set when the database is shared "
            "(every API process needs the same secret)"
        )
    path = settings.data_dir / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigurationError(
                f"{path} is readable by other users (mode {mode:o}): "
                f"delete it (a new one is generated) or chmod 600 it"
            ) from None
        secret = path.read_bytes().strip()
        if not is_strong_secret(secret.decode("utf-8", "replace")):
            raise ConfigurationError(
                f"{path} holds a weak secret: delete it to regenerate"
            ) from None
        return secret
    secret = secrets.token_urlsafe(48).encode()
    with os.fdopen(fd, "wb") as stream:
        stream.write(secret + b"\n")
    logger.info("generated a JWT signing secret in %s", path)
    return secret


def codec_for(settings: Settings) -> TokenCodec:
    """The token codec ``settings`` describe."""
    return TokenCodec(
        load_secret(settings),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_ttl_s=settings.access_token_ttl_s,
        refresh_ttl_s=settings.refresh_token_ttl_s,
    )
