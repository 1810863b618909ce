"""robots.txt (RFC 9309 rule matching): parse the rules for our product token, answer paths.

Matching follows RFC 9309: the groups naming our product token (case-insensitively) apply, else
the ``*`` groups, else nothing is disallowed; the longest matching rule wins and ``Allow`` wins
a tie; ``*`` matches any run of characters and a trailing ``$`` anchors the end. ``/robots.txt``
itself is always allowed. What an unavailable robots.txt means is the fetcher's decision
(:func:`rules_for_status`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

_ALWAYS_ALLOWED = "/robots.txt"


@dataclass(frozen=True, slots=True)
class RobotsRule:
    """One ``Allow``/``Disallow`` line."""

    allow: bool
    pattern: str

    def match_length(self, path: str) -> int:
        """Length of the pattern when it matches ``path`` from its start, else -1."""
        regex = "".join(".*" if char == "*" else re.escape(char) for char in self.pattern)
        if regex.endswith(re.escape("$")):
            regex = regex[: -len(re.escape("$"))] + r"\Z"
        return len(self.pattern) if re.match(regex, path, flags=re.DOTALL) else -1


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """The rules that apply to us on one origin."""

    rules: tuple[RobotsRule, ...] = ()
    disallow_all: bool = False

    def allows(self, path: str) -> bool:
        """Whether ``path`` (path plus query, as sent) may be fetched."""
        path = _normalise(path or "/")
        if path == _ALWAYS_ALLOWED:
            return True
        if self.disallow_all:
            return False
        best_length, allowed = -1, True
        for rule in self.rules:
            length = rule.match_length(path)
            if length > best_length or (length == best_length and length >= 0 and rule.allow):
                best_length, allowed = length, rule.allow
        return allowed


def parse_robots(text: str, product: str) -> RobotsRules:
    """The rules of ``text`` that apply to the crawler whose product token is ``product``."""
    token = product.lower()
    ours: list[RobotsRule] = []
    anyone: list[RobotsRule] = []
    agents: set[str] = set()
    in_rules = named_us = False
    for raw_line in text.splitlines():
        line = raw_line.split("#", 1)[0].strip()
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if in_rules:
                agents, in_rules = set(), False
            agent = re.split(r"[/\s]", value, maxsplit=1)[0].lower()
            agents.add(agent)
            named_us = named_us or agent == token
        elif key in {"allow", "disallow"} and agents:
            in_rules = True
            if not value:
                continue
            rule = RobotsRule(allow=key == "allow", pattern=_normalise(value))
            if token in agents:
                ours.append(rule)
            if "*" in agents:
                anyone.append(rule)
    return RobotsRules(rules=tuple(ours if named_us else anyone))


def rules_for_status(status: int) -> RobotsRules | None:
    """What a non-2xx robots.txt answer means: 401/403 forbid everything, any other 4xx allows
    everything, anything else (5xx) is None (the caller decides)."""
    if status in {401, 403}:
        return RobotsRules(disallow_all=True)
    if 400 <= status < 500:
        return RobotsRules()
    return None


def _normalise(path: str) -> str:
    """Percent-encode what is not printable ASCII and upper-case escapes, for comparison."""
    quoted = quote(path, safe="".join(chr(code) for code in range(0x21, 0x7F)))
    return re.sub(r"%[0-9a-f]{2}", lambda match: match.group(0).upper(), quoted)
