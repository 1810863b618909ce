"""TracklistService through the app: real files, a real catalog, a real HTTP server."""

import json
import shutil
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path

import pytest

from tracktion.bootstrap import App, bootstrap
from tracktion.config import load_settings
from tracktion.core.errors import HostNotAllowedError, NotFoundError, TracklistBlockedError
from tracktion.core.events import Event, EventType
from tracktion.core.tracklist import CuePrecision

from ..conftest import Reply, Serve

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parents[2] / "fixtures"
TRACKLISTS = FIXTURES / "tracklists"
MIX = TRACKLISTS / "mix"
PAGE = TRACKLISTS / "1001tracklists" / "bicep-nts-radio-2022-06-16.html"
CHALLENGE = TRACKLISTS / "1001tracklists" / "challenge-page-bicep-nts-radio-2022-06-16.html"
WIKITEXT = MIX / "mix01.mixesdb.wikitext"


def truth() -> list[str]:
    """File names of the mix's tracks, in order (mix_truth.csv)."""
    lines = (MIX / "mix_truth.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [Path(line.split(",")[2]).name for line in lines]


def mixesdb_api(query: Mapping[str, list[str]]) -> Reply:
    """MixesDB's api.php: the wikitext of the mix, whichever page is asked for."""
    assert query["action"] == ["parse"]
    assert query["prop"] == ["wikitext"]
    answer = {
        "parse": {"title": query["page"][0], "wikitext": WIKITEXT.read_text(encoding="utf-8")}
    }
    return Reply(json.dumps(answer).encode(), "application/json")


@pytest.fixture(scope="module")
def site(serve: Serve) -> str:
    """1001Tracklists and MixesDB's api.php on loopback."""
    return serve(
        {
            "/tracklist/2hjnqr0t/bicep-nts-radio-2022-06-16.html": Reply(PAGE.read_bytes()),
            "/tracklist/blocked/bicep.html": Reply(CHALLENGE.read_bytes()),
            "/w/api.php": mixesdb_api,
        }
    )


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, events: Sequence[Event]) -> None:
        self.events.extend(events)


@pytest.fixture
async def app(tmp_path: Path, site: str) -> AsyncIterator[App]:
    settings = load_settings(
        data_dir=tmp_path / "data", fetch_allowed_hosts=[site], fetch_allow_http=True
    )
    application = await bootstrap(settings)
    root = tmp_path / "Music"
    shutil.copytree(FIXTURES / "corpus" / "tracks", root)
    await application.scanner().scan([str(root)])
    await application.bus.wait_idle()
    yield application
    await application.close()


@pytest.mark.parametrize("name", ["mix01.1001tl.txt", "mix01.mixesdb.wikitext", "mix01.plain.txt"])
async def test_the_corpus_mix_is_fully_covered_by_the_library(app: App, name: str) -> None:
    recorder = Recorder()
    app.bus.subscribe("test", "tracklist.*", recorder)

    tracklist = await app.tracklists.import_(str(MIX / name))
    found = await app.tracklists.matches(tracklist.id or "")

    assert len(tracklist.entries) == 6
    assert [m.track_id is not None for m in found.matches] == [True] * 6
    matched = [Path(found.tracks[m.track_id or ""]["path"]).name for m in found.matches]
    assert matched == truth()
    assert all(m.score is not None and m.score >= 95 for m in found.matches)
    assert (found.coverage.identified, found.coverage.matched) == (6, 6)
    assert found.coverage.ratio == 1.0
    if name != "mix01.plain.txt":
        assert found.coverage.matched_s == found.coverage.timed_s
        assert found.coverage.timed_s is not None
    await app.bus.wait_idle()
    [event] = recorder.events
    assert event.type == EventType.TRACKLIST_IMPORTED
    assert event.payload["tracklist_id"] == tracklist.id
    assert (event.payload["matched"], event.payload["identified"]) == (6, 6)


async def test_reimporting_a_source_keeps_its_id(app: App) -> None:
    first = await app.tracklists.import_(str(MIX / "mix01.1001tl.txt"))
    again = await app.tracklists.import_(str(MIX / "mix01.1001tl.txt"))
    assert first.id == again.id
    assert len(await app.tracklists.list_tracklists()) == 1
    shown = await app.tracklists.show((first.id or "")[:13])
    assert shown.entries == first.entries


async def test_a_saved_1001tracklists_page(app: App) -> None:
    tracklist = await app.tracklists.import_(str(PAGE))
    assert tracklist.source_kind == "1001tracklists"
    assert tracklist.djs == ("Bicep",)
    assert len(tracklist.played) == 14
    found = await app.tracklists.matches(tracklist.id or "")
    assert found.coverage.matched == 0
    assert found.coverage.identified > 0


async def test_a_mixesdb_wikitext_file(app: App) -> None:
    path = TRACKLISTS / "mixesdb" / "2025-12-21_Charis_The_Sphere_Chair.hash-format.wikitext"
    tracklist = await app.tracklists.import_(str(path))
    assert tracklist.source_kind == "mixesdb"
    assert tracklist.entries
    assert any(e.cue_precision is CuePrecision.PARTIAL for e in tracklist.entries)


async def test_a_challenge_page_is_blocked_never_an_empty_tracklist(app: App) -> None:
    with pytest.raises(TracklistBlockedError, match="challenge"):
        await app.tracklists.import_(str(CHALLENGE))
    assert await app.tracklists.list_tracklists() == []


async def test_a_missing_file_is_not_found(app: App, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        await app.tracklists.import_(str(tmp_path / "nothing.txt"))


async def test_a_url_is_fetched_from_the_allow_listed_server(app: App, site: str) -> None:
    url = f"http://{site}/tracklist/2hjnqr0t/bicep-nts-radio-2022-06-16.html"
    tracklist = await app.tracklists.import_(url)
    assert tracklist.source == url
    assert tracklist.source_kind == "1001tracklists"
    assert len(tracklist.played) == 14
    again = await app.tracklists.import_(url)
    assert again.id == tracklist.id


async def test_a_blocked_url_raises_and_saves_nothing(app: App, site: str) -> None:
    with pytest.raises(TracklistBlockedError):
        await app.tracklists.import_(f"http://{site}/tracklist/blocked/bicep.html")
    assert await app.tracklists.list_tracklists() == []


async def test_mixesdb_urls_are_read_through_api_php(app: App, site: str) -> None:
    url = f"http://{site}/w/2024-05-01_-_DJ_Pelmeni_-_Hafenkante_Warehouse_Session"
    tracklist = await app.tracklists.import_(url, hint="mixesdb")
    assert tracklist.source_kind == "mixesdb"
    assert tracklist.djs == ("DJ Pelmeni",)
    assert tracklist.date == "2024-05-01"
    found = await app.tracklists.matches(tracklist.id or "")
    assert found.coverage.matched == 6


async def test_hosts_off_the_allow_list_are_refused(app: App) -> None:
    with pytest.raises(HostNotAllowedError):
        await app.tracklists.import_("http://169.254.169.254/latest/meta-data/")
