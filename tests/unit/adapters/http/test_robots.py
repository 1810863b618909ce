"""robots.txt rules as RFC 9309 matches them, for the product token Tracktion."""

import pytest

from tracktion.adapters.http.robots import parse_robots, rules_for_status

# The shape of 1001tracklists.com's and mixesdb.com's files: a * group, a named group, comments.
ROBOTS = """\
# comment line
User-agent: *
Disallow: /search
Disallow: /*?action=edit
Allow: /search/help
Disallow: /private/$

User-agent: GPTBot
User-agent: CCBot
Disallow: /

Sitemap: https://www.example.org/sitemap.xml
"""


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/tracklist/2hjnqr0t/bicep.html", True),
        ("/search", False),
        ("/search/index.php?q=bicep", False),
        ("/search/help", True),
        ("/w/Page?action=edit", False),
        ("/w/Page?action=view", True),
        ("/private/", False),
        ("/private/x", True),
        ("/robots.txt", True),
        ("", True),
    ],
)
def test_the_star_group_applies_when_we_are_not_named(path: str, allowed: bool) -> None:
    assert parse_robots(ROBOTS, "Tracktion").allows(path) is allowed


def test_a_group_naming_us_replaces_the_star_group_case_insensitively() -> None:
    text = ROBOTS + "\nUser-agent: tracktion/2.0\nDisallow: /tracklist/\nAllow: /search\n"
    rules = parse_robots(text, "Tracktion")
    assert not rules.allows("/tracklist/2hjnqr0t/bicep.html")
    assert rules.allows("/search")


def test_named_groups_are_merged_and_an_empty_disallow_allows_everything() -> None:
    text = "User-agent: Tracktion\nDisallow:\n\nUser-agent: *\nDisallow: /\n"
    assert parse_robots(text, "Tracktion").allows("/anything")
    text = "User-agent: Tracktion\nDisallow: /a\n\nUser-agent: Tracktion\nDisallow: /b\n"
    rules = parse_robots(text, "Tracktion")
    assert not rules.allows("/a/1")
    assert not rules.allows("/b/1")
    assert rules.allows("/c")


def test_longest_match_wins_and_allow_wins_a_tie() -> None:
    text = "User-agent: *\nAllow: /p\nDisallow: /\nDisallow: /page\nAllow: /page\n"
    rules = parse_robots(text, "Tracktion")
    assert rules.allows("/page/1")
    assert rules.allows("/p")
    assert not rules.allows("/other")


def test_rules_before_any_user_agent_and_unknown_lines_are_ignored() -> None:
    text = "Disallow: /\nCrawl-delay: 10\nno colon here\nUser-agent: *\nDisallow: /x\n"
    rules = parse_robots(text, "Tracktion")
    assert rules.allows("/")
    assert not rules.allows("/x")


def test_percent_encoding_is_compared_normalised() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /w/Café\nDisallow: /a%3cb\n", "Tracktion")
    assert not rules.allows("/w/Caf%C3%A9_Mix")
    assert not rules.allows("/a%3Cb")


def test_empty_file_allows_everything() -> None:
    assert parse_robots("", "Tracktion").allows("/x")


@pytest.mark.parametrize(
    ("status", "allowed"), [(401, False), (403, False), (404, True), (410, True), (500, None)]
)
def test_unavailable_robots_by_status(status: int, allowed: bool | None) -> None:
    rules = rules_for_status(status)
    if allowed is None:
        assert rules is None
    else:
        assert rules is not None
        assert rules.allows("/tracklist/x.html") is allowed
        assert rules.allows("/robots.txt")
