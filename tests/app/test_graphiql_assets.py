"""GraphiQL's files are kept here, exactly the ones strawberry's page names, and served only
where GRAPHIQL serves the page: nothing else from their folder, nothing from a CDN."""

from __future__ import annotations

import pytest
from strawberry.http.ides import get_graphql_ide_html

from app.graphiql_assets import ASSETS_DIR, manifest, subresource_integrity
from app.graphiql_vendor import file_name, page_assets
from core.db import Database
from core.settings import Settings
from tests.graphql_client import graphql_client


def test_every_file_the_page_names_is_kept_as_the_page_pins_it() -> None:
    named = page_assets(get_graphql_ide_html())
    kept = manifest()
    assert len(named) == 7
    assert {asset.url for asset in named} == set(kept)
    for asset in named:
        stored = kept[asset.url]
        assert stored.file == file_name(asset)
        assert stored.integrity == asset.integrity
        assert stored.tarball_integrity.startswith("sha512-")
        data = (ASSETS_DIR / stored.file).read_bytes()
        assert subresource_integrity(data, "sha384") == asset.integrity


async def test_the_kept_files_are_served_with_their_type_and_cached_for_good(
    settings: Settings, db: Database
) -> None:
    async with graphql_client(settings.model_copy(update={"graphiql": True}), db) as client:
        for asset in manifest().values():
            served = await client.http.get(f"/graphiql/{asset.file}")
            assert served.status_code == 200
            suffix = asset.file.rsplit(".", 1)[1]
            expected = {"js": "text/javascript", "css": "text/css"}[suffix]
            assert served.headers["content-type"] == f"{expected}; charset=utf-8"
            assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert subresource_integrity(served.content, "sha384") == asset.integrity


@pytest.mark.parametrize(
    "path",
    [
        "/graphiql/manifest.json",
        "/graphiql/nothing.js",
        "/graphiql/..%2Fgraphiql_assets.py",
        "/graphiql/%2E%2E%2F%2E%2E%2Fpyproject.toml",
    ],
)
async def test_nothing_else_is_served(settings: Settings, db: Database, path: str) -> None:
    async with graphql_client(settings.model_copy(update={"graphiql": True}), db) as client:
        assert (await client.http.get(path)).status_code == 404


async def test_without_graphiql_its_files_are_not_served(settings: Settings, db: Database) -> None:
    [asset] = list(manifest().values())[:1]
    async with graphql_client(settings.model_copy(update={"graphiql": False}), db) as client:
        assert (await client.http.get(f"/graphiql/{asset.file}")).status_code == 404
