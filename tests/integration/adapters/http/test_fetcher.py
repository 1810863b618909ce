"""PoliteFetcher against a real HTTP server on 127.0.0.1 (see conftest.py)."""

import asyncio
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tracktion.adapters.cache.memory import MemoryCache
from tracktion.adapters.http.client import PoliteFetcher
from tracktion.adapters.http.policy import USER_AGENT, FetchPolicy, HostPolicy
from tracktion.core.errors import (
    CircuitOpenError,
    FetchError,
    HostNotAllowedError,
    RateLimitedError,
    RobotsDisallowedError,
)

from .conftest import PAGE, Site

if TYPE_CHECKING:
    from tracktion.core.fetching import PageFetcher

pytestmark = pytest.mark.integration


def policy_for(site: Site, *, interval_s: float = 0.001, **options: Any) -> FetchPolicy:
    settings: dict[str, Any] = {
        "allowed_hosts": (site.authority,),
        "allow_http": True,
        "host_policies": {site.authority: HostPolicy(min_interval_s=interval_s)},
        "connect_timeout_s": 2.0,
        "read_timeout_s": 2.0,
        "backoff_base_s": 0.01,
        "trust_env": False,
    }
    settings.update(options)
    return FetchPolicy(**settings)


class WallClock:
    """A wall clock the test moves (cache lifetimes), shared by the fetcher and MemoryCache."""

    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_serves_the_fixture_page_with_our_user_agent(site: Site) -> None:
    fetcher: PageFetcher
    async with PoliteFetcher(policy_for(site)) as fetcher:
        page = await fetcher.fetch(site.url("/page"), ttl_s=0)
    assert page.status == 200
    assert page.text == PAGE.decode("utf-8")
    assert "Bicep" in page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["etag"] == '"bicep"'
    assert not page.from_cache
    assert page.url == site.url("/page")
    assert {seen.user_agent for seen in site.state.seen} == {USER_AGENT}
    assert USER_AGENT.startswith("Tracktion/0.1.0 (+https://github.com/tracktion/tracktion;")


async def test_params_are_sent_in_the_query(site: Site) -> None:
    async with PoliteFetcher(policy_for(site)) as fetcher:
        page = await fetcher.fetch(site.url("/page"), params={"action": "parse", "q": "a&b"})
    assert page.url == site.url("/page?action=parse&q=a%26b")
    assert site.state.paths()[-1] == "/page?action=parse&q=a%26b"


@pytest.mark.parametrize(
    "path_or_url",
    [
        "https://www.mixesdb.com@{authority}/page",
        "http://127.0.0.1/page",
        "http://localhost:{port}/page",
        "ftp://{authority}/page",
    ],
)
async def test_urls_off_the_list_never_reach_the_server(site: Site, path_or_url: str) -> None:
    port = site.authority.rsplit(":", 1)[1]
    url = path_or_url.format(authority=site.authority, port=port)
    async with PoliteFetcher(policy_for(site)) as fetcher:
        with pytest.raises(HostNotAllowedError):
            await fetcher.fetch(url)
        assert fetcher.stats.requests == 0
    assert site.state.paths() == []


async def test_https_only_unless_http_is_allowed_explicitly(site: Site) -> None:
    async with PoliteFetcher(policy_for(site, allow_http=False)) as fetcher:
        with pytest.raises(HostNotAllowedError, match="scheme 'http'"):
            await fetcher.fetch(site.url("/page"))
    assert site.state.paths() == []


async def test_429_with_retry_after_then_200(site: Site) -> None:
    async with PoliteFetcher(policy_for(site)) as fetcher:
        page = await fetcher.fetch(site.url("/busy"))
        stats = fetcher.stats
    assert page.text == "finally"
    assert stats.retries == 1
    busy = [seen.at for seen in site.state.seen if seen.path == "/busy"]
    assert len(busy) == 2
    assert busy[1] - busy[0] >= 1.0  # the server asked for one second


async def test_429_after_every_retry_is_rate_limited(site: Site) -> None:
    async with PoliteFetcher(policy_for(site, max_retries=2)) as fetcher:
        with pytest.raises(RateLimitedError, match=r"/always-busy.*3 attempt.*HTTP 429"):
            await fetcher.fetch(site.url("/always-busy"))
    assert site.state.count("/always-busy") == 3


async def test_404_fails_at_once_without_retries(site: Site) -> None:
    async with PoliteFetcher(policy_for(site)) as fetcher:
        with pytest.raises(FetchError, match=r"/nothing-here: HTTP 404 Not Found"):
            await fetcher.fetch(site.url("/nothing-here"))
        assert fetcher.stats.retries == 0
    assert site.state.count("/nothing-here") == 1


async def test_a_slow_host_times_out_and_is_retried(site: Site) -> None:
    policy = policy_for(site, read_timeout_s=0.2, max_retries=1)
    async with PoliteFetcher(policy) as fetcher:
        with pytest.raises(FetchError, match=r"/slow: gave up after 2 attempt.*ReadTimeout"):
            await fetcher.fetch(site.url("/slow"))
    assert site.state.count("/slow") == 2


async def test_repeated_500s_open_the_breaker_then_a_probe_closes_it(site: Site) -> None:
    policy = policy_for(site, max_retries=5, breaker_threshold=3, breaker_cooldown_s=0.3)
    async with PoliteFetcher(policy) as fetcher:
        with pytest.raises(FetchError, match=r"HTTP 500.*circuit breaker is now open"):
            await fetcher.fetch(site.url("/broken"))
        assert site.state.count("/broken") == 3
        with pytest.raises(CircuitOpenError):
            await fetcher.fetch(site.url("/page"))
        assert site.state.count("/page") == 0
        assert fetcher.stats.breaker_opens == 1
        await asyncio.sleep(0.35)  # the cool-down passes; the next request is the probe
        page = await fetcher.fetch(site.url("/page"))
        assert page.status == 200
        with pytest.raises(FetchError, match="HTTP 500"):
            await fetcher.fetch(site.url("/broken"), ttl_s=0)
        assert site.state.count("/broken") == 6
        assert fetcher.stats.breaker_opens == 2


async def test_robots_txt_is_honoured_for_our_user_agent_and_fetched_once(site: Site) -> None:
    async with PoliteFetcher(policy_for(site)) as fetcher:
        with pytest.raises(RobotsDisallowedError, match=r"robots\.txt"):
            await fetcher.fetch(site.url("/private/page"))
        await fetcher.fetch(site.url("/page"))
        await fetcher.fetch(site.url("/page?again=1"))
    assert site.state.count("/private/page") == 0
    assert site.state.count("/robots.txt") == 1
    assert site.state.paths()[0] == "/robots.txt"


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (403, False), (401, False)])
async def test_unavailable_robots_txt(site: Site, status: int, allowed: bool) -> None:
    site.state.robots_status = status
    async with PoliteFetcher(policy_for(site)) as fetcher:
        if allowed:
            assert (await fetcher.fetch(site.url("/private/page"))).status == 200
        else:
            with pytest.raises(RobotsDisallowedError):
                await fetcher.fetch(site.url("/page"))


async def test_redirects_are_followed_and_rechecked(site: Site) -> None:
    async with PoliteFetcher(policy_for(site)) as fetcher:
        page = await fetcher.fetch(site.url("/home"))
        assert page.url == site.url("/page?from=home")
        with pytest.raises(HostNotAllowedError, match=r"redirects off the list.*evil\.example"):
            await fetcher.fetch(site.url("/away"))
        with pytest.raises(FetchError, match="more than 5 redirects"):
            await fetcher.fetch(site.url("/loop"))
    assert not any("steal" in path for path in site.state.paths())
    assert site.state.count("/loop") == 6


async def test_cache_memory_then_disk_then_expiry(site: Site, tmp_path: Path) -> None:
    clock = WallClock()
    pages_dir = tmp_path / "pages"
    url = site.url("/page")
    policy = policy_for(site)
    async with PoliteFetcher(
        policy, cache=MemoryCache(clock=clock), cache_dir=pages_dir, clock=clock
    ) as first:
        fresh = await first.fetch(url, ttl_s=600)
        again = await first.fetch(url)
        assert first.stats.cache_hits == 1
    assert not fresh.from_cache
    assert again.from_cache
    assert again.text == fresh.text
    assert again.fetched_at == fresh.fetched_at
    assert again.headers == fresh.headers
    assert site.state.count("/page") == 1
    assert [path.suffix for path in pages_dir.iterdir()] == [".json"]

    clock.now += 300
    async with PoliteFetcher(
        policy, cache=MemoryCache(clock=clock), cache_dir=pages_dir, clock=clock
    ) as second:
        from_disk = await second.fetch(url)
        assert from_disk.from_cache
        assert from_disk.text == fresh.text
        assert second.stats.requests == 0
        clock.now += 301
        expired = await second.fetch(url)
    assert not expired.from_cache
    assert site.state.count("/page") == 2


async def test_requests_to_one_host_are_spaced_and_served_in_order(site: Site) -> None:
    interval_s = 0.15
    async with PoliteFetcher(policy_for(site, interval_s=interval_s)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(site.url(f"/page?n={n}"), ttl_s=0) for n in range(4)))
        assert fetcher.stats.requests == 5
    seen = site.state.seen
    assert [request.path for request in seen] == ["/robots.txt"] + [
        f"/page?n={n}" for n in range(4)
    ]
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(seen)]
    assert min(gaps) >= interval_s


async def test_oversized_bodies_are_refused(site: Site) -> None:
    async with PoliteFetcher(policy_for(site, max_bytes=1000)) as fetcher:
        with pytest.raises(FetchError, match="larger than 1000 bytes"):
            await fetcher.fetch(site.url("/page"))
