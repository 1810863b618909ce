"""SqlAnalysisStore: the AnalysisStore port; analyses keyed by (sha256, analyser version)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from tracktion.core.analysis import ANALYSER_VERSION, AnalysisRecord
from tracktion.core.errors import StorageError
from tracktion.core.models import TrackStatus

from .schema import analyses, tracks

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine


def _utcnow() -> datetime:
    return datetime.now(UTC)


def analysis_row(record: AnalysisRecord, now: datetime) -> dict[str, Any]:
    """The ``analyses`` row for a record (searchable columns + the whole record)."""
    return {
        "sha256": record.sha256,
        "analyser_version": record.analyser_version,
        "status": "failed" if record.error else "completed",
        "bpm": record.bpm,
        "bpm_confidence": record.bpm_confidence,
        "key": record.key,
        "camelot": record.camelot,
        "key_confidence": record.key_confidence,
        "loudness_lufs": record.loudness_lufs,
        "energy": record.energy,
        "mood": record.mood.value if record.mood else None,
        "needs_review": record.needs_review,
        "error": record.error,
        "record": record.to_json(),
        "analysed_at": now,
    }


class SqlAnalysisStore:
    """Stores one analysis per content hash and analyser version (a later save replaces it)."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def save(self, records: Sequence[AnalysisRecord]) -> None:
        """Upsert records that carry a content hash (delete + insert: portable and idempotent)."""
        latest = {(r.sha256, r.analyser_version): r for r in records if r.sha256}
        if not latest:
            return
        now = self._clock()
        try:
            async with self._engine.begin() as conn:
                for sha256, version in latest:
                    await conn.execute(
                        delete(analyses).where(
                            analyses.c.sha256 == sha256, analyses.c.analyser_version == version
                        )
                    )
                await conn.execute(
                    insert(analyses), [analysis_row(r, now) for r in latest.values()]
                )
        except SQLAlchemyError as exc:
            raise StorageError(f"could not store {len(latest)} analysis record(s): {exc}") from exc

    async def get(self, sha256: str) -> AnalysisRecord | None:
        """The current analyser version's record for this content."""
        async with self._engine.connect() as conn:
            record = (
                await conn.execute(
                    select(analyses.c.record).where(
                        analyses.c.sha256 == sha256,
                        analyses.c.analyser_version == ANALYSER_VERSION,
                    )
                )
            ).scalar_one_or_none()
        return AnalysisRecord.from_json(record) if record is not None else None

    async def analysed(self, sha256s: Sequence[str]) -> set[str]:
        """Which of these hashes already have a current analysis."""
        found: set[str] = set()
        unique = list(dict.fromkeys(sha256s))
        async with self._engine.connect() as conn:
            for start in range(0, len(unique), 400):
                result = await conn.execute(
                    select(analyses.c.sha256).where(
                        analyses.c.analyser_version == ANALYSER_VERSION,
                        analyses.c.sha256.in_(unique[start : start + 400]),
                    )
                )
                found.update(result.scalars())
        return found

    async def missing(self, limit: int = 10_000) -> list[tuple[str, str, str | None]]:
        """Present tracks whose content has no current analysis (one path per hash)."""
        joined = tracks.outerjoin(
            analyses,
            and_(
                analyses.c.sha256 == tracks.c.sha256,
                analyses.c.analyser_version == ANALYSER_VERSION,
            ),
        )
        query = (
            select(tracks.c.sha256, tracks.c.path_bytes, tracks.c.genre)
            .select_from(joined)
            .where(
                tracks.c.status == TrackStatus.OK.value,
                tracks.c.sha256.is_not(None),
                tracks.c.path_bytes.is_not(None),
                analyses.c.sha256.is_(None),
            )
            .order_by(tracks.c.sha256, tracks.c.path)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        found: dict[str, tuple[str, str, str | None]] = {}
        for sha256, raw_path, genre in rows:
            found.setdefault(sha256, (sha256, os.fsdecode(bytes(raw_path)), genre))
            if len(found) >= limit:
                break
        return list(found.values())
