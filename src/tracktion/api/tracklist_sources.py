"""Tracklist import sources over HTTP: an allow-listed URL, a file inside the library roots, or
pasted text (kept under ``data_dir/tracklist-uploads`` so the tracklist has a source to point at
and the same text imported again updates the same record)."""

from __future__ import annotations

import asyncio
import hashlib
import re
from typing import TYPE_CHECKING, Final

from tracktion.api.routers.library import inside_roots, invalid_path
from tracktion.tracklists.service import is_url

if TYPE_CHECKING:
    from pathlib import Path

    from tracktion.api.schemas.tracklists import TracklistImportIn
    from tracktion.config import Settings

UPLOADS_DIR: Final = "tracklist-uploads"
PASTED_TITLE: Final = "Pasted tracklist"
_SUFFIX = {"1001tracklists": ".html", "mixesdb": ".wikitext", "text": ".txt"}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")


async def import_source(body: TracklistImportIn, settings: Settings) -> str:
    """What ``TracklistService.import_`` reads for this request: a URL or a file path.

    Paths must be files inside the library roots (422 otherwise); pasted text is written to
    a file named after ``title`` in a folder named after the text's hash.
    """
    if body.text is not None:
        return str(await asyncio.to_thread(_keep_text, body, settings.data_dir / UPLOADS_DIR))
    source = body.source or ""
    if is_url(source):
        return source
    loc = ("body", "source")
    path = inside_roots(source, settings.library_roots, loc)
    if not path.is_file():
        raise invalid_path(source, "is not a file (give a URL, a file path or text)", loc)
    return str(path)


def _keep_text(body: TracklistImportIn, uploads: Path) -> Path:
    text = body.text or ""
    digest = hashlib.sha256(f"{body.format}\n{body.title}\n{text}".encode()).hexdigest()[:32]
    name = " ".join(_UNSAFE_NAME.sub(" ", body.title or "").split()).lstrip(".")[:120]
    path = uploads / digest / f"{name or PASTED_TITLE}{_SUFFIX[body.format or 'text']}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
