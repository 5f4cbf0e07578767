"""GraphiQL loads and runs a query in a real browser that can reach nothing but TradeQL.

Debian's chromium (`.ci/run` installs it; CHROMIUM names another), driven by Playwright,
headless: no request may leave for another host (each is refused and recorded, and the
browser resolves no other name), and no Content-Security-Policy violation may be reported.
The user enters an API key in GraphiQL's headers editor and runs a query only a staff key
may run, with the server set as in production.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, Route, async_playwright

from auth.api_keys import create_api_key
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from tests.graphql_client import served
from tests.uvicorn_server import serving

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Every host name but the server's resolves to nothing: no CDN, no telemetry, no fonts.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
QUERY = '{ home(currency: "USD") { currency } }'
LOAD_SECONDS = 30


def _chromium() -> str:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does)"
    return str(CHROMIUM)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    executable = _chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", OFFLINE]
        )
        yield browser
        await browser.close()


class Watch:
    """What the page asked of other hosts, and what the browser's console complained of."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.elsewhere: list[str] = []
        self.complaints: list[str] = []

    async def route(self, route: Route) -> None:
        if route.request.url.startswith(self.origin) or route.request.url.startswith("data:"):
            await route.continue_()
            return
        self.elsewhere.append(route.request.url)
        await route.abort()

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.complaints.append(message.text)


async def _replace_text(page: Page, editor: str, text: str) -> None:
    """Type into one of GraphiQL's editors as a user would: click, select all, type over."""
    await page.locator(f"{editor} .CodeMirror").click()
    await page.keyboard.press("Control+A")
    await page.keyboard.press("Delete")
    await page.keyboard.insert_text(text)


async def test_graphiql_runs_a_query_with_an_api_key_entered_in_its_headers(
    browser: Browser, committed_db: Database, committed_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        key = (await create_api_key(session, name="Explorer", role=Role.CATALOG_MANAGER)).key
    # As in production, where introspection is the key's own view and no anonymous one.
    configured = committed_settings.model_copy(
        update={"graphiql": True, "env": "production", "public_introspection": False}
    )
    async with served(configured, committed_db) as app, serving(app) as port:
        origin = f"http://127.0.0.1:{port}"
        watch = Watch(origin)
        page = await browser.new_page()
        await page.route("**/*", watch.route)
        page.on("console", watch.console)

        await page.goto(f"{origin}/graphql", timeout=LOAD_SECONDS * 1000)
        # React renders GraphiQL over the "Loading..." placeholder once every script ran.
        await page.locator(".graphiql-query-editor .CodeMirror").wait_for(
            timeout=LOAD_SECONDS * 1000
        )
        await page.get_by_text("Headers", exact=True).click()
        await _replace_text(
            page,
            ".graphiql-editor-tool .graphiql-editor:not(.hidden)",
            f'{{"Authorization": "Bearer {key}"}}',
        )
        await _replace_text(page, ".graphiql-query-editor", QUERY)
        await page.locator(".graphiql-execute-button").click()
        response = page.locator(".graphiql-response .CodeMirror")
        await response.get_by_text('"USD"').wait_for(timeout=LOAD_SECONDS * 1000)
        answer = await response.inner_text()
        await page.close()

    assert '"currency"' in answer
    assert "errors" not in answer
    assert watch.elsewhere == []
    assert watch.complaints == []
