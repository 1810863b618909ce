"""TracklistService: import a tracklist (URL or file), keep it, match it to the library.

``import_`` reads the source, saves the tracklist (a source imported again updates the same
record), matches every entry to the library, stores the matches and publishes
``tracklist.imported``. A site's challenge page raises ``TracklistBlockedError``: it is never
saved as an empty tracklist.

Sources:

- a MixesDB URL (host ``mixesdb.com``, or ``hint="mixesdb"``): the wikitext comes from the
  site's MediaWiki ``/w/api.php`` (``action=parse``), never from the rendered page;
- any other URL (1001Tracklists): the page, fetched politely (allow-list, robots.txt, rate
  limits, cache), parsed by its kind (host, ``.html`` suffix, content, or ``hint``);
- a file path: ``.html`` (a saved 1001Tracklists page), ``.wikitext`` (MixesDB), anything else
  as text; the content decides when the extension does not (``hint`` overrides both).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from charset_normalizer import from_bytes

from tracktion.core.errors import NotFoundError, TracklistError
from tracktion.core.events import Event, EventType
from tracktion.tracklists.detect import parse_tracklist
from tracktion.tracklists.matching import (
    Coverage,
    EntryMatch,
    LibraryMatcher,
    coverage,
    is_identified,
)
from tracktion.tracklists.mixesdb import (
    api_params,
    page_title_from_url,
    parse_mixesdb,
    wikitext_from_api,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from tracktion.core.fetching import PageFetcher
    from tracktion.core.ports import CatalogStore, SearchIndex, TracklistStore
    from tracktion.core.tracklist import Tracklist

logger = logging.getLogger(__name__)

MIXESDB_API_PATH = "/w/api.php"
_MIXESDB_HINTS = frozenset({"mixesdb", "wikitext", "wiki"})


@dataclass(frozen=True, slots=True)
class TracklistMatches:
    """A stored tracklist's library matches (one per entry) and its coverage."""

    tracklist: Tracklist
    matches: tuple[EntryMatch, ...]
    coverage: Coverage
    tracks: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The matched tracks by id: ``{"artist", "title", "path"}`` for display."""

    def to_dict(self) -> dict[str, Any]:
        """``{matches: [...], coverage: {...}}``; each match carries its track's details."""
        return {
            "matches": [
                {**match.to_dict(), "track": self.tracks.get(match.track_id or "")}
                for match in self.matches
            ],
            "coverage": self.coverage.to_dict(),
        }


def is_url(source: str) -> bool:
    """True for an ``http(s)://`` source."""
    return urlsplit(source).scheme.casefold() in {"http", "https"}


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), else the encoding charset-normalizer finds most likely."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise TracklistError("the file is not text (no encoding decodes it)") from None
        return str(best)


class TracklistService:
    """Imports tracklists and links their entries to the library."""

    def __init__(
        self,
        store: TracklistStore,
        catalog: CatalogStore,
        search: SearchIndex | None,
        fetcher: PageFetcher | None,
        publish: Callable[[Sequence[Event]], Awaitable[None]],
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._matcher = LibraryMatcher(catalog, search)
        self._fetcher = fetcher
        self._publish = publish

    async def import_(self, source: str, *, hint: str | None = None) -> Tracklist:
        """Read, save, match and announce the tracklist at ``source`` (URL or file path).

        Raises ``TracklistBlockedError`` for a challenge page, ``TracklistError`` for a source
        without a tracklist, ``FetchError`` (and subclasses) when a URL cannot be fetched and
        ``NotFoundError`` for a missing file.
        """
        parsed = await self._from_url(source, hint) if is_url(source) else _from_file(source, hint)
        if not parsed.entries:
            raise TracklistError(f"{source}: no tracklist entries found")
        saved = await self._store.save(parsed)
        saved_id = _stored_id(saved)
        matches = await self._matcher.match(saved)
        await self._store.set_matches(saved_id, [(m.ordinal, m.track_id, m.score) for m in matches])
        found = coverage(saved, matches)
        logger.info(
            "imported tracklist %s (%s): %d entries, %d/%d matched",
            saved.id,
            saved.source,
            len(saved.entries),
            found.matched,
            found.identified,
        )
        await self._publish(
            [
                Event(
                    type=EventType.TRACKLIST_IMPORTED,
                    payload={
                        "tracklist_id": saved_id,
                        "title": saved.title,
                        "djs": list(saved.djs),
                        "source": saved.source,
                        "source_kind": saved.source_kind,
                        "entries": len(saved.entries),
                        "identified": found.identified,
                        "matched": found.matched,
                    },
                )
            ]
        )
        return saved

    async def show(self, ref: str) -> Tracklist:
        """A stored tracklist by id (or a unique start of it); raises ``NotFoundError``."""
        tracklist = await self._store.get(ref)
        if tracklist is None:
            raise NotFoundError(f"no tracklist {ref!r}")
        return tracklist

    async def matches(self, ref: str) -> TracklistMatches:
        """The stored matches of a tracklist's entries, its coverage and the matched tracks."""
        tracklist = await self.show(ref)
        stored = await self._store.matches(_stored_id(tracklist))
        matches = []
        for ordinal, entry in enumerate(tracklist.entries):
            track_id, score = stored.get(ordinal, (None, None))
            if track_id is not None:
                reason = "matched"
            elif not is_identified(entry):
                reason = "not identified"
            else:
                reason = "not in the library"
            matches.append(EntryMatch(ordinal, track_id, score, reason))
        tracks: dict[str, dict[str, Any]] = {}
        for match in matches:
            if match.track_id and match.track_id not in tracks:
                track = await self._catalog.get(match.track_id)
                if track is not None:
                    tags = track.observation.tags
                    tracks[track.id] = {
                        "artist": tags.artist,
                        "title": tags.title,
                        "path": track.path,
                    }
        return TracklistMatches(tracklist, tuple(matches), coverage(tracklist, matches), tracks)

    async def list_tracklists(
        self, limit: int = 50, offset: int = 0, query: str | None = None
    ) -> list[Tracklist]:
        """Stored tracklists, newest first, without their entries."""
        return await self._store.list_tracklists(limit, offset, query)

    async def _from_url(self, url: str, hint: str | None) -> Tracklist:
        if self._fetcher is None:
            raise TracklistError("fetching web pages is not configured")
        host = (urlsplit(url).hostname or "").casefold()
        if host.endswith("mixesdb.com") or (hint or "").casefold() in _MIXESDB_HINTS:
            title = page_title_from_url(url)
            api = urljoin(url, MIXESDB_API_PATH)
            page = await self._fetcher.fetch(api, params=api_params(title))
            try:
                answer = json.loads(page.text)
            except ValueError as exc:
                raise TracklistError(f"{api}: the answer is not JSON ({exc})") from exc
            if not isinstance(answer, dict):
                raise TracklistError(f"{api}: the answer is not a JSON object")
            wiki = wikitext_from_api(answer)
            return parse_mixesdb(wiki.wikitext, page_title=wiki.title or title, source=url)
        page = await self._fetcher.fetch(url)
        return parse_tracklist(page.text, source=url, hint=hint)


def _from_file(source: str, hint: str | None) -> Tracklist:
    path = Path(source).expanduser()
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFoundError(f"no such file: {source}") from exc
    except OSError as exc:
        raise TracklistError(f"cannot read {source}: {exc.strerror or exc}") from exc
    return parse_tracklist(decode_text(data), source=str(path.resolve()), hint=hint)


def _stored_id(tracklist: Tracklist) -> str:
    if tracklist.id is None:
        raise TracklistError(f"tracklist {tracklist.title!r} came back from the store without id")
    return tracklist.id
