"""Errors of the analysis steps."""

from tracktion.core.errors import TracktionError


class DecodeError(TracktionError):
    """A file holds no decodable audio (empty, not audio, no audio stream, nothing decoded)."""


class AnalysisUnavailableError(TracktionError):
    """The analysis workers cannot run at all (not one file's problem)."""
