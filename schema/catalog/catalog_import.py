"""`CatalogImport`: a catalog file being imported in the background, and how far it got."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Self

import strawberry

from auth.policy import Permission
from core.global_id import decode_typed_id, encode_global_id
from models.catalog import imports as rows
from resolvers.catalog.catalog_file import FileError
from resolvers.catalog.catalog_import_jobs import catalog_import
from schema.info import Info
from schema.permissions import permission_field


@strawberry.enum(description="Where a background catalog import is.")
class CatalogImportStatus(Enum):
    QUEUED = strawberry.enum_value(
        rows.ImportStatus.QUEUED.value, description="Waiting for a worker."
    )
    RUNNING = strawberry.enum_value(
        rows.ImportStatus.RUNNING.value, description="A worker is applying it, batch by batch."
    )
    DONE = strawberry.enum_value(
        rows.ImportStatus.DONE.value,
        description="Every record was applied or refused; `failed` and `errors` say which.",
    )
    FAILED = strawberry.enum_value(
        rows.ImportStatus.FAILED.value, description="The file could not be read; see `errors`."
    )


@strawberry.type(description="One problem with one row of a catalog file.")
class CatalogFileError:
    file: str = strawberry.field(description="The CSV inside the file, e.g. products.csv.")
    row: int | None = strawberry.field(
        description="The row, as a spreadsheet numbers it (the header is row 1)."
    )
    column: str | None = strawberry.field(description="The column at fault, when one is.")
    code: str = strawberry.field(
        description="One of the codes the mutations' `userErrors` use (docs/errors.md)."
    )
    message: str = strawberry.field(description="What is wrong, for a person.")

    @classmethod
    def from_file_error(cls, error: FileError) -> Self:
        return cls(
            file=error.file,
            row=error.row,
            column=error.column,
            code=error.code.value,
            message=error.message,
        )

    @classmethod
    def from_dict(cls, found: dict[str, Any]) -> Self:
        return cls(
            file=str(found.get("file", "")),
            row=found.get("row"),
            column=found.get("column"),
            code=str(found["code"]),
            message=str(found.get("message", "")),
        )


@strawberry.type(description="A catalog file imported in the background, and its progress.")
class CatalogImport:
    id: strawberry.ID = strawberry.field(description="Global id of the import.")
    filename: str = strawberry.field(description="The file's name as uploaded.")
    sha256: str = strawberry.field(description="The file's SHA-256, hex.")
    status: CatalogImportStatus = strawberry.field(description="Where the import is.")
    records_total: int = strawberry.field(description="Records in the file (0 until read).")
    records_done: int = strawberry.field(description="Records applied or refused so far.")
    created: int = strawberry.field(description="Records that made something new.")
    updated: int = strawberry.field(description="Records that changed something.")
    unchanged: int = strawberry.field(description="Records already as the file says.")
    failed: int = strawberry.field(description="Rows refused (each is in `errors`, up to 1,000).")
    errors: list[CatalogFileError] = strawberry.field(
        description="Why rows were refused, in file order, at most 1,000."
    )
    created_at: datetime = strawberry.field(description="When the import was started.")
    finished_at: datetime | None = strawberry.field(description="When it ended, if it has.")

    @classmethod
    def from_row(cls, row: rows.CatalogImport) -> Self:
        assert row.id is not None
        assert row.created_at is not None
        return cls(
            id=strawberry.ID(encode_global_id("CatalogImport", row.id)),
            filename=row.filename,
            sha256=row.sha256,
            status=CatalogImportStatus(row.status),
            records_total=row.records_total,
            records_done=row.records_done,
            created=row.created,
            updated=row.updated,
            unchanged=row.unchanged,
            failed=row.failed,
            errors=[CatalogFileError.from_dict(error) for error in row.errors],
            created_at=row.created_at,
            finished_at=row.finished_at,
        )


@strawberry.type
class CatalogImportQuery:
    @permission_field(
        Permission.CATALOG_WRITE,
        description="A background catalog import and its progress; null for an unknown id.",
    )
    async def catalog_import(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the import.")],
    ) -> CatalogImport | None:
        found = await catalog_import(
            info.context, decode_typed_id(id, "CatalogImport", argument="id")
        )
        return None if found is None else CatalogImport.from_row(found)
