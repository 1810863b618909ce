"""What one metadata read of a file produced."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracktion.core.models import AudioProperties, Tags


@dataclass(frozen=True, slots=True)
class MetadataResult:
    """Tags and audio properties of a file.

    ``error`` is set when the file is not usable audio; ``warnings`` list problems that did not
    stop reading (e.g. tags unreadable but audio fine). Messages do not name the file.
    """

    tags: Tags = field(default_factory=Tags)
    audio: AudioProperties = field(default_factory=AudioProperties)
    error: str | None = None
    warnings: tuple[str, ...] = ()
