"""Password hashing with argon2id (hashing runs in a thread: it is slow on purpose)."""

from __future__ import annotations

import asyncio
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH: Final = 12
MAX_LENGTH: Final = 1024
"""Longer inputs are refused before hashing (no hashing-cost denial of service)."""


class Passwords:
    """argon2id hashes (argon2-cffi's RFC 9106 low-memory profile)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def hash_sync(self, password: str) -> str:
        """Hash ``password`` (blocking; the CLI uses this)."""
        return self._hasher.hash(password)

    async def hash(self, password: str) -> str:
        """Hash ``password`` off the event loop."""
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; an unknown user costs as much as a wrong password."""
        if password_hash is None:
            if self._dummy is None:
                self._dummy = await self.hash("not-a-password-of-anyone")
            password_hash = self._dummy
            await asyncio.to_thread(self._check, password_hash, password)
            return False
        return await asyncio.to_thread(self._check, password_hash, password)

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
