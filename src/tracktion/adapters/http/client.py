"""PoliteFetcher: the one shared httpx client policy for fetching outside web pages.

Per hop of a fetch: the URL must pass the allow-list (before any connection), robots.txt must
allow it, the host's breaker must be closed, and the host's gate must admit it (token bucket,
sliding window, one request at a time). Redirects are followed by hand so that every hop is
checked again. Connect errors, timeouts, 429 and 5xx are retried with backoff (honouring
Retry-After); other non-2xx answers fail at once. Pages are cached by URL.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Self

import httpx

from tracktion.adapters.http.allow_list import AllowedURL, AllowList
from tracktion.adapters.http.breaker import BreakerState, CircuitBreaker
from tracktion.adapters.http.page_cache import PageCache
from tracktion.adapters.http.policy import FetchPolicy
from tracktion.adapters.http.rate_limit import HostGate
from tracktion.adapters.http.retry import (
    RATE_LIMIT_STATUSES,
    backoff_delay,
    is_retryable,
    parse_retry_after,
)
from tracktion.adapters.http.robots import RobotsRules, parse_robots, rules_for_status
from tracktion.core.errors import (
    CircuitOpenError,
    FetchError,
    HostNotAllowedError,
    RateLimitedError,
    RobotsDisallowedError,
)
from tracktion.core.fetching import FetchedPage

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping
    from pathlib import Path
    from types import TracebackType

    from tracktion.core.ports import Cache

logger = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_KEPT_HEADERS = ("content-type", "content-language", "etag", "last-modified", "cache-control")
_ROBOTS_UNAVAILABLE_TTL_S = 300.0
"""An unreachable robots.txt allows everything, but is asked for again after this long."""


@dataclass(slots=True)
class FetchStats:
    """Counters of one fetcher's work."""

    requests: int = 0
    """HTTP requests sent (robots.txt, retries and redirect hops included)."""
    cache_hits: int = 0
    retries: int = 0
    breaker_opens: int = 0


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    reason: str
    headers: httpx.Headers
    text: str
    oversized: bool = False


class PoliteFetcher:
    """Fetches pages under a :class:`FetchPolicy`; one ``httpx.AsyncClient`` per fetcher.

    ``cache`` (the Cache port) and ``cache_dir`` keep fetched pages; ``transport`` goes to httpx
    as is. ``clock`` is wall-clock time (cache lifetimes, Retry-After dates), ``monotonic`` and
    ``sleep`` pace requests and breakers, ``rng`` jitters the backoff.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        cache: Cache | None = None,
        cache_dir: Path | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._policy = policy or FetchPolicy()
        self._allow = AllowList(self._policy.allowed_hosts, allow_http=self._policy.allow_http)
        self._pages = PageCache(cache=cache, directory=cache_dir, clock=clock)
        self._clock = clock
        self._monotonic = monotonic
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._gates: dict[str, HostGate] = {}
        self._breakers: dict[str, CircuitBreaker] = {}
        self._robots: dict[str, tuple[RobotsRules, float]] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._stats = FetchStats()
        self._client = httpx.AsyncClient(
            transport=transport,
            headers={"User-Agent": self._policy.user_agent},
            timeout=httpx.Timeout(
                self._policy.read_timeout_s, connect=self._policy.connect_timeout_s
            ),
            follow_redirects=False,
            trust_env=self._policy.trust_env,
        )

    @property
    def stats(self) -> FetchStats:
        """A snapshot of the counters."""
        return replace(self._stats)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        ttl_s: float | None = None,
    ) -> FetchedPage:
        """The page at ``url`` with ``params`` added to its query.

        ``ttl_s`` overrides the host's cache lifetime; 0 bypasses the cache both ways.
        Raises ``HostNotAllowedError``, ``RobotsDisallowedError``, ``CircuitOpenError``,
        ``RateLimitedError`` or ``FetchError``.
        """
        target = self._allow.check(url, params)
        lifetime = self._policy.host(target.authority).page_ttl_s if ttl_s is None else ttl_s
        key = str(target.url)
        if lifetime > 0 and (cached := await self._pages.get(key)) is not None:
            self._stats.cache_hits += 1
            return cached
        page = await self._follow(target)
        if lifetime > 0:
            await self._pages.put(key, page, lifetime)
        return page

    async def _follow(self, target: AllowedURL) -> FetchedPage:
        for _hop in range(self._policy.max_redirects + 1):
            await self._check_robots(target)
            answer = await self._with_retries(target)
            location = answer.headers.get("location")
            if answer.status in _REDIRECTS and location:
                try:
                    target = self._allow.check(target.url.join(location))
                except HostNotAllowedError as exc:
                    raise HostNotAllowedError(
                        f"{target.url} redirects off the list: {exc}"
                    ) from exc
                continue
            if not 200 <= answer.status < 300:
                raise FetchError(f"{target.url}: HTTP {answer.status} {answer.reason}")
            return FetchedPage(
                url=str(target.url),
                status=answer.status,
                text=answer.text,
                headers={
                    name: answer.headers[name] for name in _KEPT_HEADERS if name in answer.headers
                },
                fetched_at=datetime.fromtimestamp(self._clock(), UTC),
            )
        raise FetchError(f"{target.url}: more than {self._policy.max_redirects} redirects")

    async def _with_retries(self, target: AllowedURL) -> _Answer:
        policy = self._policy
        last, last_status = "", 0
        for attempt in range(policy.max_retries + 1):
            try:
                answer = await self._send(target)
            except CircuitOpenError:
                if attempt == 0:
                    raise
                last += "; the host's circuit breaker is now open"
                break
            except httpx.TransportError as exc:
                last, last_status = f"{type(exc).__name__}: {exc or 'no details'}", 0
                wait = None
            else:
                if not is_retryable(answer.status):
                    return answer
                last, last_status = f"HTTP {answer.status} {answer.reason}", answer.status
                wait = parse_retry_after(answer.headers.get("retry-after"), self._now())
            if attempt == policy.max_retries:
                break
            if self._breaker(target.origin).state is BreakerState.OPEN:
                last += "; the host's circuit breaker is now open"
                break
            if wait is None:
                wait = backoff_delay(
                    attempt + 1,
                    base_s=policy.backoff_base_s,
                    max_s=policy.backoff_max_s,
                    rng=self._rng,
                )
            else:
                wait = min(wait, policy.retry_after_cap_s)
                self._gate(target.authority).hold_off(wait)
            logger.info("retrying %s in %.1f s after %s", target.url, wait, last)
            self._stats.retries += 1
            await self._sleep(wait)
        error = RateLimitedError if last_status in RATE_LIMIT_STATUSES else FetchError
        raise error(f"{target.url}: gave up after {attempt + 1} attempt(s); last: {last}")

    async def _send(self, target: AllowedURL) -> _Answer:
        """One request through the host's gate and breaker."""
        breaker = self._breaker(target.origin)
        if breaker.state is BreakerState.OPEN:
            raise _circuit_open(target, breaker)
        async with self._gate(target.authority).slot():
            if not breaker.allow():
                raise _circuit_open(target, breaker)
            self._stats.requests += 1
            try:
                answer = await self._request(target.url)
            except httpx.TransportError:
                self._stats.breaker_opens += breaker.record_failure()
                raise
            except BaseException:
                breaker.abandon_probe()
                raise
        if answer.status >= 500:
            self._stats.breaker_opens += breaker.record_failure()
        else:
            breaker.record_success()
        if answer.oversized:
            raise FetchError(f"{target.url}: body larger than {self._policy.max_bytes} bytes")
        return answer

    async def _request(self, url: httpx.URL) -> _Answer:
        async with self._client.stream("GET", url) as response:
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self._policy.max_bytes:
                    return _Answer(response.status_code, "", response.headers, "", oversized=True)
            text = bytes(body).decode(response.encoding or "utf-8", errors="replace")
            return _Answer(response.status_code, response.reason_phrase, response.headers, text)

    async def _check_robots(self, target: AllowedURL) -> None:
        if not self._policy.respect_robots:
            return
        path = target.url.raw_path.decode("ascii")
        async with self._robots_locks.setdefault(target.origin, asyncio.Lock()):
            known = self._robots.get(target.origin)
            if known is None or known[1] <= self._monotonic():
                rules, ttl_s = await self._load_robots(target)
                known = (rules, self._monotonic() + ttl_s)
                self._robots[target.origin] = known
        if not known[0].allows(path):
            product = _product(self._policy.user_agent)
            raise RobotsDisallowedError(
                f"{target.url}: {target.origin}/robots.txt disallows it for {product}"
            )

    async def _load_robots(self, target: AllowedURL) -> tuple[RobotsRules, float]:
        """The rules for ``target``'s origin and how long to keep them."""
        robots = self._allow.check(target.url.copy_with(raw_path=b"/robots.txt"))
        try:
            for _hop in range(self._policy.max_redirects + 1):
                answer = await self._send(robots)
                location = answer.headers.get("location")
                if answer.status not in _REDIRECTS or not location:
                    break
                robots = self._allow.check(robots.url.join(location))
            else:
                return RobotsRules(), _ROBOTS_UNAVAILABLE_TTL_S
        except (httpx.TransportError, HostNotAllowedError) as exc:
            logger.warning("robots.txt of %s unavailable (%s); allowing", target.origin, exc)
            return RobotsRules(), _ROBOTS_UNAVAILABLE_TTL_S
        if 200 <= answer.status < 300:
            return parse_robots(
                answer.text, _product(self._policy.user_agent)
            ), self._policy.robots_ttl_s
        rules = rules_for_status(answer.status)
        if rules is None:
            logger.warning("robots.txt of %s answered %s; allowing", target.origin, answer.status)
            return RobotsRules(), _ROBOTS_UNAVAILABLE_TTL_S
        return rules, self._policy.robots_ttl_s

    def _gate(self, authority: str) -> HostGate:
        gate = self._gates.get(authority)
        if gate is None:
            gate = HostGate(self._policy.host(authority), clock=self._monotonic, sleep=self._sleep)
            self._gates[authority] = gate
        return gate

    def _breaker(self, origin: str) -> CircuitBreaker:
        breaker = self._breakers.get(origin)
        if breaker is None:
            breaker = CircuitBreaker(
                threshold=self._policy.breaker_threshold,
                cooldown_s=self._policy.breaker_cooldown_s,
                clock=self._monotonic,
            )
            self._breakers[origin] = breaker
        return breaker

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)


def _product(user_agent: str) -> str:
    """The product token of a User-Agent: ``Tracktion`` of ``Tracktion/0.1.0 (...)``."""
    return user_agent.split("/", 1)[0].split()[0]


def _circuit_open(target: AllowedURL, breaker: CircuitBreaker) -> CircuitOpenError:
    return CircuitOpenError(
        f"{target.url}: {target.origin} failed repeatedly; not contacted for another"
        f" {breaker.retry_in():.1f} s"
    )
