"""GraphiQL's scripts and stylesheets, served by TradeQL itself: no CDN at runtime.

The files are the very ones strawberry's GraphiQL page names on unpkg.com, fetched from the
npm registry by `app.graphiql_vendor` and kept in `app/static/graphiql/` with
`manifest.json`: for each, the unpkg URL the page names, the file's name here, the page's
subresource-integrity hash and the registry's hash of the package tarball it came from. The
page is rewritten to load them from `graphiql/<file>` (`app.graphiql_page`), keeping each
integrity attribute, so the browser still checks every byte.

Only files in the manifest are served, read once and kept in memory (about 1.5 MB), with
their content type and a year's caching: a file's name carries its version, so it never
changes under that name.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
MANIFEST = ASSETS_DIR / "manifest.json"
# Where the page, served at /graphql, loads them from (relative, so a path prefix added by a
# proxy in front of TradeQL carries over).
ROUTE_PREFIX = "graphiql/"
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
CACHE_FOREVER = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    url: str  # as strawberry's page names it on unpkg.com
    file: str  # its name in ASSETS_DIR
    integrity: str  # the page's subresource-integrity hash of the file
    tarball_integrity: str  # the npm registry's hash of the package tarball it came from


def subresource_integrity(data: bytes, algorithm: str = "sha384") -> str:
    """`<algorithm>-<base64 digest>`, as an `integrity` attribute spells it."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


@cache
def manifest() -> dict[str, Asset]:
    """The kept files by their unpkg URL."""
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return {entry["url"]: Asset(**entry) for entry in entries}


@cache
def _served() -> dict[str, bytes]:
    """Each kept file's bytes by its name, checked against its integrity hash once."""
    files = {}
    for asset in manifest().values():
        data = (ASSETS_DIR / asset.file).read_bytes()
        algorithm = asset.integrity.split("-", 1)[0]
        if subresource_integrity(data, algorithm) != asset.integrity:
            raise RuntimeError(f"{asset.file} does not match its integrity hash in the manifest")
        files[asset.file] = data
    return files


def local_path(asset: Asset) -> str:
    return ROUTE_PREFIX + asset.file


async def graphiql_asset(request: Request) -> Response:
    """GET /graphiql/{name}: one of the kept files, or 404."""
    name = str(request.path_params["name"])
    data = _served().get(name)
    if data is None:
        return PlainTextResponse("Not Found", status_code=404)
    content_type = CONTENT_TYPES[Path(name).suffix]
    return Response(data, media_type=content_type, headers={"Cache-Control": CACHE_FOREVER})
