"""The API docs in a real browser (Debian's Chromium, headless) with every request to a host
other than loopback refused: Swagger UI renders, signs in through its OAuth2 password form and
runs a call; ReDoc renders. The server is `tracktion api` as in ``test_api_server``."""

import ipaddress
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from . import test_api_server
from .test_api_server import PASSWORD, tracktion

CHROMIUM = Path("/usr/bin/chromium")
env = test_api_server.env
server = test_api_server.server
"""The same library, data dir and `tracktion api` process as ``test_api_server``."""

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser tests need Debian's Chromium: apt-get install chromium",
    ),
]


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page whose requests to anywhere but loopback are aborted and listed."""
    context = browser.new_context()
    remote: list[str] = []

    def only_loopback(route: Route) -> None:
        if is_loopback(route.request.url):
            route.continue_()
        else:
            remote.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", only_loopback)
    yield context.new_page(), remote
    context.close()


@pytest.fixture
def base_url(server: tuple[str, subprocess.Popen[str]]) -> Iterator[str]:
    """The server's base URL; afterwards it stops cleanly, with no password in its log."""
    base, process = server
    yield base
    process.send_signal(signal.SIGTERM)
    _, log = process.communicate(timeout=30)
    assert process.returncode == 0, log
    assert PASSWORD not in log


@pytest.fixture
def signed_up(env: dict[str, str], base_url: str) -> str:
    """``base_url`` with a scanned library and the viewer ``vera``."""
    music = env["TRACKTION_LIBRARY_ROOTS"][2:-2]
    tracktion(env, "scan", "--no-analysis", music)
    tracktion(env, "user", "add", "vera", "--role", "viewer", stdin=f"{PASSWORD}\n")
    return base_url


def test_swagger_ui_signs_in_and_runs_a_call_offline(
    signed_up: str, offline_page: tuple[Page, list[str]]
) -> None:
    page, remote = offline_page
    page.goto(f"{signed_up}/docs")
    tracks = page.locator(".opblock-get", has=page.locator('[data-path="/api/v1/tracks"]'))
    expect(tracks.locator(".opblock-summary")).to_be_visible()

    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".dialog-ux")
    dialog.locator("#oauth_username").fill("vera")
    dialog.locator("#oauth_password").fill(PASSWORD)
    dialog.get_by_role("button", name="Apply given OAuth2 credentials").click()
    expect(dialog.get_by_role("button", name="Remove authorization")).to_be_visible()
    dialog.get_by_role("button", name="Close").first.click()

    tracks.locator(".opblock-summary").click()
    tracks.get_by_role("button", name="Try it out").click()
    tracks.get_by_role("button", name="Execute").click()

    response = tracks.locator(".live-responses-table .response")
    expect(response.locator(".response-col_status")).to_have_text("200")
    expect(response.locator(".response-col_description")).to_contain_text("untitled (14).mp3")
    page.reload()
    expect(page.locator(".auth-wrapper button.authorize.locked")).to_be_visible()
    assert remote == []


def test_redoc_renders_offline(base_url: str, offline_page: tuple[Page, list[str]]) -> None:
    page, remote = offline_page
    page.goto(f"{base_url}/redoc")

    expect(page.locator("h1")).to_contain_text("Tracktion API")
    expect(page.get_by_text("Exchange username and password").first).to_be_visible()
    assert remote == []
