"""`exportCsv` and `csvExport`: any list the caller can query, as CSV through a download link.

The caller sends a query they could run themselves; it is checked here (valid GraphQL for
this schema, one root field, one list of rows), queued, and run again in the background as
the caller, page by page (schema/files/csv_export_run.py). They follow it with
`csvExport(id)`, which hands out a download link once the CSV is stored. Staff and API keys
may export; what the export reads is gated by the query's own permissions as it runs.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Self

import strawberry
from strawberry.scalars import JSON

from core.errors import BadUserInput
from core.global_id import decode_typed_id, encode_global_id
from core.outcomes import Issue, UserErrorCode
from models import files as rows
from resolvers.files import csv_exports
from resolvers.files.download_links import make_download_link
from schema.files.csv_document import NotExportable
from schema.files.csv_export_run import prepare
from schema.files.query import DownloadLink
from schema.info import Info
from schema.permissions import StaffOrApiKeyGate
from schema.user_errors import UserError, one_of, user_errors

CODES = (UserErrorCode.NOT_EXPORTABLE, UserErrorCode.TOO_MANY_EXPORTS)


@strawberry.enum(description="Where a CSV export is.")
class CsvExportStatus(Enum):
    QUEUED = strawberry.enum_value(
        rows.CsvExportStatus.QUEUED.value, description="Waiting for a worker."
    )
    RUNNING = strawberry.enum_value(
        rows.CsvExportStatus.RUNNING.value,
        description="A worker is running the query page by page; `rowCount` grows.",
    )
    DONE = strawberry.enum_value(
        rows.CsvExportStatus.DONE.value,
        description="Every row is written: `downloadLink` fetches the CSV while it is kept.",
    )
    FAILED = strawberry.enum_value(
        rows.CsvExportStatus.FAILED.value,
        description="Refused or stopped: `error` says why, and no file was kept.",
    )


@strawberry.type(description="Why a CSV export failed.")
class CsvExportError:
    code: str = strawberry.field(
        description=(
            "A code of docs/errors.md: the `errors[].extensions.code` the query itself met "
            "(FORBIDDEN for a field the caller may not read, BAD_USER_INPUT, ...), or "
            "EXPORT_TOO_LARGE, EXPORT_STOPPED, NOT_EXPORTABLE."
        )
    )
    message: str = strawberry.field(description="What went wrong, for a person.")
    path: str | None = strawberry.field(
        description="Where in the query's result, dotted (`staffOrders.edges.0.node.total`), "
        "when the error is about one field."
    )


@strawberry.type(description="A query's rows written as CSV in the background.")
class CsvExport:
    id: strawberry.ID = strawberry.field(description="Global id of the export.")
    status: CsvExportStatus = strawberry.field(description="Where the export is.")
    row_count: int = strawberry.field(
        description="Rows written so far (every row once DONE), the header not counted."
    )
    error: CsvExportError | None = strawberry.field(description="Why it FAILED; else null.")
    created_at: datetime = strawberry.field(description="When the export was asked for.")
    finished_at: datetime | None = strawberry.field(description="When it ended, if it has.")
    row: strawberry.Private[rows.CsvExport]

    @classmethod
    def from_row(cls, row: rows.CsvExport) -> Self:
        assert row.id is not None
        assert row.created_at is not None
        error = None
        if row.error_code is not None:
            error = CsvExportError(
                code=row.error_code, message=row.error_message or "", path=row.error_path
            )
        return cls(
            id=strawberry.ID(encode_global_id("CsvExport", row.id)),
            status=CsvExportStatus(row.status),
            row_count=row.row_count,
            error=error,
            created_at=row.created_at,
            finished_at=row.finished_at,
            row=row,
        )

    @strawberry.field(
        description="Global id of the stored CSV, while it is kept (a day); "
        "`downloadLink(fileId:)` makes links to it too."
    )
    async def file_id(self, info: Info) -> strawberry.ID | None:
        stored = await csv_exports.csv_export_file(info.context, self.row)
        if stored is None or stored.id is None:
            return None
        return strawberry.ID(encode_global_id("StoredFile", stored.id))

    @strawberry.field(
        description=(
            "A new signed link to the CSV (UTF-8 with a BOM, CRLF line ends, a header row) "
            "once DONE and while the file is kept; null otherwise. Only whoever asked for the "
            "export may download it."
        )
    )
    async def download_link(self, info: Info) -> DownloadLink | None:
        stored = await csv_exports.csv_export_file(info.context, self.row)
        if stored is None:
            return None
        link = make_download_link(info.context, stored)
        return DownloadLink(url=link.url, expires_at=link.expires_at)


@strawberry.type(description="The result of asking for a CSV export.")
class ExportCsvPayload:
    csv_export: CsvExport | None = strawberry.field(
        description="The export, queued; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description=f"Why the document cannot be exported: {one_of(CODES)}."
    )


def _variables(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadUserInput("must be an object of variable values", argument="variables")
    return value


@strawberry.type
class CsvExportMutation:
    @strawberry.mutation(
        description=(
            "Write the rows a query lists as CSV, in the background (docs/api/csv-exports.md). "
            "`query` is a document you could run yourself, with one root field: its rows are "
            "the items of the one list it selects (a connection's `edges { node { ... } }`, "
            "read page after page whatever `first` says, or a plain list such as a report's "
            "`rows`); its columns are the leaf fields under a row, in order, nested ones "
            "dotted (`client.name`). The query runs as you, so its permissions and row "
            "scoping are yours: a field you may not read fails the export with FORBIDDEN. "
            "Follow it with `csvExport(id)`. A malformed document is BAD_USER_INPUT naming "
            "`query`, `variables` or `operationName`. For staff users and staff API keys."
        ),
        extensions=[StaffOrApiKeyGate("CSV exports are made")],
    )
    async def export_csv(
        self,
        info: Info,
        query: Annotated[
            str, strawberry.argument(description="The GraphQL query whose rows to write.")
        ],
        variables: Annotated[
            JSON | None, strawberry.argument(description="Its variables, as an object.")
        ] = None,
        operation_name: Annotated[
            str | None,
            strawberry.argument(description="The operation to run, if the document has several."),
        ] = None,
    ) -> ExportCsvPayload | None:
        ctx = info.context
        values = _variables(variables)
        try:
            plan = prepare(
                info.schema._schema,
                query,
                values,
                operation_name,
                max_tokens=ctx.settings.max_tokens,
            )
        except NotExportable as refused:
            issue = Issue(("query",), UserErrorCode.NOT_EXPORTABLE, str(refused))
            return ExportCsvPayload(csv_export=None, user_errors=user_errors([issue]))
        result = await csv_exports.start_csv_export(
            ctx,
            query=query,
            variables=values,
            operation_name=operation_name,
            root_field=plan.root_key,
        )
        if result.row is None:
            return ExportCsvPayload(csv_export=None, user_errors=user_errors(result.issues))
        return ExportCsvPayload(csv_export=CsvExport.from_row(result.row), user_errors=[])


@strawberry.type
class CsvExportQuery:
    @strawberry.field(
        description=(
            "A CSV export you asked for, and how far it got; null for an unknown id or "
            "someone else's export. For staff users and staff API keys."
        ),
        extensions=[StaffOrApiKeyGate("CSV exports are made")],
    )
    async def csv_export(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the export.")],
    ) -> CsvExport | None:
        found = await csv_exports.csv_export_of_caller(
            info.context, decode_typed_id(id, "CsvExport", argument="id")
        )
        return None if found is None else CsvExport.from_row(found)
