"""Worker processes: a crash or a hang costs only its own file; the pool goes on."""

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracktion.analysis.runner import AnalysisRunner

pytestmark = pytest.mark.integration

MISBEHAVING = textwrap.dedent(
    """
    import ctypes
    import time

    from tracktion.core.analysis import AnalysisRecord


    def analyse(path, sha256, with_tags, preferred):
        if "crash" in path:
            ctypes.string_at(0)  # a segfault, as native code on bad input can do
        if "hang" in path:
            time.sleep(60)
        if "bug" in path:
            raise ValueError("a bug in an algorithm")
        return AnalysisRecord(path=path, sha256=sha256, bpm=120.0)
    """
)


@pytest.fixture
def misbehaving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    (tmp_path / "misbehaving_analyser.py").write_text(MISBEHAVING)
    monkeypatch.syspath_prepend(str(tmp_path))
    import misbehaving_analyser  # type: ignore[import-not-found]

    yield misbehaving_analyser.analyse
    sys.modules.pop("misbehaving_analyser", None)


async def test_crashes_hangs_and_bugs_fail_their_file_only(misbehaving: object) -> None:
    heard: list[tuple[float | None, bool]] = []
    runner = AnalysisRunner(
        2,
        timeout_s=2.0,
        target=misbehaving,  # type: ignore[arg-type]
        on_analysed=lambda seconds, failed: heard.append((seconds, failed)),
    )
    try:
        paths = ["/m/ok-1.mp3", "/m/crash.mp3", "/m/hang.mp3", "/m/bug.mp3", "/m/ok-2.mp3"]
        records = [await runner.analyze(path, "a" * 64) for path in paths]
    finally:
        await runner.close()

    by_path = {record.path: record for record in records}
    assert by_path["/m/ok-1.mp3"].bpm == 120.0
    assert by_path["/m/ok-2.mp3"].bpm == 120.0
    assert "crashed" in (by_path["/m/crash.mp3"].error or "")
    assert "timed out" in (by_path["/m/hang.mp3"].error or "")
    assert "ValueError: a bug in an algorithm" in (by_path["/m/bug.mp3"].error or "")
    assert [failed for _, failed in heard] == [False, True, True, True, False]
    assert [seconds is None for seconds, _ in heard] == [False, True, True, True, False]
    assert all(0 <= (seconds or 0) < 2.0 for seconds, _ in heard)
