from tracktion.core.events import EventType
from tracktion.core.ids import TrackId
from tracktion.core.models import FileObservation, FileStat, Fingerprint, KnownFile, TrackStatus
from tracktion.watcher.plan import Reconciler, plan_scan


def known(path: str, sha: str, *, status: TrackStatus = TrackStatus.OK, ino: int = 1) -> KnownFile:
    return KnownFile(TrackId(f"id-{path}"), FileStat(path, 10, 100, ino), sha, status)


def observed(path: str, sha: str) -> FileObservation:
    return FileObservation(FileStat(path, 10, 200, 9), Fingerprint(sha, "x" * 32, 10))


def test_unchanged_files_are_skipped_and_changed_ones_read() -> None:
    catalog = {"/m/a": known("/m/a", "A"), "/m/b": known("/m/b", "B")}
    found = [FileStat("/m/a", 10, 100, 1), FileStat("/m/b", 10, 101, 1), FileStat("/m/c", 5, 1, 3)]

    plan = plan_scan(found, catalog)

    assert plan.unchanged == 1
    assert [stat.path for stat in plan.to_probe] == ["/m/b", "/m/c"]
    assert plan.vanished == {}


def test_a_replaced_inode_counts_as_changed() -> None:
    plan = plan_scan([FileStat("/m/a", 10, 100, 2)], {"/m/a": known("/m/a", "A", ino=1)})

    assert [stat.path for stat in plan.to_probe] == ["/m/a"]


def test_missing_tracks_found_again_are_read_and_not_vanished() -> None:
    catalog = {
        "/m/back": known("/m/back", "A", status=TrackStatus.MISSING),
        "/m/still-gone": known("/m/still-gone", "B", status=TrackStatus.MISSING),
    }

    plan = plan_scan([FileStat("/m/back", 10, 100, 1)], catalog)

    assert [stat.path for stat in plan.to_probe] == ["/m/back"]
    assert plan.vanished == {}


def test_moves_are_found_by_hash_and_the_rest_deleted() -> None:
    catalog = {
        "/m/old-name": known("/m/old-name", "A"),
        "/m/gone": known("/m/gone", "G"),
        "/m/edited": known("/m/edited", "E1"),
    }
    plan = plan_scan([FileStat("/m/edited", 11, 1, 1)], catalog)
    reconciler = Reconciler(catalog, plan.vanished)

    moved = reconciler.event_for(observed("/m/new-name", "A"))
    edited = reconciler.event_for(observed("/m/edited", "E2"))
    fresh = reconciler.event_for(observed("/m/fresh", "A"))
    deletions = reconciler.deletions()

    assert moved.type == EventType.FILE_MOVED
    assert (moved.payload["old_path"], moved.payload["path"]) == ("/m/old-name", "/m/new-name")
    assert edited.type == EventType.FILE_MODIFIED
    assert fresh.type == EventType.FILE_DISCOVERED
    assert [event.payload["path"] for event in deletions] == ["/m/gone"]
    assert all(event.type == EventType.FILE_DELETED for event in deletions)


def test_a_file_back_at_its_missing_path_is_discovered_not_moved() -> None:
    catalog = {
        "/m/a": known("/m/a", "A", status=TrackStatus.MISSING),
        "/m/twin": known("/m/twin", "A"),
    }
    reconciler = Reconciler(catalog, {"/m/twin": catalog["/m/twin"]})

    event = reconciler.event_for(observed("/m/a", "A"))

    assert event.type == EventType.FILE_DISCOVERED
    assert [e.payload["path"] for e in reconciler.deletions()] == ["/m/twin"]
