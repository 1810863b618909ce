"""AnalysisService on fakes: forced re-analysis of requested content."""

from collections.abc import Sequence

from tracktion.analysis.service import AnalysisService
from tracktion.core.analysis import AnalysisRecord
from tracktion.core.events import Event, EventType
from tracktion.core.models import TrackStatus

SHA = "a" * 64


class Bus:
    """Keeps what is published."""

    def __init__(self) -> None:
        self.published: list[Event] = []

    def subscribe(self, name: str, pattern: str, handler: object) -> None: ...

    def declare(self, name: str, pattern: str) -> None: ...

    async def start(self) -> None: ...

    async def publish(self, events: Sequence[Event]) -> None:
        self.published.extend(events)

    async def wait_idle(self) -> None: ...

    async def close(self) -> None: ...


class Store:
    """Every hash is already analysed."""

    async def save(self, records: Sequence[AnalysisRecord]) -> None: ...

    async def get(self, sha256: str) -> AnalysisRecord | None:
        return None

    async def analysed(self, sha256s: Sequence[str]) -> set[str]:
        return set(sha256s)

    async def missing(self, limit: int = 10_000) -> list[tuple[str, str, str | None]]:
        return []


class Analyzer:
    """Answers 124 BPM, or an error for paths ending in ``.bad``; counts its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, str | None]] = []

    async def analyze(
        self, path: str, sha256: str | None, genre: str | None = None
    ) -> AnalysisRecord:
        self.calls.append((path, sha256, genre))
        if path.endswith(".bad"):
            return AnalysisRecord(path, sha256, error="cannot decode")
        return AnalysisRecord(path, sha256, bpm=124.0, key="A minor")

    async def close(self) -> None: ...


def request(path: str = "/m/a.flac", sha256: str = SHA, genre: str | None = "House") -> Event:
    payload = {"sha256": sha256, "path": path, "genre": genre, "track_id": "t1"}
    return Event(EventType.ANALYSIS_REQUESTED, payload, correlation_id="again-1")


def service() -> tuple[AnalysisService, Bus, Analyzer]:
    bus, analyzer = Bus(), Analyzer()
    return AnalysisService(bus, Store(), analyzer), bus, analyzer


async def test_a_request_analyses_content_that_was_analysed_before() -> None:
    analysis, bus, analyzer = service()
    update = Event(
        EventType.TRACK_UPDATED,
        {"sha256": SHA, "path": "/m/a.flac", "status": TrackStatus.OK.value},
    )
    await analysis.handle([update])  # already analysed: nothing to do
    asked = request()

    await analysis.handle_requests([asked])

    assert analyzer.calls == [("/m/a.flac", SHA, "House")]
    (result,) = bus.published
    assert result.type == EventType.ANALYSIS_COMPLETED
    assert (result.causation_id, result.correlation_id) == (asked.id, "again-1")
    assert (result.payload["sha256"], result.payload["bpm"]) == (SHA, 124.0)


async def test_a_request_is_honoured_again_after_the_content_was_analysed_here() -> None:
    analysis, bus, analyzer = service()
    await analysis.handle_requests([request()])
    again = request()

    await analysis.handle_requests([again])

    assert len(analyzer.calls) == 2
    assert bus.published[-1].causation_id == again.id


async def test_requests_for_one_content_share_an_analysis_and_each_gets_its_result() -> None:
    analysis, bus, analyzer = service()
    first, second = request(), request(path="/m/copy.flac")

    await analysis.handle_requests([first, second])

    assert len(analyzer.calls) == 1
    assert [event.causation_id for event in bus.published] == [first.id, second.id]


async def test_a_failed_re_analysis_is_published_as_failed_for_its_request() -> None:
    analysis, bus, _ = service()
    asked = request(path="/m/broken.bad", sha256="b" * 64)

    await analysis.handle_requests([asked])

    (result,) = bus.published
    assert result.type == EventType.ANALYSIS_FAILED
    assert result.causation_id == asked.id
    assert result.payload["error"] == "cannot decode"


async def test_malformed_requests_are_skipped() -> None:
    analysis, bus, analyzer = service()

    await analysis.handle_requests(
        [
            Event(EventType.ANALYSIS_REQUESTED, {"path": "/m/a.flac"}),
            Event(EventType.TRACK_UPDATED, {"sha256": SHA, "path": "/m/a.flac"}),
        ]
    )

    assert analyzer.calls == []
    assert bus.published == []
