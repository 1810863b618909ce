from tracktion.core.models import FileStat
from tracktion.watcher.debounce import Debouncer


class Disk:
    def __init__(self) -> None:
        self.now = 0.0
        self.files: dict[str, FileStat] = {}

    def clock(self) -> float:
        return self.now

    def stat(self, path: str) -> FileStat | None:
        return self.files.get(path)

    def write(self, path: str, size: int) -> None:
        self.files[path] = FileStat(path, size, int(self.now * 1e9), 1)


def make() -> tuple[Disk, Debouncer]:
    disk = Disk()
    return disk, Debouncer(0.25, clock=disk.clock, stat=disk.stat)


def test_a_file_is_ready_once_it_holds_still_for_the_settle_time() -> None:
    disk, debouncer = make()
    disk.write("/a", 10)
    debouncer.touch("/a")

    disk.now = 0.2
    assert debouncer.ready() == []
    disk.now = 0.3
    assert [stat.path for stat in debouncer.ready()] == ["/a"]
    assert len(debouncer) == 0


def test_a_file_still_growing_waits() -> None:
    disk, debouncer = make()
    disk.write("/a", 10)
    debouncer.touch("/a")
    disk.now = 0.3
    disk.write("/a", 20)

    assert debouncer.ready() == []
    disk.now = 0.6
    assert [stat.size for stat in debouncer.ready()] == [20]


def test_closed_files_settle_faster_and_touches_restart_the_wait() -> None:
    disk, debouncer = make()
    disk.write("/a", 10)
    debouncer.touch("/a", settle_s=0.05)
    assert debouncer.next_due() == 0.05
    disk.now = 0.06
    assert len(debouncer.ready()) == 1

    debouncer.touch("/b")
    disk.now = 0.5
    assert debouncer.ready() == []
    assert len(debouncer) == 0


def test_cancelled_paths_are_forgotten() -> None:
    disk, debouncer = make()
    disk.write("/a", 1)
    debouncer.touch("/a")
    debouncer.cancel("/a")
    disk.now = 1
    assert debouncer.ready() == []
    assert debouncer.next_due() is None
