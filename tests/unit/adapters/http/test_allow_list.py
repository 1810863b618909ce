"""The allow-list refuses every URL that could reach a host other than the listed ones."""

import httpx
import pytest

from tracktion.adapters.http.allow_list import AllowList
from tracktion.adapters.http.policy import DEFAULT_ALLOWED_HOSTS
from tracktion.core.errors import HostNotAllowedError


@pytest.fixture
def allow() -> AllowList:
    return AllowList(DEFAULT_ALLOWED_HOSTS)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.1001tracklists.com/tracklist/2hjnqr0t/bicep-nts-radio-2022-06-16.html",
        "https://1001tracklists.com/",
        "https://www.mixesdb.com/w/Category:Bicep",
        "https://MIXESDB.com/w/api.php?action=parse",
        "https://www.mixesdb.com:443/w/Main_Page",
    ],
)
def test_listed_https_urls_pass(allow: AllowList, url: str) -> None:
    assert allow.check(url).url.host in DEFAULT_ALLOWED_HOSTS


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://www.mixesdb.com@evil.com/", "user info"),
        ("https://evil.com\\@www.mixesdb.com/", "user info"),
        ("https://user:pw@www.mixesdb.com/", "user info"),
        ("https://www.mixesdb.com%2F@evil.com/", "user info"),
        ("https://127.0.0.1/", "not on the allow-list"),
        ("https://[::1]/", "not on the allow-list"),
        ("https://2130706433/", "not on the allow-list"),
        ("https://0x7f.1/", "not on the allow-list"),
        ("https://evil.com#www.mixesdb.com", "not on the allow-list"),
        ("https://evil.com/?u=https://www.mixesdb.com/", "not on the allow-list"),
        ("https://www.mixesdb.com.evil.com/", "not on the allow-list"),
        ("https://evilmixesdb.com/", "not on the allow-list"),
        ("https://www.mixesdb.com./", "not on the allow-list"),
        ("https://www.mixesdb.com:8443/", "not on the allow-list"),
        ("http://www.mixesdb.com/", "scheme 'http'"),
        ("ftp://www.mixesdb.com/", "scheme 'ftp'"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("//www.mixesdb.com/x", "scheme ''"),
        ("https:/www.mixesdb.com/x", "no host"),
        ("https://\uff57\uff57\uff57.mixesdb.com/", "not a valid URL"),
        ("https://www.mixesdb.com\t.evil.com/", "not a valid URL"),
    ],
)
def test_tricky_urls_are_refused(allow: AllowList, url: str, reason: str) -> None:
    with pytest.raises(HostNotAllowedError, match=reason):
        allow.check(url)


def test_ports_and_ip_literals_pass_only_when_listed_with_them() -> None:
    allow = AllowList(["127.0.0.1:8080", "[::1]:9000"], allow_http=True)
    assert allow.check("http://127.0.0.1:8080/x").authority == "127.0.0.1:8080"
    assert allow.check("http://[::1]:9000/").authority == "[::1]:9000"
    for url in ("http://127.0.0.1/", "http://127.0.0.1:8081/", "http://localhost:8080/"):
        with pytest.raises(HostNotAllowedError):
            allow.check(url)


def test_params_are_merged_and_the_fragment_dropped(allow: AllowList) -> None:
    checked = allow.check(
        "https://www.mixesdb.com/w/api.php?format=json#top",
        {"action": "parse", "page": "2022-06-16 - Bicep @ NTS"},
    )
    assert checked.url.fragment == ""
    assert checked.url.params["format"] == "json"
    assert checked.url.params["page"] == "2022-06-16 - Bicep @ NTS"
    assert checked.origin == "https://www.mixesdb.com"


@pytest.mark.parametrize(
    ("location", "allowed"),
    [
        ("/w/Other_Page", True),
        ("Other_Page", True),
        ("https://mixesdb.com/w/x", True),
        ("//www.1001tracklists.com/x", True),
        ("https://evil.com/w/x", False),
        ("//evil.com/x", False),
        ("http://www.mixesdb.com/w/x", False),
        ("https://www.mixesdb.com@evil.com/", False),
        ("https://127.0.0.1/admin", False),
    ],
)
def test_redirect_targets_are_checked_like_any_url(
    allow: AllowList, location: str, allowed: bool
) -> None:
    hop = allow.check("https://www.mixesdb.com/w/Page").url.join(location)
    if allowed:
        assert allow.check(hop).url == hop
    else:
        with pytest.raises(HostNotAllowedError):
            allow.check(hop)


def test_a_url_object_is_checked_as_parsed() -> None:
    allow = AllowList(["mixesdb.com"])
    assert allow.check(httpx.URL("https://mixesdb.com/")).authority == "mixesdb.com"
