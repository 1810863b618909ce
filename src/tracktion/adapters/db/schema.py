"""The catalog schema (SQLAlchemy Core). Portable: SQLite and PostgreSQL run it as written.

Alembic migrations in ``migrations/versions`` create exactly these tables; a test compares them.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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

analyses = Table(
    "analyses",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("analyser_version", String(16), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("bpm", Float),
    Column("bpm_confidence", Float),
    Column("key", String(16)),
    Column("camelot", String(3)),
    Column("key_confidence", Float),
    Column("loudness_lufs", Float),
    Column("energy", Integer),
    Column("mood", String(16)),
    Column("needs_review", Boolean, nullable=False),
    Column("error", Text),
    Column("record", JSON, nullable=False),
    Column("analysed_at", DateTime(timezone=True), nullable=False),
    Index("ix_analyses_bpm", "bpm"),
    Index("ix_analyses_camelot", "camelot"),
    Index("ix_analyses_energy", "energy"),
    Index("ix_analyses_mood", "mood"),
)

tracklists = Table(
    "tracklists",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("title", Text, nullable=False),
    Column("djs", JSON, nullable=False),
    Column("date", String(10)),
    Column("source", Text, unique=True, nullable=True),
    Column("source_kind", String(32), nullable=False),
    Column("duration_s", Float),
    Column("styles", JSON, nullable=False),
    Column("title_key", Text),
    Column("djs_key", Text),
    Column("styles_key", Text),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_tracklists_date", "date"),
    Index("ix_tracklists_title_key", "title_key"),
    Index("ix_tracklists_djs_key", "djs_key"),
)
"""Imported DJ mixes; ``source`` (a URL or path) is unique, so importing it again updates."""

tracklist_entries = Table(
    "tracklist_entries",
    metadata,
    Column(
        "tracklist_id",
        String(36),
        ForeignKey("tracklists.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("ordinal", Integer, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("cue_s", Float),
    Column("cue_precision", String(16), nullable=False),
    Column("artists", JSON, nullable=False),
    Column("title", Text),
    Column("remix", Text),
    Column("label", Text),
    Column("catalog_number", Text),
    Column("featured", JSON, nullable=False),
    Column("unconfirmed", Boolean, nullable=False),
    Column("section", Text),
    Column("note", Text),
    Column("raw", Text, nullable=False),
    Column("artist_key", Text),
    Column("title_key", Text),
    Column("matched_track_id", String(36), ForeignKey("tracks.id", ondelete="SET NULL")),
    Column("match_score", Float),
    Index("ix_tracklist_entries_matched_track_id", "matched_track_id"),
)

artist_names = Table(
    "artist_names",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("artist_key", Text, unique=True, nullable=False),
    Column("name", Text, nullable=False),
    Column("track_count", Integer, nullable=False),
)
"""Distinct folded track artists with their track counts, kept by database triggers on
``tracks`` (migration 0003): what artist search looks through."""

outbox = Table(
    "outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_outbox_pending", "sent_at", "seq"),
)

workers = Table(
    "workers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("service", String(32), nullable=False),
    Column("host", Text, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("processed", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("jti", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("replaced_by", String(36)),
    Index("ix_refresh_tokens_user_id", "user_id"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("target", Text, nullable=False),
    Column("correlation_id", String(64), nullable=False),
    Column("request_event_id", String(36)),
    Column("status", String(16), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("result", JSON),
    Column("error", Text),
    Index("ix_jobs_request_event_id", "request_event_id", unique=True),
)
"""Jobs the API started (scans, re-analyses); a re-analysis is finished by the result event
caused by its ``request_event_id``."""
