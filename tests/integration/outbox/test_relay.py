"""OutboxRelay: a kill between commit and publish loses no event."""

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tracktion.bootstrap import bootstrap
from tracktion.config import load_settings
from tracktion.core.events import EventType

pytestmark = pytest.mark.integration

_KILLED_BETWEEN_COMMIT_AND_PUBLISH = textwrap.dedent(
    """
    import asyncio, os, sys
    from tracktion.bootstrap import bootstrap
    from tracktion.config import load_settings
    from tracktion.core.models import FileObservation, FileStat, Fingerprint, Tags
    from tracktion.watcher import file_events

    async def main() -> None:
        app = await bootstrap(load_settings(data_dir=sys.argv[1]))

        async def die(events):  # the process is killed right after the commit
            if events:
                os._exit(9)

        app.catalog._publish = die
        observation = FileObservation(
            FileStat("/m/a.mp3", 10, 1, 2), Fingerprint("a" * 64, "a" * 32, 10), tags=Tags()
        )
        await app.catalog.handle([file_events.observed("file.created", observation)])

    asyncio.run(main())
    """
)


async def test_events_committed_before_a_kill_are_published_after_restart(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    died = subprocess.run(
        [sys.executable, "-c", _KILLED_BETWEEN_COMMIT_AND_PUBLISH, str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert died.returncode == 9, died.stderr

    app = await bootstrap(load_settings(data_dir=data_dir))  # its relay sweeps at start
    try:
        for _ in range(200):
            updates = await app.events.recent(10, "catalog.*")
            if updates:
                break
            await asyncio.sleep(0.05)
        await app.bus.wait_idle()
        assert [e.type for e in updates] == [EventType.TRACK_UPDATED]
        assert updates[0].payload["path"] == "/m/a.mp3"
        assert await app.outbox.counts() == {"pending": 0, "sent": 1}
    finally:
        await app.close()
