"""Pick the parser for a tracklist by its source (URL, file name), a hint, or its content."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tracktion.tracklists.mixesdb import page_title_from_url, parse_mixesdb
from tracktion.tracklists.onethousand_tracklists import parse_1001tracklists
from tracktion.tracklists.text_tracklist import parse_text_tracklist

if TYPE_CHECKING:
    from tracktion.core.tracklist import Tracklist

_HINTS = {
    "1001tracklists": "1001tracklists",
    "1001tl": "1001tracklists",
    "html": "1001tracklists",
    "mixesdb": "mixesdb",
    "wikitext": "mixesdb",
    "wiki": "mixesdb",
    "text": "text",
    "txt": "text",
}
_HTML = re.compile(r"^\s*(?:<!doctype html|<html|<head|<body|<div|<tr|<table)", re.IGNORECASE)
_WIKI_MARKERS = re.compile(
    r"^==\s*Tracklist\s*==|\[\[Category:|^\{\{|^\{\||<list>|^#\s*\[[0-9?:]+\]|^;\S",
    re.IGNORECASE | re.MULTILINE,
)


def detect_format(content: str, *, source: str | None = None, hint: str | None = None) -> str:
    """``1001tracklists``, ``mixesdb`` or ``text``: from the hint, then the source, then content."""
    if hint:
        try:
            return _HINTS[hint.strip().casefold()]
        except KeyError:
            raise ValueError(f"unknown tracklist format hint {hint!r}") from None
    if source:
        host = (urlsplit(source).hostname or "").casefold()
        if host.endswith("1001tracklists.com"):
            return "1001tracklists"
        if host.endswith("mixesdb.com"):
            return "mixesdb"
        suffix = PurePath(urlsplit(source).path if host else source).suffix.casefold()
        if suffix in {".html", ".htm"}:
            return "1001tracklists"
        if suffix in {".wikitext", ".wiki", ".mediawiki"}:
            return "mixesdb"
    if _HTML.match(content):
        return "1001tracklists"
    if _WIKI_MARKERS.search(content):
        return "mixesdb"
    return "text"


def parse_tracklist(
    content: str, *, source: str | None = None, hint: str | None = None
) -> Tracklist:
    """Parse a tracklist from a 1001Tracklists page, MixesDB wikitext or pasted text.

    ``hint`` (``1001tracklists``/``html``, ``mixesdb``/``wikitext``, ``text``) overrides the
    guess from ``source`` (URL host or file extension) and the content.
    """
    kind = detect_format(content, source=source, hint=hint)
    if kind == "1001tracklists":
        return parse_1001tracklists(content, source=source)
    if kind == "mixesdb":
        host = (urlsplit(source).hostname or "") if source else ""
        title = page_title_from_url(source) if source and host.endswith("mixesdb.com") else None
        return parse_mixesdb(content, page_title=title, source=source)
    return parse_text_tracklist(content, source=source)
