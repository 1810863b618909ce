"""Tracklists of DJ mixes: the mix, its entries, and how precisely each cue time is known.

The JSON shape of :meth:`Tracklist.to_dict` is a contract (``tracktion tracklist import/show
--json``): ``{title, djs, date, source, entries: [{position, kind, cue_s, cue_precision,
artists, title, remix, label, ...}]}``. Fields may be added, never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EntryKind(StrEnum):
    """What a tracklist row is."""

    TRACK = "track"
    """A played track (its title is known)."""
    PLAYED_WITH = "played_with"
    """A ``w/`` row: played on top of the previous track; shares its position."""
    MASHUP_PART = "mashup_part"
    """One source of a mashup; shares the mashup's position."""
    UNKNOWN = "unknown"
    """An unidentified track: ``ID - ID`` (no artists) or ``Artist - ID`` (artists kept)."""


class CuePrecision(StrEnum):
    """How much of an entry's cue time the source knew."""

    EXACT = "exact"
    """To the second: ``12:34``, ``1:02:03``, a hidden seconds input."""
    MINUTE = "minute"
    """Minute only: MixesDB's ``[12]`` / ``[123]``."""
    PARTIAL = "partial"
    """Some digits unknown: ``[3?]``, ``[1?:??]``; ``cue_s`` is the earliest time it can be."""
    UNKNOWN = "unknown"
    """No time at all; ``cue_s`` is None."""


@dataclass(frozen=True, slots=True)
class TracklistEntry:
    """One row of a tracklist."""

    position: int
    """Track number in the mix (1-based); ``w/`` rows and mashup parts carry their parent's."""
    kind: EntryKind
    cue_s: float | None = None
    cue_precision: CuePrecision = CuePrecision.UNKNOWN
    artists: tuple[str, ...] = ()
    """Main artists in credited order, split on ``&``, ``feat.``, ``vs.``, ``x``, ``,``."""
    title: str | None = None
    """Title without the remix part; None when unidentified (``ID``)."""
    remix: str | None = None
    """Remix/edit/version from the trailing parentheses: ``"Bicep Remix"``."""
    label: str | None = None
    catalog_number: str | None = None
    featured: tuple[str, ...] = ()
    """Artists credited with ``feat.``/``ft.`` (also listed in ``artists``)."""
    unconfirmed: bool = False
    """The source marks the row uncertain (MixesDB ``''italic''``, a trailing ``?``)."""
    section: str | None = None
    """The heading the row sits under (MixesDB ``;Part 2``, a DJ's name in a back-to-back)."""
    note: str | None = None
    raw: str = ""
    """The source line or row text, for the user to check the parse."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of an entry."""
        return {
            "position": self.position,
            "kind": self.kind.value,
            "cue_s": self.cue_s,
            "cue_precision": self.cue_precision.value,
            "artists": list(self.artists),
            "title": self.title,
            "remix": self.remix,
            "label": self.label,
            "catalog_number": self.catalog_number,
            "featured": list(self.featured),
            "unconfirmed": self.unconfirmed,
            "section": self.section,
            "note": self.note,
            "raw": self.raw,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TracklistEntry:
        """Inverse of :meth:`to_dict`."""
        return cls(
            position=int(data["position"]),
            kind=EntryKind(data["kind"]),
            cue_s=data.get("cue_s"),
            cue_precision=CuePrecision(data.get("cue_precision", CuePrecision.UNKNOWN)),
            artists=tuple(data.get("artists") or ()),
            title=data.get("title"),
            remix=data.get("remix"),
            label=data.get("label"),
            catalog_number=data.get("catalog_number"),
            featured=tuple(data.get("featured") or ()),
            unconfirmed=bool(data.get("unconfirmed", False)),
            section=data.get("section"),
            note=data.get("note"),
            raw=data.get("raw", ""),
        )

    @property
    def display(self) -> str:
        """``Artist & Artist - Title (Remix)``, with ``ID`` for unknown parts."""
        artists = " & ".join(self.artists) or "ID"
        title = self.title or "ID"
        return f"{artists} - {title} ({self.remix})" if self.remix else f"{artists} - {title}"


@dataclass(frozen=True, slots=True)
class Tracklist:
    """A DJ mix and what was played in it."""

    title: str
    djs: tuple[str, ...] = ()
    date: str | None = None
    """ISO date (``YYYY-MM-DD``) of the recording or broadcast, when known."""
    source: str | None = None
    """Where it came from: the page URL, or the imported file's path."""
    source_kind: str = "text"
    """``1001tracklists``, ``mixesdb``, ``text``."""
    duration_s: float | None = None
    styles: tuple[str, ...] = ()
    entries: tuple[TracklistEntry, ...] = field(default_factory=tuple)
    id: str | None = None
    """Set once stored."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of a tracklist."""
        return {
            "id": self.id,
            "title": self.title,
            "djs": list(self.djs),
            "date": self.date,
            "source": self.source,
            "source_kind": self.source_kind,
            "duration_s": self.duration_s,
            "styles": list(self.styles),
            "entries": [entry.to_dict() for entry in self.entries],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tracklist:
        """Inverse of :meth:`to_dict`."""
        return cls(
            id=data.get("id"),
            title=data["title"],
            djs=tuple(data.get("djs") or ()),
            date=data.get("date"),
            source=data.get("source"),
            source_kind=data.get("source_kind", "text"),
            duration_s=data.get("duration_s"),
            styles=tuple(data.get("styles") or ()),
            entries=tuple(TracklistEntry.from_dict(e) for e in data.get("entries") or ()),
        )

    @property
    def played(self) -> tuple[TracklistEntry, ...]:
        """One entry per position: the rows that start a track (not ``w/`` rows or parts)."""
        return tuple(e for e in self.entries if e.kind in (EntryKind.TRACK, EntryKind.UNKNOWN))
