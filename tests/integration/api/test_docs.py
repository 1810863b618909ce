"""Swagger UI and ReDoc load every script, style and icon from the API itself (no CDN)."""

import re
from html.parser import HTMLParser

import httpx
import pytest

from .conftest import SignedIn

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),  # the docs use no data
]


class _Sources(HTMLParser):
    """Every ``src``/``href`` of a page's tags."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]


def page_sources(html: str) -> list[str]:
    parser = _Sources()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            "/docs",
            {"/docs/static/swagger-ui-bundle.js", "/docs/static/swagger-ui.css"},
        ),
        ("/redoc", {"/docs/static/redoc.standalone.js"}),
    ],
)
async def test_docs_pages_reference_only_local_assets(
    anonymous: httpx.AsyncClient, page: str, expected: set[str]
) -> None:
    response = await anonymous.get(page)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    sources = page_sources(response.text)
    assert expected <= set(sources)
    assert "/docs/static/favicon.png" in sources
    assert all(url.startswith("/") and not url.startswith("//") for url in sources), sources
    assert not re.search(r"https?://", response.text), "the page names a remote URL"
    assert "/api/v1/openapi.json" in response.text


async def test_swagger_ui_signs_in_with_the_password_flow_and_keeps_the_token(
    anonymous: httpx.AsyncClient,
) -> None:
    page = (await anonymous.get("/docs")).text
    redirect = await anonymous.get("/docs/oauth2-redirect")
    schemes = (await anonymous.get("/api/v1/openapi.json")).json()["components"]["securitySchemes"]

    assert '"persistAuthorization": true' in page
    assert "/docs/oauth2-redirect" in page
    assert redirect.status_code == 200
    assert "oauth2" in redirect.text.lower()
    password_flows = [
        scheme["flows"]["password"]
        for scheme in schemes.values()
        if scheme["type"] == "oauth2" and "password" in scheme["flows"]
    ]
    assert password_flows == [{"scopes": {}, "tokenUrl": "/api/v1/auth/token"}]


@pytest.mark.parametrize(
    ("asset", "content_type"),
    [
        ("swagger-ui-bundle.js", "javascript"),
        ("swagger-ui.css", "text/css"),
        ("redoc.standalone.js", "javascript"),
        ("favicon.png", "image/png"),
    ],
)
async def test_docs_assets_are_served_without_a_token(
    anonymous: httpx.AsyncClient, asset: str, content_type: str
) -> None:
    response = await anonymous.get(f"/docs/static/{asset}")

    assert response.status_code == 200
    assert content_type in response.headers["content-type"]
    assert len(response.content) > 1000


async def test_docs_are_not_in_the_openapi_document(anonymous: httpx.AsyncClient) -> None:
    paths = (await anonymous.get("/api/v1/openapi.json")).json()["paths"]

    assert not any(path.startswith(("/docs", "/redoc")) for path in paths)


async def test_assets_are_one_metrics_route_not_one_per_file(signed_in: SignedIn) -> None:
    client = await signed_in("viewer")
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png", "missing.js"):
        await client.get(f"/docs/static/{asset}")
    await client.get("/docs")

    text = (await client.get("/metrics")).text

    assert 'method="GET",route="/docs/static",status="200"} 3.0' in text
    assert 'method="GET",route="/docs/static",status="404"} 1.0' in text
    assert 'method="GET",route="/docs",status="200"} 1.0' in text
    assert "swagger-ui-bundle.js" not in text
