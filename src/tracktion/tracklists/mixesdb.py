"""MixesDB: wikitext tracklists (``#`` lines, ``<list>`` blocks) and the api.php request/answer."""

from __future__ import annotations

import re
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from tracktion.core.errors import TracklistError
from tracktion.core.tracklist import CuePrecision, Tracklist, TracklistEntry
from tracktion.tracklists.cue_time import parse_cue
from tracktion.tracklists.entry_text import parse_entry_text, split_artists

SOURCE_KIND = "mixesdb"
API_URL = "https://www.mixesdb.com/w/api.php"

_HEADING = re.compile(r"^(=+)\s*(.*?)\s*\1\s*$")
_LEADING_CUE = re.compile(r"^\[(?P<cue>[0-9?]{1,3}(?::[0-9?]{1,2}){0,2})\]\s*")
_LINK = re.compile(r"\[\[(?:[^\[\]|]*\|)?([^\[\]|]*)\]\]")
_EXTERNAL = re.compile(r"\[(?:https?:)?//[^\s\]]+\s*([^\]]*)\]")
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_BOLD_PREFIX = re.compile(r"^'''(?P<note>[^']+?)'''\s*")
_ITALIC = re.compile(r"''(?P<body>.+?)(?:''|$)")
_FILE = re.compile(r"\[\[(?:File|Image):([^|\]]+)", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4}-\d{2}(?:-\d{2})?)$")
_GAPS = frozenset({"...", "\u2026"})
_SKIPPED_LINKS = ("[[category:", "[[file:", "[[image:")


class WikiPage(NamedTuple):
    """A MixesDB page's title and wikitext, as api.php returned them."""

    title: str
    wikitext: str


def page_title_from_url(url: str) -> str:
    """``https://www.mixesdb.com/w/2025-10-05_-_A_-_B`` -> ``2025-10-05 - A - B``."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if path.startswith("/w/index.php") or path.endswith("/index.php"):
        for pair in parts.query.split("&"):
            key, _, value = pair.partition("=")
            if key == "title":
                path = unquote(value.replace("+", " "))
                break
    else:
        path = path.removeprefix("/w/").removeprefix("/wiki/").lstrip("/")
    return path.replace("_", " ").strip()


def api_params(page_title: str, *, action: str = "parse") -> dict[str, str]:
    """Query parameters of the api.php request for a page's wikitext (``parse`` or ``query``)."""
    if action == "parse":
        return {
            "action": "parse",
            "page": page_title,
            "prop": "wikitext",
            "redirects": "1",
            "format": "json",
            "formatversion": "2",
        }
    if action == "query":
        return {
            "action": "query",
            "prop": "revisions",
            "rvprop": "content",
            "rvslots": "main",
            "titles": page_title,
            "redirects": "1",
            "format": "json",
            "formatversion": "2",
        }
    raise ValueError(f"unknown MediaWiki action {action!r}: use 'parse' or 'query'")


def _revision_text(revision: dict[str, Any]) -> str | None:
    slot = (revision.get("slots") or {}).get("main") or revision
    content = slot.get("content", slot.get("*"))
    return content if isinstance(content, str) else None


def wikitext_from_api(answer: dict[str, Any]) -> WikiPage:
    """The page out of an api.php JSON answer (``parse`` or ``query``, formatversion 1 or 2)."""
    error = answer.get("error")
    if isinstance(error, dict):
        code = error.get("code", "error")
        raise TracklistError(f"MixesDB api.php answered {code}: {error.get('info', '')}".strip())
    parse = answer.get("parse")
    if isinstance(parse, dict):
        text = parse.get("wikitext")
        if isinstance(text, dict):
            text = text.get("*")
        if isinstance(text, str):
            return WikiPage(str(parse.get("title", "")), text)
    query = answer.get("query")
    if isinstance(query, dict):
        pages = query.get("pages")
        page_list = list(pages.values()) if isinstance(pages, dict) else pages or []
        for page in page_list:
            if not isinstance(page, dict):
                continue
            if "missing" in page or "invalid" in page:
                raise TracklistError(f"MixesDB has no page {page.get('title', '')!r}")
            for revision in page.get("revisions") or []:
                text = _revision_text(revision)
                if text is not None:
                    return WikiPage(str(page.get("title", "")), text)
    raise TracklistError("the MixesDB api.php answer holds no wikitext")


def _strip_markup(text: str) -> str:
    text = _COMMENT.sub("", text)
    text = _TEMPLATE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _EXTERNAL.sub(r"\1", text)
    return _TAG.sub("", text)


def _tracklist_lines(wikitext: str) -> list[str]:
    """The lines of the ``== Tracklist ==`` section, or of the whole text when it has none."""
    lines = wikitext.splitlines()
    start = None
    for index, line in enumerate(lines):
        heading = _HEADING.match(line.strip())
        if heading and heading[2].casefold().startswith("tracklist"):
            start = index + 1
            break
    if start is None:
        return lines
    section: list[str] = []
    for line in lines[start:]:
        heading = _HEADING.match(line.strip())
        if heading and len(heading[1]) <= 2:
            break
        section.append(line)
    return section


class _Row(NamedTuple):
    text: str
    note: str | None
    unconfirmed: bool


def _clean_row(text: str) -> _Row:
    text = _strip_markup(text).strip()
    note = None
    bold = _BOLD_PREFIX.match(text)
    if bold:
        note = bold["note"].strip().rstrip(":").strip() or None
        text = text[bold.end() :]
    text = text.replace("'''", "")
    unconfirmed = "''" in text
    text = _ITALIC.sub(r"\g<body>", text).replace("''", "")
    return _Row(" ".join(text.split()), note, unconfirmed)


def _entry(line: str, position: int, section: str | None, note: str | None) -> TracklistEntry:
    body = line
    cue_s: float | None = None
    precision = CuePrecision.UNKNOWN
    match = _LEADING_CUE.match(body)
    if match:
        cue = parse_cue(match["cue"])
        if cue is not None:
            cue_s, precision = cue
        body = body[match.end() :]
    row = _clean_row(body)
    parsed = parse_entry_text(row.text)
    notes = [n for n in (note, row.note) if n]
    return parsed.entry(
        position,
        cue_s=cue_s,
        cue_precision=precision,
        section=section,
        note="; ".join(notes) or None,
        unconfirmed=row.unconfirmed,
        raw=line,
    )


def _entries(lines: list[str]) -> tuple[TracklistEntry, ...]:
    entries: list[TracklistEntry] = []
    section: str | None = None
    in_list = False
    gap_note: str | None = None
    for original in lines:
        line = original.strip()
        lowered = line.casefold()
        if lowered.startswith("<list"):
            in_list = True
            line = line[line.find(">") + 1 :].strip() if ">" in line else ""
        if lowered.endswith("</list>"):
            in_list = False
            line = line[: line.casefold().rfind("</list>")].strip()
        if not line or line == "--" or _HEADING.match(line):
            continue
        if line.startswith(("{|", "|", "!")) or line.casefold().startswith(_SKIPPED_LINKS):
            continue
        if line.startswith(";"):
            section = _clean_row(line[1:]).text or None
            continue
        if line.startswith("#"):
            line = line.lstrip("#*: ").strip()
        elif not (in_list or _LEADING_CUE.match(line) or line in {"?", *_GAPS} or " - " in line):
            continue
        if _LEADING_CUE.sub("", line).strip() in _GAPS or line in _GAPS:
            gap_note = "tracks missing before this one (...)"
            continue
        entries.append(_entry(line, len(entries) + 1, section, gap_note))
        gap_note = None
    return tuple(entries)


def _duration(wikitext: str) -> float | None:
    """The ``dur`` column of the File details table (``| 1:23:42``)."""
    rows = [line.strip() for line in wikitext.splitlines()]
    headers: list[str] = []
    values: list[str] = []
    in_table = False
    for line in rows:
        if line.startswith("{|"):
            in_table, headers, values = True, [], []
        elif line.startswith("|}"):
            if "dur" in headers and headers.index("dur") < len(values):
                cue = parse_cue(values[headers.index("dur")])
                if cue is not None and cue.precision is CuePrecision.EXACT:
                    return cue.seconds
            in_table = False
        elif in_table and line.startswith("!"):
            headers.extend(h.strip().casefold() for h in line[1:].split("!!"))
        elif in_table and line.startswith("|") and not line.startswith("|-"):
            values.extend(v.strip() for v in line[1:].split("||"))
    return None


def _title_parts(page_title: str) -> tuple[str | None, tuple[str, ...], str]:
    """Date, DJs and display title of ``2025-10-05 - DJ A, DJ B - Show``."""
    parts = [p.strip() for p in page_title.split(" - ")]
    date = None
    if parts and _DATE.match(parts[0]):
        date = parts.pop(0)
    if not parts:
        return date, (), page_title
    dj_text = parts[0].split(" @ ")[0]
    djs, _ = split_artists(dj_text)
    return date, djs, " - ".join(parts)


def parse_mixesdb(
    wikitext: str, *, page_title: str | None = None, source: str | None = None
) -> Tracklist:
    """Parse a MixesDB page's wikitext; title, DJs and date come from the page title.

    Without ``page_title`` the page's ``[[File:<title>.jpg]]`` image name is used. Raises
    TracklistError when the text holds no tracklist rows at all.
    """
    if page_title is None:
        image = _FILE.search(wikitext)
        page_title = image[1].rsplit(".", 1)[0].strip() if image else ""
    entries = _entries(_tracklist_lines(wikitext))
    if not entries:
        raise TracklistError("the MixesDB page has no tracklist rows ('#' lines or <list>)")
    date, djs, title = _title_parts(page_title) if page_title else (None, (), "")
    if date is not None and len(date) == 7:
        date = None
    return Tracklist(
        title=title or "Untitled mix",
        djs=djs,
        date=date,
        source=source,
        source_kind=SOURCE_KIND,
        duration_s=_duration(wikitext),
        entries=entries,
    )
