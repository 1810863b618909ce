"""tracklists and search

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:00:00.000000

Tables ``tracklists``, ``tracklist_entries`` and ``artist_names`` (distinct track artists with
counts, kept by triggers on ``tracks``), plus the search structures of each dialect:

- SQLite: FTS5 external-content tables with the trigram tokenizer over the folded key columns
  (``tracks_fts``, ``tracklists_fts``, ``artist_names_fts``), kept in sync by triggers.
- PostgreSQL: pg_trgm GIN indexes (gin_trgm_ops) on the folded key columns and a ``simple``
  tsvector expression GIN index per searched table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRACK_KEYS = ("artist_key", "title_key", "album_key", "albumartist_key", "genre_key")
_TRACKLIST_KEYS = ("title_key", "djs_key")


def _fts_sqlite(table: str, columns: Sequence[str], rowid: str = "rowid") -> list[str]:
    """An external-content trigram FTS5 table over ``table`` and the triggers that sync it."""
    fts = f"{table}_fts"
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    content_rowid = f", content_rowid='{rowid}'" if rowid != "rowid" else ""
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}'{content_rowid},"
        " tokenize='trigram')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN"
        f" INSERT INTO {fts}(rowid, {names}) VALUES (new.{rowid}, {new}); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN"
        f" INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.{rowid}, {old}); END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} WHEN {changed} BEGIN"
        f" INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.{rowid}, {old});"
        f" INSERT INTO {fts}(rowid, {names}) VALUES (new.{rowid}, {new}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


_ARTIST_ADD = (
    "INSERT INTO artist_names (artist_key, name, track_count)"
    " SELECT new.artist_key, new.artist, 1 WHERE new.artist_key IS NOT NULL"
    " ON CONFLICT (artist_key) DO UPDATE SET track_count = artist_names.track_count + 1;"
)
_ARTIST_REMOVE = (
    "UPDATE artist_names SET track_count = track_count - 1 WHERE artist_key = old.artist_key;"
    " DELETE FROM artist_names WHERE artist_key = old.artist_key AND track_count <= 0;"
)

_SQLITE_ARTIST_TRIGGERS = [
    f"CREATE TRIGGER tracks_artist_ai AFTER INSERT ON tracks BEGIN {_ARTIST_ADD} END",
    f"CREATE TRIGGER tracks_artist_ad AFTER DELETE ON tracks BEGIN {_ARTIST_REMOVE} END",
    "CREATE TRIGGER tracks_artist_au AFTER UPDATE OF artist_key ON tracks"
    f" WHEN old.artist_key IS NOT new.artist_key BEGIN {_ARTIST_REMOVE} {_ARTIST_ADD} END",
]

_POSTGRES_ARTIST_SYNC = f"""
CREATE FUNCTION tracktion_artist_names_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND old.artist_key IS NOT NULL THEN
        IF TG_OP = 'DELETE' OR old.artist_key IS DISTINCT FROM new.artist_key THEN
            {_ARTIST_REMOVE}
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND new.artist_key IS NOT NULL THEN
        IF TG_OP = 'INSERT' OR old.artist_key IS DISTINCT FROM new.artist_key THEN
            {_ARTIST_ADD}
        END IF;
    END IF;
    RETURN NULL;
END $$
"""


def _tsvector(columns: Sequence[str]) -> str:
    joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    return f"to_tsvector('simple', {joined})"


_TRACKS_TSVECTOR = _tsvector(_TRACK_KEYS)
_TRACKLISTS_TSVECTOR = _tsvector(_TRACKLIST_KEYS)

_POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX ix_tracks_{c}_trgm ON tracks USING gin ({c} gin_trgm_ops)"
        for c in ("artist_key", "title_key", "album_key")
    ),
    f"CREATE INDEX ix_tracks_search_tsv ON tracks USING gin (({_TRACKS_TSVECTOR}))",
    *(
        f"CREATE INDEX ix_tracklists_{c}_trgm ON tracklists USING gin ({c} gin_trgm_ops)"
        for c in _TRACKLIST_KEYS
    ),
    f"CREATE INDEX ix_tracklists_search_tsv ON tracklists USING gin (({_TRACKLISTS_TSVECTOR}))",
    "CREATE INDEX ix_artist_names_artist_key_trgm ON artist_names"
    " USING gin (artist_key gin_trgm_ops)",
    _POSTGRES_ARTIST_SYNC,
    "CREATE TRIGGER tracks_artist_names AFTER INSERT OR DELETE OR UPDATE OF artist_key"
    " ON tracks FOR EACH ROW EXECUTE FUNCTION tracktion_artist_names_sync()",
]

_BACKFILL_ARTISTS = (
    "INSERT INTO artist_names (artist_key, name, track_count)"
    " SELECT artist_key, min(artist), count(*) FROM tracks"
    " WHERE artist_key IS NOT NULL GROUP BY artist_key"
)


def _create_tables() -> None:
    op.create_table(
        "tracklists",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("djs", sa.JSON(), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("source_kind", sa.String(length=32), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("styles", sa.JSON(), nullable=False),
        sa.Column("title_key", sa.Text(), nullable=True),
        sa.Column("djs_key", sa.Text(), nullable=True),
        sa.Column("styles_key", sa.Text(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source"),
    )
    op.create_index("ix_tracklists_date", "tracklists", ["date"])
    op.create_index("ix_tracklists_title_key", "tracklists", ["title_key"])
    op.create_index("ix_tracklists_djs_key", "tracklists", ["djs_key"])
    op.create_table(
        "tracklist_entries",
        sa.Column("tracklist_id", sa.String(length=36), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("cue_s", sa.Float(), nullable=True),
        sa.Column("cue_precision", sa.String(length=16), nullable=False),
        sa.Column("artists", sa.JSON(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("remix", sa.Text(), nullable=True),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("catalog_number", sa.Text(), nullable=True),
        sa.Column("featured", sa.JSON(), nullable=False),
        sa.Column("unconfirmed", sa.Boolean(), nullable=False),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("artist_key", sa.Text(), nullable=True),
        sa.Column("title_key", sa.Text(), nullable=True),
        sa.Column("matched_track_id", sa.String(length=36), nullable=True),
        sa.Column("match_score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["tracklist_id"], ["tracklists.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["matched_track_id"], ["tracks.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("tracklist_id", "ordinal"),
    )
    op.create_index(
        "ix_tracklist_entries_matched_track_id", "tracklist_entries", ["matched_track_id"]
    )
    op.create_table(
        "artist_names",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("artist_key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("track_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("artist_key"),
    )


def upgrade() -> None:
    _create_tables()
    if op.get_bind().dialect.name == "sqlite":
        statements = [
            *_fts_sqlite("tracks", _TRACK_KEYS),
            *_fts_sqlite("tracklists", _TRACKLIST_KEYS),
            *_fts_sqlite("artist_names", ("artist_key",), rowid="id"),
            _BACKFILL_ARTISTS,
            *_SQLITE_ARTIST_TRIGGERS,
        ]
    else:
        statements = [_BACKFILL_ARTISTS, *_POSTGRES_SEARCH]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("tracks_artist_ai", "tracks_artist_ad", "tracks_artist_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for table in ("tracks", "tracklists", "artist_names"):
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    else:
        op.execute("DROP TRIGGER IF EXISTS tracks_artist_names ON tracks")
        op.execute("DROP FUNCTION IF EXISTS tracktion_artist_names_sync()")
        for column in ("artist_key", "title_key", "album_key"):
            op.execute(f"DROP INDEX IF EXISTS ix_tracks_{column}_trgm")
        op.execute("DROP INDEX IF EXISTS ix_tracks_search_tsv")
    op.drop_table("artist_names")
    op.drop_index("ix_tracklist_entries_matched_track_id", table_name="tracklist_entries")
    op.drop_table("tracklist_entries")
    op.drop_index("ix_tracklists_djs_key", table_name="tracklists")
    op.drop_index("ix_tracklists_title_key", table_name="tracklists")
    op.drop_index("ix_tracklists_date", table_name="tracklists")
    op.drop_table("tracklists")
