"""SqlUserStore and SqlRefreshTokenStore: API accounts and refresh tokens over SQLAlchemy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from tracktion.core.errors import StorageError
from tracktion.core.users import RefreshToken, Role, User, UserExistsError

from .schema import refresh_tokens, users

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

_MAX_FAMILY = 10_000
"""Bound on a rotation chain walked when a family is revoked (a chain never gets near it)."""


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _user(row: Mapping[Any, Any]) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        password_hash=row["password_hash"],
        role=Role(row["role"]),
        created_at=_aware(row["created_at"]) or datetime.now(UTC),
        disabled=bool(row["disabled"]),
    )


def _token(row: Mapping[Any, Any]) -> RefreshToken:
    return RefreshToken(
        jti=row["jti"],
        user_id=row["user_id"],
        expires_at=_aware(row["expires_at"]) or datetime.now(UTC),
        revoked_at=_aware(row["revoked_at"]),
        replaced_by=row["replaced_by"],
    )


class SqlUserStore:
    """API accounts and their refresh tokens; every write is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, user: User) -> None:
        """Create a user; a taken username raises :class:`UserExistsError`."""
        row = {
            "id": user.id,
            "username": user.username,
            "password_hash": user.password_hash,
            "role": user.role.value,
            "created_at": user.created_at,
            "disabled": user.disabled,
        }
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(users), [row])
        except IntegrityError as exc:
            raise UserExistsError(f"user {user.username!r} already exists") from exc
        except SQLAlchemyError as exc:
            raise StorageError(f"could not add user {user.username!r}: {exc}") from exc

    async def get(self, username: str) -> User | None:
        """A user by username."""
        return await self._one(users.c.username == username)

    async def get_by_id(self, user_id: str) -> User | None:
        """A user by id."""
        return await self._one(users.c.id == user_id)

    async def list_users(self) -> list[User]:
        """Every user, by username."""
        try:
            async with self._engine.connect() as conn:
                rows = await conn.execute(select(users).order_by(users.c.username))
                return [_user(row) for row in rows.mappings()]
        except SQLAlchemyError as exc:
            raise StorageError(f"could not list users: {exc}") from exc

    async def set_role(self, username: str, role: Role) -> User | None:
        """Change a user's role."""
        return await self._update(username, {"role": role.value})

    async def disable(self, username: str) -> User | None:
        """Disable a user and revoke every refresh token they hold."""
        user = await self._update(username, {"disabled": True})
        if user is not None:
            try:
                async with self._engine.begin() as conn:
                    await conn.execute(
                        update(refresh_tokens)
                        .where(
                            refresh_tokens.c.user_id == user.id,
                            refresh_tokens.c.revoked_at.is_(None),
                        )
                        .values(revoked_at=datetime.now(UTC))
                    )
            except SQLAlchemyError as exc:
                raise StorageError(f"could not revoke tokens of {username!r}: {exc}") from exc
        return user

    async def _one(self, condition: Any) -> User | None:
        try:
            async with self._engine.connect() as conn:
                row = (await conn.execute(select(users).where(condition))).mappings().first()
        except SQLAlchemyError as exc:
            raise StorageError(f"could not read a user: {exc}") from exc
        return _user(row) if row is not None else None

    async def _update(self, username: str, values: dict[str, Any]) -> User | None:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    update(users).where(users.c.username == username).values(**values)
                )
        except SQLAlchemyError as exc:
            raise StorageError(f"could not update user {username!r}: {exc}") from exc
        return await self.get(username)


class SqlRefreshTokenStore:
    """Issued refresh tokens; rotation is one transaction, so a token is used at most once."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def issue(self, token: RefreshToken) -> None:
        """Record a newly issued refresh token."""
        try:
            async with self._engine.begin() as conn:
                await self._insert_token(conn, token)
        except SQLAlchemyError as exc:
            raise StorageError(f"could not store a refresh token: {exc}") from exc

    async def get_token(self, jti: str) -> RefreshToken | None:
        """A refresh token by id."""
        try:
            async with self._engine.connect() as conn:
                row = (
                    (await conn.execute(select(refresh_tokens).where(refresh_tokens.c.jti == jti)))
                    .mappings()
                    .first()
                )
        except SQLAlchemyError as exc:
            raise StorageError(f"could not read a refresh token: {exc}") from exc
        return _token(row) if row is not None else None

    async def rotate(self, jti: str, successor: RefreshToken, now: datetime) -> bool:
        """Revoke ``jti`` and store ``successor``, atomically; False if ``jti`` was revoked."""
        try:
            async with self._engine.begin() as conn:
                result = await conn.execute(
                    update(refresh_tokens)
                    .where(refresh_tokens.c.jti == jti, refresh_tokens.c.revoked_at.is_(None))
                    .values(revoked_at=now, replaced_by=successor.jti)
                )
                if result.rowcount != 1:
                    return False
                await self._insert_token(conn, successor)
                return True
        except SQLAlchemyError as exc:
            raise StorageError(f"could not rotate a refresh token: {exc}") from exc

    async def revoke_family(self, jti: str, now: datetime) -> int:
        """Revoke ``jti`` and its successors (following ``replaced_by``)."""
        revoked = 0
        try:
            async with self._engine.begin() as conn:
                current: str | None = jti
                seen: set[str] = set()
                while current is not None and current not in seen and len(seen) < _MAX_FAMILY:
                    seen.add(current)
                    result = await conn.execute(
                        update(refresh_tokens)
                        .where(
                            refresh_tokens.c.jti == current,
                            refresh_tokens.c.revoked_at.is_(None),
                        )
                        .values(revoked_at=now)
                    )
                    revoked += result.rowcount
                    current = (
                        await conn.execute(
                            select(refresh_tokens.c.replaced_by).where(
                                refresh_tokens.c.jti == current
                            )
                        )
                    ).scalar_one_or_none()
        except SQLAlchemyError as exc:
            raise StorageError(f"could not revoke refresh tokens: {exc}") from exc
        return revoked

    @staticmethod
    async def _insert_token(conn: AsyncConnection, token: RefreshToken) -> None:
        await conn.execute(
            insert(refresh_tokens),
            [
                {
                    "jti": token.jti,
                    "user_id": token.user_id,
                    "expires_at": token.expires_at,
                    "revoked_at": token.revoked_at,
                    "replaced_by": token.replaced_by,
                }
            ],
        )
