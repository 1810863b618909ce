"""Tracktion's error tree. Adapters translate driver errors into these.

TracktionError
├── ConfigurationError      settings that cannot work (bad URL, unwritable data dir)
├── EventFormatError        an event envelope that cannot be parsed
├── StorageError            the catalog database failed
├── BusError                the event bus failed
├── ScanError               a scan could not run at all (root missing, not a directory)
└── NotFoundError           a track or other record asked for does not exist
"""


class TracktionError(Exception):
    """Base of every error Tracktion raises on purpose."""


class ConfigurationError(TracktionError):
    """Settings that cannot work."""


class EventFormatError(TracktionError):
    """An event envelope that cannot be parsed."""


class StorageError(TracktionError):
    """The catalog database failed."""


class BusError(TracktionError):
    """The event bus failed."""


class ScanError(TracktionError):
    """A scan could not run at all."""


class NotFoundError(TracktionError):
    """A record asked for does not exist."""
