"""One tracklist row's text: ``Artist & Artist feat. C - Title (Remix) [Label - CAT1]``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracktion.core.tracklist import CuePrecision, EntryKind, TracklistEntry

_DASHES = "\u2013\u2014\u2012\u2212"
_SEPARATOR = re.compile(rf"\s+[-{_DASHES}]+\s+|\s*[{_DASHES}]\s*")
_FEAT = re.compile(r"\s*\b(?:feat\.?|ft\.?|featuring)(?=\s|$)\s*", re.IGNORECASE)
_FEAT_GROUP = re.compile(r"^(?:feat\.?|ft\.?|featuring)\s+(?P<who>.+)$", re.IGNORECASE)
_ARTIST_SPLIT = re.compile(r"\s+&\s+|\s*,\s+|\s*,(?=\S)|\s+(?:vs\.?|x)\s+", re.IGNORECASE)
_REMIX_WORDS = re.compile(
    r"\b(?:re-?mix|rmx|edit|re-?edit|mix|dub|version|rework|bootleg|vip|flip|remake|retake|"
    r"refix|rezone|reprise|cut|instrumental|acapella|a\s?cappella|extended|live|mashup|"
    r"remaster(?:ed)?|treatment|interpretation|reconstruction|rendition|re-?work)\b",
    re.IGNORECASE,
)
_UNKNOWN_WORDS = frozenset({"id", "?", "??", "???", "unknown", ""})
_OPENERS = "(["
_CLOSERS = ")]"


@dataclass(frozen=True, slots=True)
class EntryText:
    """What a row's text says, before it gets a position and a cue."""

    artists: tuple[str, ...] = ()
    featured: tuple[str, ...] = ()
    title: str | None = None
    remix: str | None = None
    label: str | None = None
    catalog_number: str | None = None
    unconfirmed: bool = False
    raw: str = ""

    @property
    def kind(self) -> EntryKind:
        """UNKNOWN for ``ID - ID`` / ``Artist - ID`` (no title), else TRACK."""
        return EntryKind.UNKNOWN if self.title is None else EntryKind.TRACK

    def entry(
        self,
        position: int,
        *,
        kind: EntryKind | None = None,
        cue_s: float | None = None,
        cue_precision: CuePrecision = CuePrecision.UNKNOWN,
        label: str | None = None,
        section: str | None = None,
        note: str | None = None,
        unconfirmed: bool = False,
        raw: str | None = None,
    ) -> TracklistEntry:
        """The tracklist entry; ``kind`` overrides TRACK/UNKNOWN (``w/`` rows, mashup parts)."""
        return TracklistEntry(
            position=position,
            kind=kind or self.kind,
            cue_s=cue_s,
            cue_precision=cue_precision if cue_s is not None else CuePrecision.UNKNOWN,
            artists=self.artists,
            title=self.title,
            remix=self.remix,
            label=label or self.label,
            catalog_number=self.catalog_number,
            featured=self.featured,
            unconfirmed=unconfirmed or self.unconfirmed,
            section=section,
            note=note,
            raw=self.raw if raw is None else raw,
        )


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(" \t-")


def _pop_trailing_group(text: str) -> tuple[str, str, str] | None:
    """Split off the last bracket group: ``(rest, content, closer)``; tolerates bad brackets.

    ``closer`` is ``)`` or ``]`` (the character that ended the group, or the opener's pair when
    the group was never closed). ``Cecile (Scissor And Thread]`` gives ``]``.
    """
    text = text.rstrip()
    if not text:
        return None
    if text[-1] in _CLOSERS:
        depth = 0
        for index in range(len(text) - 1, -1, -1):
            char = text[index]
            if char in _CLOSERS:
                depth += 1
            elif char in _OPENERS:
                depth -= 1
                if depth == 0:
                    return text[:index], text[index + 1 : -1], text[-1]
        opener = max(text.rfind("("), text.rfind("["))
        if opener < 0:
            return text[:-1], "", text[-1]
        return text[:opener], text[opener + 1 : -1], text[-1]
    opener = max(text.rfind("("), text.rfind("["))
    if opener >= 0 and not any(c in _CLOSERS for c in text[opener:]):
        closer = ")" if text[opener] == "(" else "]"
        return text[:opener], text[opener + 1 :], closer
    return None


def _split_label(label_text: str) -> tuple[str | None, str | None]:
    label = _clean(label_text)
    parts = _SEPARATOR.split(label)
    if len(parts) >= 2 and any(ch.isdigit() for ch in parts[-1]):
        name = _clean(" - ".join(parts[:-1]))
        return name or None, _clean(parts[-1]) or None
    return label or None, None


def split_artists(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``A & B feat. C, D`` -> ``(("A", "B", "C", "D"), ("C", "D"))``: all artists, featured."""
    main, *featured_parts = _FEAT.split(text)
    main_names = [_clean(n) for n in _ARTIST_SPLIT.split(main)]
    featured = [_clean(n) for part in featured_parts for n in _ARTIST_SPLIT.split(part)]
    main_names = [n for n in main_names if n and n.casefold() not in _UNKNOWN_WORDS]
    featured = [n for n in featured if n and n.casefold() not in _UNKNOWN_WORDS]
    return tuple(dict.fromkeys([*main_names, *featured])), tuple(dict.fromkeys(featured))


def _split_title(text: str) -> tuple[str | None, str | None, list[str]]:
    """Title, remix and featured artists found in the title's trailing parentheses."""
    title = text
    remix: str | None = None
    featured: list[str] = []
    while (group := _pop_trailing_group(title)) is not None:
        rest, content, closer = group
        content = _clean(content)
        feat = _FEAT_GROUP.match(content)
        if feat:
            featured.extend(_clean(n) for n in _ARTIST_SPLIT.split(feat["who"]))
        elif remix is None and closer == ")" and _REMIX_WORDS.search(content) and _clean(rest):
            remix = content
        else:
            break
        title = rest
    title = _clean(title)
    return (None if title.casefold() in _UNKNOWN_WORDS else title), remix, featured


def parse_entry_text(text: str) -> EntryText:
    """Parse a row; never raises. ``ID - ID``/``Artist - ID`` give no title (kind UNKNOWN)."""
    raw = " ".join(text.split())
    body = raw
    unconfirmed = False
    if body.endswith(("(?)", " ?")) and len(body) > 3:
        unconfirmed = True
        body = body.removesuffix("(?)").removesuffix("?").rstrip()
    label: str | None = None
    catalog: str | None = None
    group = _pop_trailing_group(body)
    if group is not None and group[2] == "]" and _clean(group[0]):
        label, catalog = _split_label(group[1])
        body = group[0]
    parts = _SEPARATOR.split(body, maxsplit=1)
    if len(parts) == 2:
        artist_text, title_text = parts
    else:
        artist_text, title_text = "", parts[0]
    title, remix, title_featured = _split_title(title_text)
    artists, featured = split_artists(artist_text)
    if title_featured:
        artists = tuple(dict.fromkeys([*artists, *title_featured]))
        featured = tuple(dict.fromkeys([*featured, *title_featured]))
    return EntryText(
        artists=artists,
        featured=featured,
        title=title,
        remix=remix,
        label=label,
        catalog_number=catalog,
        unconfirmed=unconfirmed,
        raw=raw,
    )
