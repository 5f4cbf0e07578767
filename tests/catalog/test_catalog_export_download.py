"""Staff export the catalog over HTTP: `exportCatalog` stores the file, a signed link serves it."""

from __future__ import annotations

import hashlib

from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from resolvers.catalog.catalog_file_records import ProductRecord
from resolvers.catalog.catalog_rows import read_catalog_file
from tests.builders import make_category, make_fabric_type, make_product
from tests.callers import token_for
from tests.graphql_client import graphql_client

EXPORT = """mutation { exportCatalog { fileId filename sizeBytes sha256
  download { url expiresAt } } }"""


async def test_an_export_downloads_through_its_link_and_reads_back_as_a_catalog_file(
    db: Database, settings: Settings
) -> None:
    # given a catalog with a draft product, and a catalog manager
    async with db.transaction() as session:
        category = await make_category(session)
        product = await make_product(
            session, product_type=await make_fabric_type(session), category=category
        )
        token = await token_for(session, settings, Role.CATALOG_MANAGER)
    async with graphql_client(settings, db) as client:
        # when they export it and follow the link
        body = await client.as_(token).post(EXPORT)
        assert "errors" not in body, body["errors"]
        export = body["data"]["exportCatalog"]
        download = await client.http.get(export["download"]["url"])
    # then the link serves the stored file as an attachment, byte for byte
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert download.headers["content-disposition"].startswith(
        f'attachment; filename="{export["filename"]}"'
    )
    assert download.headers["x-content-type-options"] == "nosniff"
    assert len(download.content) == export["sizeBytes"]
    assert hashlib.sha256(download.content).hexdigest() == export["sha256"]
    # and it is a catalog file that reads without errors and holds the product
    catalog = read_catalog_file(download.content, export["filename"])
    assert catalog.errors == []
    assert product.slug in {
        record.slug for record in catalog.records if isinstance(record, ProductRecord)
    }
    # and the export is in the audit log
    async with db.session() as session:
        actions = await session.scalars(
            select(col(AuditEntry.action)).where(col(AuditEntry.action) == "catalog.export")
        )
        assert list(actions) == ["catalog.export"]
