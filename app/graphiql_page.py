"""The GraphiQL page, loading only files TradeQL serves, under a Content-Security-Policy.

strawberry's page names its scripts and stylesheets on unpkg.com; each is replaced by the
copy TradeQL keeps and serves (`app.graphiql_assets`), integrity attribute and all, so the page
works offline and behind a firewall, and a page naming a file not kept fails at start rather
than in a partner's browser. The policy allows scripts and stylesheets from this origin only
(each file still checked by its integrity hash) and the page's inline script and style by
their SHA-256; images and fonts only as `data:` URLs, requests only to this origin. No
'unsafe-inline', no 'unsafe-eval'. ('self' rather than each file's URL: a source with a path
needs the host, which a proxy in front of TradeQL may rewrite.)
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser

from strawberry.http.ides import get_graphql_ide_html

from app.graphiql_assets import local_path, manifest

CDN = "https://unpkg.com/"


class AssetNotKept(RuntimeError):
    """strawberry's page names a file TradeQL does not keep: run `python -m app.graphiql_vendor`."""


@dataclass(frozen=True)
class GraphiQLPage:
    html: str
    content_security_policy: str


@cache
def graphiql_page() -> GraphiQLPage:
    html = served_locally(get_graphql_ide_html())
    sources = PageSources.of(html)
    policy = {
        "default-src": ["'none'"],
        "script-src": ["'self'", *map(_hash_source, sources.inline_scripts)],
        "style-src": ["'self'", *map(_hash_source, sources.inline_styles)],
        # The favicon, and the icons and fonts GraphiQL's stylesheet inlines.
        "img-src": ["data:"],
        "font-src": ["data:"],
        "connect-src": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    text = "; ".join(f"{name} {' '.join(values)}" for name, values in policy.items())
    return GraphiQLPage(html=html, content_security_policy=text)


def served_locally(html: str) -> str:
    """The page with each CDN file replaced by the copy TradeQL serves."""
    for url, asset in manifest().items():
        html = html.replace(url, local_path(asset))
    if CDN in html:
        start = html.index(CDN)
        raise AssetNotKept(f"the GraphiQL page loads {html[start : html.find(chr(34), start)]}")
    return html


class PageSources(HTMLParser):
    """What a page loads: external scripts and stylesheets, inline scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.script_urls: list[str] = []
        self.style_urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.inline_styles: list[str] = []
        self._inline: list[str] | None = None

    @classmethod
    def of(cls, html: str) -> PageSources:
        sources = cls()
        sources.feed(html)
        sources.close()
        return sources

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.script_urls.append(attributes["src"] or "")
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.style_urls.append(attributes.get("href") or "")
        elif tag == "script":
            self._inline = self.inline_scripts
            self._inline.append("")
        elif tag == "style":
            self._inline = self.inline_styles
            self._inline.append("")

    def handle_data(self, data: str) -> None:
        if self._inline is not None:
            self._inline[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._inline = None


def _hash_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"
