"""`importCatalog`: a catalog file sent with a multipart request, checked or imported.

A dry run reads and applies the whole file in a transaction it rolls back, and answers what
would be created, updated or refused, row by row. A real run stores the file and queues a
background import (jobs/catalog.py) whose progress `catalogImport(id)` shows.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from auth.policy import Permission
from resolvers.catalog import catalog_import as importing
from resolvers.catalog.catalog_import_jobs import start_catalog_import
from resolvers.catalog.catalog_rows import read_catalog_file
from schema.catalog.catalog_import import CatalogFileError, CatalogImport
from schema.info import Info
from schema.permissions import permission_field
from schema.uploads import Upload


@strawberry.type(description="What importing a catalog file would do; nothing of it was kept.")
class CatalogDryRun:
    created: int = strawberry.field(description="Records that would make something new.")
    updated: int = strawberry.field(description="Records that would change something.")
    unchanged: int = strawberry.field(description="Records already as the file says.")
    failed: int = strawberry.field(description="Rows that would be refused.")
    errors: list[CatalogFileError] = strawberry.field(
        description="Why, row by row, in file order (every one)."
    )


@strawberry.type(description="The result of sending a catalog file.")
class ImportCatalogPayload:
    catalog_import: CatalogImport | None = strawberry.field(
        description="The background import, queued (or the one of the same file still "
        "running); null for a dry run."
    )
    dry_run: CatalogDryRun | None = strawberry.field(
        description="What the file would do; null unless `dryRun` was true."
    )


@strawberry.type
class CatalogImportMutation:
    @permission_field(
        Permission.CATALOG_WRITE,
        description=(
            "Import a catalog file (docs/api/catalog-files.md), sent as a multipart request. "
            "With `dryRun: true` nothing is written and every error is reported with row, "
            "column, code and message. Otherwise the file is stored and imported in the "
            "background: follow it with `catalogImport(id)`. Valid rows land, bad ones are "
            "reported; importing the same file again changes nothing."
        ),
    )
    async def import_catalog(
        self,
        info: Info,
        file: Annotated[
            Upload, strawberry.argument(description="The catalog file: a ZIP of CSVs, or one.")
        ],
        dry_run: Annotated[
            bool, strawberry.argument(description="Check only: write nothing.")
        ] = False,
    ) -> ImportCatalogPayload | None:
        ctx = info.context
        if dry_run:
            content = b"".join([chunk async for chunk in file.chunks()])
            catalog = read_catalog_file(content, file.filename)
            actor = importing.Actor(principal=ctx.principal, request_id=ctx.request_id)
            outcome = await importing.dry_run(ctx.database, ctx.settings, actor, catalog)
            report = CatalogDryRun(
                created=outcome.created,
                updated=outcome.updated,
                unchanged=outcome.unchanged,
                failed=outcome.failed,
                errors=[CatalogFileError.from_file_error(error) for error in outcome.errors],
            )
            return ImportCatalogPayload(catalog_import=None, dry_run=report)
        job = await start_catalog_import(
            ctx, filename=file.filename, content=file.chunks(), sha256=file.sha256
        )
        return ImportCatalogPayload(catalog_import=CatalogImport.from_row(job), dry_run=None)
