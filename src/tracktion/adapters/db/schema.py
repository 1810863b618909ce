"""The catalog schema (SQLAlchemy Core). Portable: SQLite and PostgreSQL run it as written.

Alembic migrations in ``migrations/versions`` create exactly these tables; a test compares them.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

tracks = Table(
    "tracks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("path", Text, nullable=False),
    Column("path_bytes", LargeBinary, unique=True, nullable=True),
    Column("status", String(16), nullable=False),
    Column("format", String(8)),
    Column("size", BigInteger),
    Column("mtime_ns", BigInteger),
    Column("inode", BigInteger),
    Column("sha256", String(64)),
    Column("xxh128", String(32)),
    Column("title", Text),
    Column("artist", Text),
    Column("artists", JSON),
    Column("album", Text),
    Column("albumartist", Text),
    Column("track_number", Integer),
    Column("track_total", Integer),
    Column("disc_number", Integer),
    Column("disc_total", Integer),
    Column("year", Integer),
    Column("date", Text),
    Column("genre", Text),
    Column("tagged_bpm", Float),
    Column("tagged_key", String(32)),
    Column("codec", String(32)),
    Column("duration_s", Float),
    Column("bitrate", Integer),
    Column("sample_rate", Integer),
    Column("channels", Integer),
    Column("bits_per_sample", Integer),
    Column("error", Text),
    Column("warnings", JSON),
    Column("title_key", Text),
    Column("artist_key", Text),
    Column("albumartist_key", Text),
    Column("album_key", Text),
    Column("genre_key", Text),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("missing_since", DateTime(timezone=True)),
    Index("ix_tracks_sha256", "sha256"),
    Index("ix_tracks_xxh128", "xxh128"),
    Index("ix_tracks_artist_key", "artist_key"),
    Index("ix_tracks_title_key", "title_key"),
)

track_history = Table(
    "track_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("track_id", String(36), ForeignKey("tracks.id", ondelete="CASCADE"), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("action", String(16), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("event_id", String(36)),
    Index("ix_track_history_track_id", "track_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("type", String(64), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("correlation_id", String(36)),
    Column("causation_id", String(36)),
    Column("schema_version", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    Index("ix_events_type", "type"),
    Index("ix_events_occurred_at", "occurred_at"),
)

handled_events = Table(
    "handled_events",
    metadata,
    Column("consumer", String(64), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("handled_at", DateTime(timezone=True), nullable=False),
)
