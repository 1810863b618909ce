"""Opaque cursors for track lists: the query they belong to, the position, the last item's key.

A cursor holds the last returned track's id and sort key and the offset after it. The next page
starts right after that track when it is still where it was (found by id near the offset, with
its sort key unchanged), so tracks added or removed before it neither repeat nor skip items;
when it is gone the offset is used.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Final

MAX_OFFSET: Final = 10_000_000


class InvalidCursorError(ValueError):
    """A cursor that was not issued for this query (or not by this API)."""


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the next page starts."""

    query: str
    """Fingerprint of the filters and sort the cursor was issued for."""
    offset: int
    """Position of the next item."""
    last_id: str
    last_key: Any
    """The last item's sort value (JSON: str, number or null)."""

    def encode(self) -> str:
        """The opaque, URL-safe form."""
        raw = json.dumps(
            {"q": self.query, "o": self.offset, "id": self.last_id, "k": self.last_key},
            separators=(",", ":"),
            ensure_ascii=True,
        ).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, query: str) -> Cursor:
        """Parse a cursor and check it belongs to ``query``."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            data = json.loads(raw)
            cursor = cls(data["q"], data["o"], data["id"], data["k"])
        except (binascii.Error, ValueError, TypeError, KeyError) as exc:
            raise InvalidCursorError("cursor is not valid") from exc
        if not (
            isinstance(cursor.query, str)
            and isinstance(cursor.offset, int)
            and 1 <= cursor.offset <= MAX_OFFSET
            and isinstance(cursor.last_id, str)
            and len(cursor.last_id) <= 64
            and (cursor.last_key is None or isinstance(cursor.last_key, str | int | float))
        ):
            raise InvalidCursorError("cursor is not valid")
        if cursor.query != query:
            raise InvalidCursorError("cursor belongs to another query (filters or sort changed)")
        return cursor


def query_fingerprint(params: dict[str, Any]) -> str:
    """A short stable hash of the parameters that decide a list's contents and order."""
    canonical = json.dumps(params, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode(), digest_size=8).hexdigest()
