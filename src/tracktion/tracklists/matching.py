"""Matching tracklist entries to library tracks, and how much of a mix the library covers.

Both sides are read the same way: a track's ``artist - title`` tags (or, without a title tag,
its file name less a leading track number) go through the tracklist row parser, so a track
gets artists, featured artists, a title and a remix/edit part exactly like an entry. Text is
folded (case, accents: ``"Olof"`` = ``"Ólöf"``, ``"Sorensen"`` = ``"Sørensen"``) and reduced
to letters and digits.

A candidate's score (0-100) is ``0.55 * title + 0.45 * artists``:

- title: rapidfuzz ``token_sort_ratio`` of the titles (typos and word order tolerated);
- artists: the best of ``token_set_ratio`` (one side's artists are a subset of the other's:
  a featured artist left out) and ``WRatio`` over all artists, featured ones included.

Then the version decides: a named remix (``(X Remix)``, ``(X Edit)``, a bootleg...) never
matches the original or another remixer's version (score capped at 40), while original-like
versions (``Original Mix``, ``Extended Mix``, ``Radio Edit``, no version at all) match each
other with a small penalty when both are named and differ (-4). Artists scoring below 50 cap
the score at 50 (a same-titled track by someone else); a title scoring below 80 caps it at 70
(``"Distant Rain"`` is not ``"Distant Lights"``, however well the artists agree).

:data:`MATCH_THRESHOLD` (80) is the least score that counts as a match: one-edit typos in both
artist and title still score about 90; a different title by the same artist scores 70 at most.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from tracktion.core.query import TrackQuery
from tracktion.core.search import SearchKind, SearchQuery
from tracktion.core.tracklist import CuePrecision, EntryKind
from tracktion.tracklists.entry_text import parse_entry_text
from tracktion.tracklists.ranking import normalise

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracktion.core.models import Track
    from tracktion.core.ports import CatalogStore, SearchIndex
    from tracktion.core.tracklist import Tracklist, TracklistEntry

MATCH_THRESHOLD = 80.0
"""Least score (0-100) for an entry to count as matched to a track."""
TITLE_WEIGHT = 0.55
ARTIST_WEIGHT = 0.45
VERSION_MISMATCH_CAP = 40.0
ARTIST_MISMATCH_CAP = 50.0
MIN_ARTIST_SCORE = 50.0
MIN_TITLE_SCORE = 80.0
TITLE_MISMATCH_CAP = 70.0
EDIT_PENALTY = 4.0
SAME_REMIX_SCORE = 85.0
"""Two named remixes are the same version when their remixer parts score at least this."""

_ORIGINAL_WORDS = frozenset(
    {"original", "mix", "extended", "radio", "edit", "club", "album", "version", "full", "length"}
)
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "þ": "th", "ð": "d"}
    | {"\u0131": "i"}
)
"""Letters that folding keeps but people type without: ``"Sørensen"`` is ``"Sorensen"``."""
_LEADING_NUMBER = re.compile(r"^\s*(?:\d{1,3}|[a-d]\d{1,2})(?:\s*[-.]\s*|\s+)(?=\S)", re.I)


def _key(text: str | None) -> str:
    """Folded letters-and-digits words, with letters like ``ø`` spelled plainly."""
    return normalise(text).translate(_LETTERS)


@dataclass(frozen=True, slots=True)
class TrackText:
    """What a library track says it is, parsed like a tracklist row."""

    track_id: str
    artists: tuple[str, ...]
    title: str | None
    remix: str | None


@dataclass(frozen=True, slots=True)
class EntryMatch:
    """An entry's best library track (None when nothing reached the threshold)."""

    ordinal: int
    """Index of the entry in ``Tracklist.entries``."""
    track_id: str | None
    score: float | None
    """The best candidate's score, also when below the threshold (None: no candidate)."""
    reason: str

    def to_dict(self) -> dict[str, object]:
        """JSON shape of a match."""
        return {
            "ordinal": self.ordinal,
            "track_id": self.track_id,
            "score": None if self.score is None else round(self.score, 1),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of a mix the library holds."""

    identified: int
    """Played entries (one per position) whose title is known."""
    matched: int
    """Of those, the ones matched to a library track."""
    matched_s: float | None
    """Seconds of the mix covered by matched entries (cue to next cue), when cues are known."""
    timed_s: float | None
    """Seconds of the mix whose entries have known cues."""

    @property
    def ratio(self) -> float:
        """``matched / identified`` (0.0 for a list with nothing identified)."""
        return self.matched / self.identified if self.identified else 0.0

    def to_dict(self) -> dict[str, object]:
        """JSON shape of the coverage."""
        return {
            "identified": self.identified,
            "matched": self.matched,
            "ratio": round(self.ratio, 4),
            "matched_s": None if self.matched_s is None else round(self.matched_s, 1),
            "timed_s": None if self.timed_s is None else round(self.timed_s, 1),
        }


def is_identified(entry: TracklistEntry) -> bool:
    """True for an entry that names a title and an artist (worth looking up)."""
    return entry.kind is not EntryKind.UNKNOWN and bool(entry.title) and bool(entry.artists)


def track_text(track: Track) -> TrackText:
    """A track's artists/title/remix from its tags, else from its file name."""
    tags = track.observation.tags
    artist = tags.artist or tags.albumartist
    if tags.title:
        text = f"{artist} - {tags.title}" if artist else f"ID - {tags.title}"
    else:
        stem = PurePath(track.path).stem
        text = _LEADING_NUMBER.sub("", stem).strip()
        if artist and " - " not in text:
            text = f"{artist} - {text}"
    parsed = parse_entry_text(text)
    return TrackText(track.id, parsed.artists, parsed.title, parsed.remix)


def _is_original(version: str | None) -> bool:
    words = _key(version).split()
    return all(word in _ORIGINAL_WORDS for word in words)


def _version_score(entry_remix: str | None, track_remix: str | None) -> tuple[float | None, str]:
    """None when the versions are compatible (with a penalty), else the cap and why."""
    entry_original, track_original = _is_original(entry_remix), _is_original(track_remix)
    if entry_original and track_original:
        same = _key(entry_remix) == _key(track_remix)
        if entry_remix and track_remix and not same:
            return -EDIT_PENALTY, f"other edit ({track_remix})"
        return 0.0, "same version"
    if entry_original != track_original:
        return (
            None,
            f"version mismatch ({entry_remix or 'original'} vs {track_remix or 'original'})",
        )
    ratio = fuzz.token_set_ratio(_key(entry_remix), _key(track_remix))
    if ratio < SAME_REMIX_SCORE:
        return None, f"other remix ({track_remix})"
    return 0.0, "same remix"


def _artist_score(entry: Sequence[str], track: Sequence[str]) -> float:
    left = _key(" ".join(entry))
    right = _key(" ".join(track))
    if not left or not right:
        return 0.0
    return max(float(fuzz.token_set_ratio(left, right)), float(fuzz.WRatio(left, right)))


def score_track(entry: TracklistEntry, track: TrackText) -> tuple[float, str]:
    """The score (0-100) of ``track`` for ``entry``, and a short reason."""
    if not track.title or not entry.title:
        return 0.0, "no title"
    title = float(fuzz.token_sort_ratio(_key(entry.title), _key(track.title)))
    artists = _artist_score(entry.artists, track.artists)
    score = TITLE_WEIGHT * title + ARTIST_WEIGHT * artists
    adjust, reason = _version_score(entry.remix, track.remix)
    if adjust is None:
        return min(score, VERSION_MISMATCH_CAP), reason
    score = max(0.0, score + adjust)
    if artists < MIN_ARTIST_SCORE:
        return min(score, ARTIST_MISMATCH_CAP), "other artist"
    if title < MIN_TITLE_SCORE:
        return min(score, TITLE_MISMATCH_CAP), f"other title ({track.title})"
    detail = f"title {title:.0f}, artists {artists:.0f}, {reason}"
    return score, detail


def best_match(ordinal: int, entry: TracklistEntry, candidates: Sequence[TrackText]) -> EntryMatch:
    """The best-scoring candidate; a match only at or above :data:`MATCH_THRESHOLD`."""
    if not is_identified(entry):
        return EntryMatch(ordinal, None, None, "not identified")
    if not candidates:
        return EntryMatch(ordinal, None, None, "no candidate in the library")
    scored = sorted(
        ((*score_track(entry, candidate), candidate.track_id) for candidate in candidates),
        key=lambda item: (-item[0], item[2]),
    )
    score, reason, track_id = scored[0]
    if score < MATCH_THRESHOLD:
        return EntryMatch(ordinal, None, score, f"best candidate below threshold: {reason}")
    return EntryMatch(ordinal, track_id, score, reason)


def coverage(tracklist: Tracklist, matches: Sequence[EntryMatch]) -> Coverage:
    """Matched / identified played entries, and matched seconds where cues are known.

    An entry's time runs from its cue to the next played entry's cue (the last one: to the
    mix's duration, when known). Minute and partial cues count as they are.
    """
    by_ordinal = {match.ordinal: match for match in matches}
    played = [
        (ordinal, entry)
        for ordinal, entry in enumerate(tracklist.entries)
        if entry.kind in (EntryKind.TRACK, EntryKind.UNKNOWN)
    ]
    identified = [(o, e) for o, e in played if is_identified(e)]
    matched = {o for o, _ in identified if (m := by_ordinal.get(o)) and m.track_id}
    timed_s = matched_s = 0.0
    timed_any = False
    for index, (ordinal, entry) in enumerate(played):
        start = entry.cue_s if entry.cue_precision is not CuePrecision.UNKNOWN else None
        if index + 1 < len(played):
            following = played[index + 1][1]
            end = following.cue_s if following.cue_precision is not CuePrecision.UNKNOWN else None
        else:
            end = tracklist.duration_s
        if start is None or end is None or end <= start:
            continue
        timed_any = True
        timed_s += end - start
        if ordinal in matched:
            matched_s += end - start
    return Coverage(
        identified=len(identified),
        matched=len(matched),
        matched_s=matched_s if timed_any else None,
        timed_s=timed_s if timed_any else None,
    )


class LibraryMatcher:
    """Finds each entry's library track: candidates from the search index (artist + title,
    then title alone), else from the catalog's substring filter (which also reads file paths,
    so untagged files named ``Artist - Title`` are found); then :func:`best_match` decides."""

    def __init__(
        self, catalog: CatalogStore, search: SearchIndex | None = None, *, candidates: int = 10
    ) -> None:
        self._catalog = catalog
        self._search = search
        self._limit = candidates

    async def match(self, tracklist: Tracklist) -> list[EntryMatch]:
        """One :class:`EntryMatch` per entry of ``tracklist``, in order."""
        texts: dict[str, TrackText] = {}
        results = []
        for ordinal, entry in enumerate(tracklist.entries):
            if not is_identified(entry):
                results.append(best_match(ordinal, entry, ()))
                continue
            ids = await self._search_ids(entry)
            found = best_match(ordinal, entry, await self._texts(ids, texts))
            if found.track_id is None:
                query = TrackQuery(text=entry.title, limit=self._limit * 3)
                tracks = await self._catalog.list_tracks(query)
                texts.update((track.id, track_text(track)) for track in tracks)
                ids = list(dict.fromkeys([*ids, *(track.id for track in tracks)]))
                found = best_match(ordinal, entry, [texts[i] for i in ids if i in texts])
            results.append(found)
        return results

    async def _search_ids(self, entry: TracklistEntry) -> list[str]:
        if self._search is None or not entry.title:
            return []
        ids: list[str] = []
        for text in (f"{' '.join(entry.artists)} {entry.title}", entry.title):
            try:
                query = SearchQuery(text, frozenset({SearchKind.TRACK}), self._limit)
                results = await self._search.search(query)
            except ValueError:
                continue
            ids.extend(hit.id for hit in results.hits)
        return list(dict.fromkeys(ids))

    async def _texts(self, ids: Sequence[str], known: dict[str, TrackText]) -> list[TrackText]:
        for track_id in ids:
            if track_id not in known and (track := await self._catalog.get(track_id)) is not None:
                known[track_id] = track_text(track)
        return [known[track_id] for track_id in ids if track_id in known]
