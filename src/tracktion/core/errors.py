"""Tracktion's error tree. Adapters translate driver errors into these.

TracktionError
├── ConfigurationError      settings that cannot work (bad URL, unwritable data dir)
├── EventFormatError        an event envelope that cannot be parsed
├── StorageError            the catalog database failed
├── BusError                the event bus failed
├── ScanError               a scan could not run at all (root missing, not a directory)
├── NotFoundError           a track or other record asked for does not exist
├── TracklistError          a tracklist source that cannot be read
│   └── TracklistBlockedError   the site answered with a challenge/captcha page, not the list
├── CueSheetError           a CUE sheet that cannot be parsed or written (names the line/field)
└── FetchError              an HTTP fetch that did not give a page
    ├── HostNotAllowedError     the URL's host is not on the allow-list (no SSRF)
    ├── RobotsDisallowedError   robots.txt forbids the path
    ├── RateLimitedError        the host keeps answering 429/503 after the retries
    └── CircuitOpenError        the host failed too often recently; not contacted
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


class TracklistError(TracktionError):
    """A tracklist source that cannot be read."""


class TracklistBlockedError(TracklistError):
    """The site served a challenge or captcha page instead of the tracklist."""


class CueSheetError(TracktionError):
    """A CUE sheet that cannot be parsed or written."""


class FetchError(TracktionError):
    """An HTTP fetch that did not give a page."""


class HostNotAllowedError(FetchError):
    """The URL's host is not on the allow-list."""


class RobotsDisallowedError(FetchError):
    """robots.txt forbids fetching the URL."""


class RateLimitedError(FetchError):
    """The host kept answering 429/503 after every retry."""


class CircuitOpenError(FetchError):
    """The host failed too often recently and is not contacted until the breaker closes."""
