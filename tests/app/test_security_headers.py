"""Security headers on every response: every route, error answers, 404s and the GraphiQL page."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.db import Database
from core.settings import Settings
from tests.graphql_client import graphql_client, served

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
TYPENAME = {"query": "{ __typename }"}
# (method, path, headers, JSON body, the status it gets)
REQUESTS = [
    ("POST", "/graphql", {}, TYPENAME, 200),
    ("GET", "/graphql?query=%7B__typename%7D", {}, None, 200),
    ("POST", "/graphql", {"content-type": "text/plain"}, None, 400),
    ("POST", "/graphql", {"authorization": "Bearer forged"}, TYPENAME, 401),
    ("PUT", "/graphql", {}, TYPENAME, 405),
    ("OPTIONS", "/graphql", {}, None, 204),
    ("POST", "/graphql", {"accept": "text/plain"}, TYPENAME, 406),
    ("POST", "/graphql", {"accept": "application/graphql-response+json"}, {"query": "{"}, 400),
    ("GET", "/healthz", {}, None, 200),
    ("GET", "/readyz", {}, None, 200),
    ("GET", "/no-such-page", {}, None, 404),
    ("POST", "/healthz", {}, None, 405),
]


@pytest.mark.parametrize("env", ["production", "development"])
@pytest.mark.parametrize(("method", "path", "headers", "body", "status"), REQUESTS)
async def test_every_answer_carries_the_security_headers(
    settings: Settings,
    db: Database,
    env: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: object,
    status: int,
) -> None:
    configured = settings.model_copy(update={"env": env})
    async with graphql_client(configured, db) as client:
        response = await client.http.request(method, path, headers=headers, json=body)
    assert response.status_code == status
    assert response.headers["content-security-policy"] == API_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    # HSTS would pin localhost to HTTPS in a developer's browser.
    assert ("strict-transport-security" in response.headers) is (env == "production")


async def test_the_graphiql_page_allows_exactly_what_it_loads(
    settings: Settings, db: Database
) -> None:
    configured = settings.model_copy(update={"graphiql": True, "env": "production"})
    async with graphql_client(configured, db) as client:
        response = await client.http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" in response.headers
    policy = _directives(response.headers["content-security-policy"])
    html = response.text

    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL)
    external = [_attribute(attributes, "src") for attributes, _ in scripts if "src=" in attributes]
    inline = [body for attributes, body in scripts if "src=" not in attributes]
    stylesheets = [
        _attribute(tag, "href")
        for tag in re.findall(r"<link\b[^>]*>", html)
        if 'rel="stylesheet"' in tag
    ]
    styles = re.findall(r"<style\b[^>]*>(.*?)</style>", html, re.DOTALL)
    assert external
    assert inline
    assert stylesheets
    assert styles
    # Scripts and stylesheets from this origin only, inline ones by hash; and each file is
    # served here, pinned by subresource integrity.
    assert set(policy["script-src"]) == {"'self'", *map(_sha256, inline)}
    assert set(policy["style-src"]) == {"'self'", *map(_sha256, styles)}
    assert "unpkg.com" not in html
    assert html.count('integrity="sha384-') == len(external) + len(stylesheets)
    async with graphql_client(configured, db) as client:
        for path in external + stylesheets:
            assert path.startswith("graphiql/")
            served = await client.http.get(f"/{path}")
            assert served.status_code == 200
            integrity = re.search(rf'"{re.escape(path)}"\s+integrity="([^"]+)"', html)
            assert integrity is not None
            digest = hashlib.sha384(served.content).digest()
            assert integrity.group(1) == f"sha384-{base64.b64encode(digest).decode()}"
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["img-src"] == ["data:"]  # the favicon and the stylesheet's inlined icons
    assert policy["font-src"] == ["data:"]  # the stylesheet's inlined fonts
    assert "unsafe" not in response.headers["content-security-policy"]


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = (directive.split() for directive in policy.split(";") if directive.strip())
    return {name: values for name, *values in parsed}


def _attribute(tag: str, name: str) -> str:
    found = re.search(rf'\b{name}="([^"]*)"', tag)
    assert found, tag
    return found.group(1)


def _sha256(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


async def test_even_a_crash_answers_with_the_security_headers(
    settings: Settings, db: Database
) -> None:
    async def crash(_request: Request) -> Response:
        raise RuntimeError("a bug")

    async with served(settings, db) as app:
        app.router.routes.append(Route("/crash", crash))
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://tradeql.test") as http:
            response = await http.get("/crash")
    assert response.status_code == 500
    assert response.headers["content-security-policy"] == API_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
