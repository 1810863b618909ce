"""1001Tracklists pages: the 2018 ``<table>`` layout and the 2021+ ``div.tlpItem`` layout."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from selectolax.parser import HTMLParser

from tracktion.core.errors import TracklistBlockedError, TracklistError
from tracktion.core.tracklist import CuePrecision, EntryKind, Tracklist, TracklistEntry
from tracktion.tracklists.cue_time import parse_cue
from tracktion.tracklists.entry_text import parse_entry_text

if TYPE_CHECKING:
    from selectolax.parser import Node

logger = logging.getLogger(__name__)

SOURCE_KIND = "1001tracklists"
_BLOCK_TEXT = re.compile(
    r"forwar(?:d)?ed to the wanted page|verify you are (?:a )?human|just a moment|captcha",
    re.IGNORECASE,
)
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_HOURS = re.compile(r"(\d+)\s*hours?", re.IGNORECASE)
_MINUTES = re.compile(r"(\d+)\s*minutes?", re.IGNORECASE)


def _text(node: Node | None) -> str:
    return " ".join(node.text(deep=True).split()) if node is not None else ""


def _meta(scope: Node, prop: str) -> list[str]:
    return [
        " ".join((m.attributes.get("content") or "").split())
        for m in scope.css(f'meta[itemprop="{prop}"]')
        if (m.attributes.get("content") or "").strip()
    ]


def _own_meta(row: Node, prop: str) -> str | None:
    values = _meta(row, prop)
    return values[0] if values else None


def _is_blocked(tree: HTMLParser) -> bool:
    if tree.css_first('input[name="captcha"]') is not None:
        return True
    body = tree.body
    return bool(body is not None and _BLOCK_TEXT.search(body.text(deep=True)[:5000]))


def _row_text(row: Node) -> str:
    value = row.css_first(".trackFormat") or row.css_first(".trackValue")
    if value is None:
        return _own_meta(row, "name") or ""
    text = _text(value)
    for label in value.css(".trackLabel"):
        text = text.replace(_text(label), " ")
    edit = row.css_first(".trackEditData")
    if edit is not None:
        text = f"{text} {_text(edit)}"
    return " ".join(text.split())


def _row_label(row: Node) -> str | None:
    publisher = _own_meta(row, "publisher")
    if publisher and "<" not in publisher:
        return publisher
    label = row.css_first(".trackLabel")
    text = _text(label).strip("[] ") if label is not None else ""
    return text or None


def _row_cue(row: Node) -> tuple[float | None, CuePrecision]:
    shown_node = row.css_first(".cueValueField") or row.css_first("div.cue")
    shown = _text(shown_node)
    hidden_node = row.css_first('input[id$="_cue_seconds"]') or row.css_first(
        'input[id^="tlp_cue_seconds"]'
    )
    hidden: float | None = None
    if hidden_node is not None:
        try:
            hidden = float(hidden_node.attributes.get("value") or "")
        except ValueError:
            hidden = None
    if shown:
        cue = parse_cue(shown)
        if cue is not None and cue.seconds is not None:
            exact = cue.precision is CuePrecision.EXACT and hidden is not None and hidden > 0
            return (hidden, cue.precision) if exact else (cue.seconds, cue.precision)
    if hidden is not None and hidden > 0:
        return hidden, CuePrecision.EXACT
    return None, CuePrecision.UNKNOWN


def _row_kind(row: Node) -> EntryKind | None:
    """MASHUP_PART, PLAYED_WITH, or None for a row that starts a new position."""
    classes = (row.attributes.get("class") or "").split()
    if "data-mashpos" in row.attributes or "tlpSubTog" in classes:
        return EntryKind.MASHUP_PART
    number = row.css_first('[id$="_tracknumber_value"]')
    if _text(number).lower() == "w/" or "con" in classes:
        return EntryKind.PLAYED_WITH
    return None


def _entries(rows: list[Node]) -> tuple[TracklistEntry, ...]:
    entries: list[TracklistEntry] = []
    position = 0
    for row in rows:
        classes = (row.attributes.get("class") or "").split()
        if "deleted" in classes:
            continue
        kind = _row_kind(row)
        if kind is None or position == 0:
            position += 1
        text = _row_text(row)
        parsed = parse_entry_text(text)
        cue_s, precision = _row_cue(row)
        if kind is None:
            kind = parsed.kind
        entries.append(
            parsed.entry(
                position,
                kind=kind,
                cue_s=cue_s,
                cue_precision=precision,
                label=_row_label(row),
                raw=text,
            )
        )
    return tuple(entries)


def _duration_s(description: str) -> float | None:
    hours = _HOURS.search(description)
    minutes = _MINUTES.search(description)
    if hours is None and minutes is None:
        return None
    total = (int(hours[1]) if hours else 0) * 3600 + (int(minutes[1]) if minutes else 0) * 60
    return float(total)


def _og(tree: HTMLParser, prop: str) -> str:
    node = tree.css_first(f'meta[property="{prop}"]') or tree.css_first(f'meta[name="{prop}"]')
    return " ".join((node.attributes.get("content") or "").split()) if node else ""


def parse_1001tracklists(html: str, *, source: str | None = None) -> Tracklist:
    """Parse a saved 1001Tracklists tracklist page.

    Raises TracklistBlockedError for the site's challenge/captcha page and TracklistError
    (naming the reason) for a page that holds no tracklist.
    """
    tree = HTMLParser(html)
    rows = tree.css(".tlpItem")
    if not rows:
        if _is_blocked(tree):
            raise TracklistBlockedError(
                "1001Tracklists answered with its challenge/captcha page, not the tracklist"
            )
        site = _og(tree, "og:site_name")
        if tree.css_first("#tlTab") is not None:
            reason = "the tracklist on this 1001Tracklists page has no rows"
        elif site == "1001Tracklists":
            reason = "this 1001Tracklists page is not a tracklist page (no track rows)"
        else:
            reason = "not a 1001Tracklists page (no tracklist rows, no 1001Tracklists markers)"
        raise TracklistError(reason)
    playlist = tree.css_first('[itemtype$="MusicPlaylist"]')
    scope = playlist if playlist is not None else tree.root
    if scope is None:  # pragma: no cover - a parsed page always has a root
        raise TracklistError("empty HTML document")
    head = [m for m in scope.css("meta[itemprop]") if _inside_playlist_head(m)]
    names = [m.attributes.get("content") or "" for m in head if _prop(m) == "name"]
    title = (names[0] if names else "") or _og(tree, "og:title") or _text(tree.css_first("title"))
    djs = tuple(
        dict.fromkeys(m.attributes.get("content") or "" for m in head if _prop(m) == "author")
    )
    styles = tuple(
        g
        for m in head
        if _prop(m) == "genre" and (g := m.attributes.get("content") or "") != "tracklist"
    )
    dates = [m.attributes.get("content") or "" for m in head if _prop(m) == "datePublished"]
    date_match = _DATE.search(dates[0] if dates else "") or _DATE.search(title)
    entries = _entries(rows)
    logger.debug("1001Tracklists page %s: %d entries", source, len(entries))
    return Tracklist(
        title=" ".join(title.split()) or "Untitled mix",
        djs=tuple(dj for dj in djs if dj),
        date=date_match[1] if date_match else None,
        source=source or _og(tree, "og:url") or None,
        source_kind=SOURCE_KIND,
        duration_s=_duration_s(_og(tree, "og:description") or _og(tree, "description")),
        styles=styles,
        entries=entries,
    )


def _prop(meta: Node) -> str:
    return meta.attributes.get("itemprop") or ""


def _inside_playlist_head(meta: Node) -> bool:
    """A meta of the playlist itself, not of one of its tracks (MusicRecording)."""
    parent = meta.parent
    while parent is not None:
        if "itemscope" in parent.attributes:
            return "MusicPlaylist" in (parent.attributes.get("itemtype") or "")
        parent = parent.parent
    return False
