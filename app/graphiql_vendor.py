"""Fetch the files GraphiQL's page loads from the npm registry, check them, keep them here.

strawberry's GraphiQL page names its scripts and stylesheets on unpkg.com, each pinned to a
version and carrying its subresource-integrity hash. TradeQL serves those very files itself
(`app.graphiql_assets`), so the page works behind a firewall and offline. This tool, run by a
maintainer when strawberry's page changes (a test says so), fetches each package's tarball
from the npm registry, checks the tarball against the registry's own integrity hash and the
file against the page's, and writes the files and `manifest.json` to `app/static/graphiql/`:

    .venv/bin/python -m app.graphiql_vendor

Nothing here runs when TradeQL serves: the server reads the files and the manifest only.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tarfile
from dataclasses import asdict, dataclass
from urllib.parse import quote

import httpx
from strawberry.http.ides import get_graphql_ide_html

from app.graphiql_assets import ASSETS_DIR, MANIFEST, Asset, subresource_integrity

REGISTRY = "https://registry.npmjs.org"
# An asset of the page as unpkg names it: https://unpkg.com/<package>@<version>/<path>.
UNPKG = re.compile(
    r"https://unpkg\.com/(?P<package>(?:@[\w.-]+/)?[\w.-]+)@(?P<version>[\w.-]+)/(?P<path>[^\"]+)"
)
INTEGRITY_AFTER = re.compile(r'integrity="(?P<integrity>sha(?:256|384|512)-[A-Za-z0-9+/=]+)"')
TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class PageAsset:
    url: str
    package: str
    version: str
    path: str
    integrity: str


def page_assets(html: str) -> list[PageAsset]:
    """Every unpkg.com file the page loads, with the integrity hash the page gives it."""
    found = []
    for match in UNPKG.finditer(html):
        integrity = INTEGRITY_AFTER.search(html, match.end())
        if integrity is None:
            raise ValueError(f"{match.group(0)} carries no integrity hash")
        found.append(
            PageAsset(
                url=match.group(0),
                package=match["package"],
                version=match["version"],
                path=match["path"],
                integrity=integrity["integrity"],
            )
        )
    return found


def file_name(asset: PageAsset) -> str:
    """The file's name here: package, version and path, flat (`graphiql@3.8.3-graphiql.min.js`)."""
    package = asset.package.replace("@", "").replace("/", "-")
    return f"{package}@{asset.version}-{asset.path.replace('/', '-')}"


def _check_sri(data: bytes, integrity: str, what: str) -> None:
    algorithm = integrity.split("-", 1)[0]
    if subresource_integrity(data, algorithm) != integrity:
        raise ValueError(f"{what} does not match its integrity hash {integrity}")


def fetch(client: httpx.Client, asset: PageAsset) -> tuple[bytes, str]:
    """The file out of its package's registry tarball, and the tarball's integrity."""
    metadata = client.get(f"{REGISTRY}/{quote(asset.package, safe='@')}/{asset.version}")
    metadata.raise_for_status()
    dist = metadata.json()["dist"]
    tarball = client.get(dist["tarball"])
    tarball.raise_for_status()
    _check_sri(tarball.content, dist["integrity"], f"the tarball of {asset.package}")
    with tarfile.open(fileobj=io.BytesIO(tarball.content), mode="r:gz") as archive:
        member = archive.extractfile(f"package/{asset.path}")
        if member is None:
            raise ValueError(f"{asset.package}@{asset.version} has no file {asset.path}")
        data = member.read()
    _check_sri(data, asset.integrity, asset.url)
    return data, str(dist["integrity"])


def vendor() -> list[Asset]:
    assets = []
    ASSETS_DIR.mkdir(parents=True, exist_ok=True)
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True) as client:
        for page_asset in page_assets(get_graphql_ide_html()):
            data, tarball_integrity = fetch(client, page_asset)
            name = file_name(page_asset)
            (ASSETS_DIR / name).write_bytes(data)
            assets.append(
                Asset(
                    url=page_asset.url,
                    file=name,
                    integrity=page_asset.integrity,
                    tarball_integrity=tarball_integrity,
                )
            )
    wanted = {asset.file for asset in assets} | {MANIFEST.name}
    for stale in ASSETS_DIR.iterdir():
        if stale.name not in wanted:
            stale.unlink()
    manifest = [asdict(asset) for asset in assets]
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return assets


def main() -> None:
    for asset in vendor():
        print(f"{asset.file}  {asset.integrity}", file=sys.stdout)


if __name__ == "__main__":
    main()
