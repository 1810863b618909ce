from datetime import UTC, datetime

from tracktion.adapters.db.change_batch import ChangeBatch
from tracktion.adapters.db.rows import observation_columns
from tracktion.core.changes import HistoryAction, MarkMissing, MoveTrack, RecordObservation
from tracktion.core.models import FileObservation, FileStat, Fingerprint, Tags

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def observation(path: str, sha: str = "a" * 64, error: str | None = None) -> FileObservation:
    return FileObservation(
        FileStat(path, 10, 1, 2), Fingerprint(sha, "b" * 32, 10), tags=Tags(title="T"), error=error
    )


def stored(path: str, track_id: str, status: str = "ok", sha: str = "a" * 64) -> dict[str, object]:
    return {
        "id": track_id,
        **observation_columns(observation(path, sha)),
        "status": status,
        "first_seen_at": NOW,
        "updated_at": NOW,
        "missing_since": None,
    }


def actions(batch: ChangeBatch) -> list[str]:
    return [entry["action"] for entry in batch.history]


def test_new_paths_insert_tracks_and_errors_get_status_error() -> None:
    batch = ChangeBatch(NOW, {})
    batch.apply(RecordObservation("e1", HistoryAction.DISCOVERED, observation("/a")))
    batch.apply(RecordObservation("e2", HistoryAction.CREATED, observation("/b", error="empty")))

    statuses = sorted((row["path"], row["status"]) for row in batch.rows.values())
    assert statuses == [("/a", "ok"), ("/b", "error")]
    assert batch.new_ids == batch.dirty_ids
    assert actions(batch) == ["discovered", "created"]


def test_same_bytes_seen_again_updates_stat_without_history() -> None:
    row = stored("/a", "t1")
    batch = ChangeBatch(NOW, {b"/a": row})
    batch.apply(RecordObservation("e1", HistoryAction.MODIFIED, observation("/a")))

    assert batch.dirty_ids == {"t1"}
    assert batch.history == []


def test_changed_bytes_are_logged_with_the_previous_hash() -> None:
    batch = ChangeBatch(NOW, {b"/a": stored("/a", "t1")})
    batch.apply(RecordObservation("e1", HistoryAction.MODIFIED, observation("/a", "c" * 64)))

    assert actions(batch) == ["modified"]
    assert batch.history[0]["detail"]["previous_sha256"] == "a" * 64


def test_missing_then_back_is_restored_with_the_same_id() -> None:
    batch = ChangeBatch(NOW, {b"/a": stored("/a", "t1")})
    batch.apply(MarkMissing("e1", "/a"))
    assert batch.rows["t1"]["status"] == "missing"
    batch.apply(MarkMissing("e2", "/a"))
    batch.apply(RecordObservation("e3", HistoryAction.DISCOVERED, observation("/a")))

    assert batch.rows["t1"]["status"] == "ok"
    assert batch.rows["t1"]["missing_since"] is None
    assert actions(batch) == ["missing", "restored"]


def test_move_keeps_identity_and_changes_only_path_when_content_is_known() -> None:
    batch = ChangeBatch(NOW, {b"/a": stored("/a", "t1")})
    batch.apply(MoveTrack("e1", "/a", FileStat("/b", 10, 1, 2), None))

    row = batch.rows["t1"]
    assert (row["path"], row["path_bytes"], row["title"]) == ("/b", b"/b", "T")
    assert batch.ids_with_new_path() == ["t1"]
    assert batch.history[0]["detail"] == {"from": "/a", "to": "/b"}


def test_move_onto_an_occupied_path_displaces_the_old_track() -> None:
    batch = ChangeBatch(NOW, {b"/a": stored("/a", "t1"), b"/b": stored("/b", "t2", sha="d" * 64)})
    batch.apply(MoveTrack("e1", "/a", FileStat("/b", 10, 1, 2), None))

    assert batch.rows["t2"]["path_bytes"] is None
    assert batch.rows["t2"]["status"] == "missing"
    assert batch.rows["t1"]["path_bytes"] == b"/b"
    assert actions(batch) == ["displaced", "moved"]


def test_create_after_move_in_one_batch_reuses_the_freed_path() -> None:
    batch = ChangeBatch(NOW, {b"/a": stored("/a", "t1")})
    batch.apply(MoveTrack("e1", "/a", FileStat("/b", 10, 1, 2), None))
    batch.apply(RecordObservation("e2", HistoryAction.CREATED, observation("/a", "f" * 64)))

    paths = {row["id"]: row["path_bytes"] for row in batch.rows.values()}
    assert paths["t1"] == b"/b"
    assert sorted(paths.values()) == [b"/a", b"/b"]


def test_move_of_an_unknown_source_with_observation_creates_the_track() -> None:
    batch = ChangeBatch(NOW, {})
    batch.apply(MoveTrack("e1", "/x", FileStat("/b", 10, 1, 2), observation("/b")))
    batch.apply(MoveTrack("e2", "/y", FileStat("/c", 10, 1, 2), None))

    assert [row["path"] for row in batch.rows.values()] == ["/b"]
