"""The composition root: what every consumed subscription gets on top of its handler."""

import io
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracktion.bootstrap import bootstrap
from tracktion.config import load_settings
from tracktion.core.events import Event, EventType
from tracktion.logs import configure_logging

pytestmark = pytest.mark.integration


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """What the CLI's JSON logging writes to stderr."""
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("WARNING", json=True)
    yield buffer
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_handler_log_lines_carry_the_correlation_id_of_their_events(
    tmp_path: Path, json_logs: io.StringIO
) -> None:
    app = await bootstrap(load_settings(data_dir=tmp_path / "data"))
    try:
        # Not a file observation: the catalog logs that it skipped it, and goes on.
        malformed = Event(EventType.FILE_CREATED, {"nonsense": True}, correlation_id="req-42")
        await app.bus.publish([malformed])
        await app.bus.wait_idle()
    finally:
        await app.close()

    err = json_logs.getvalue()
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    skipped = [line for line in lines if "malformed" in line["event"]]
    assert skipped, err
    assert skipped[0]["correlation_id"] == "req-42"
    assert skipped[0]["subscription"] == "catalog"
    handled = app.metrics.registry.get_sample_value(
        "tracktion_events_handled_total", {"subscription": "catalog", "type": "file.created"}
    )
    assert handled == 1
