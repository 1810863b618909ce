"""Interactive API docs (Swagger UI at ``/docs``, ReDoc at ``/redoc``) served with their scripts,
styles and favicon from the ``fastapi-offline`` package, so they work without internet."""

from importlib.resources import files
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

DOCS_URL: Final = "/docs"
"""Swagger UI."""
REDOC_URL: Final = "/redoc"
"""ReDoc."""
STATIC_URL: Final = f"{DOCS_URL}/static"
"""The bundled assets."""
OAUTH2_REDIRECT_URL: Final = f"{DOCS_URL}/oauth2-redirect"
SWAGGER_UI_PARAMETERS: Final[dict[str, Any]] = {
    "persistAuthorization": True,  # a reload keeps the bearer token
    "validatorUrl": None,  # no badge calling the public validator
}
"""Swagger UI settings beyond FastAPI's defaults; "Authorize" uses the OpenAPI document's OAuth2
password flow (``POST /api/v1/auth/token``)."""

CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",  # the pages start the UI in an inline script
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",  # also keeps ReDoc from fetching its logo from a CDN
        "worker-src 'self' blob:",
    )
)
"""The docs pages may load nothing from other hosts, so they behave the same offline."""


def install_docs(app: FastAPI) -> None:
    """Add the docs pages and their assets to ``app`` (public: no authentication)."""
    openapi_url = app.openapi_url
    if openapi_url is None:
        raise ValueError("the docs need the app's OpenAPI document (openapi_url is None)")
    app.router.routes.append(
        _AssetsMount(STATIC_URL, StaticFiles(directory=_static_dir()), name="docs-static")
    )

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _same_origin_only(
            get_swagger_ui_html(
                openapi_url=f"{root}{openapi_url}",
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
                swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png",
                oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
                swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
            )
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _same_origin_only(
            get_redoc_html(
                openapi_url=f"{root}{openapi_url}",
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{root}{STATIC_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png",
                with_google_fonts=False,
            )
        )


class _AssetsMount(Mount):
    """A mount that names itself the request's route, as FastAPI's own routes do, so metrics
    count its files under its path (one label) instead of "unmatched"."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = self
        await super().handle(scope, receive, send)


def _same_origin_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return page


def _static_dir() -> Path:
    static = files("fastapi_offline") / "static"
    if not isinstance(static, Path):  # StaticFiles serves a real directory only
        raise RuntimeError(f"fastapi_offline's assets are not a directory: {static}")
    return static
