"""analyses: primary mood column, mood and energy indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 07:45:00.000000
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000
_analyses = sa.table(
    "analyses",
    sa.column("sha256", sa.String),
    sa.column("analyser_version", sa.String),
    sa.column("mood", sa.String),
    sa.column("record", sa.JSON),
)


def _primary_mood(record: Any) -> str | None:
    """The record's most probable mood tag, lower case (as ``AnalysisRecord.mood``)."""
    data = json.loads(record) if isinstance(record, str) else record
    tags = ((data or {}).get("moods") or {}).get("tags") or []
    if not tags:
        return None
    return str(max(tags, key=lambda tag: tag["probability"])["name"]).lower()


def upgrade() -> None:
    with op.batch_alter_table("analyses") as batch:
        batch.add_column(sa.Column("mood", sa.String(length=16), nullable=True))
    op.create_index("ix_analyses_energy", "analyses", ["energy"])
    op.create_index("ix_analyses_mood", "analyses", ["mood"])
    bind = op.get_bind()
    update = (
        sa.update(_analyses)
        .where(
            _analyses.c.sha256 == sa.bindparam("b_sha256"),
            _analyses.c.analyser_version == sa.bindparam("b_version"),
        )
        .values(mood=sa.bindparam("b_mood"))
    )
    after = ("", "")
    while True:
        rows = bind.execute(
            sa.select(_analyses.c.sha256, _analyses.c.analyser_version, _analyses.c.record)
            .where(sa.tuple_(_analyses.c.sha256, _analyses.c.analyser_version) > after)
            .order_by(_analyses.c.sha256, _analyses.c.analyser_version)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        moods = [
            {"b_sha256": sha256, "b_version": version, "b_mood": mood}
            for sha256, version, record in rows
            if (mood := _primary_mood(record)) is not None
        ]
        if moods:
            bind.execute(update, moods)
        after = (rows[-1][0], rows[-1][1])


def downgrade() -> None:
    op.drop_index("ix_analyses_mood", table_name="analyses")
    op.drop_index("ix_analyses_energy", table_name="analyses")
    with op.batch_alter_table("analyses") as batch:
        batch.drop_column("mood")
