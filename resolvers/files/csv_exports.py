"""CSV exports: queued with their event and audit row, read back by whoever asked, finished.

`exportCsv` queues an export in one transaction with its outbox event, so either both exist
or neither; a worker runs the query again as the caller and writes the CSV (schema/files/
csv_export_run.py). An export belongs to the user or API key that asked: to anyone else it
does not exist. A caller may have only a few exports unfinished at once, so that nobody can
keep every worker busy. The functions a worker calls take the database, not a request's
context.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from core import event_types, outbox
from core.db import Database
from core.outcomes import Issue, Refused, UserErrorCode, WriteResult
from core.stored_files import StoredBy, store_file, utcnow
from models.files import CsvExport, CsvExportStatus, FilePurpose, StoredFile
from resolvers.context import Context
from resolvers.outcomes import audit, refusable

# How long an export's file is kept (`tradeql files purge-expired` deletes it after).
CSV_EXPORT_KEPT_FOR = timedelta(days=1)
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FINISHED = (CsvExportStatus.DONE, CsvExportStatus.FAILED)
# Exports one caller may have queued or running at once.
MAX_UNFINISHED_EXPORTS = 3


@dataclass(frozen=True)
class ExportError:
    code: str  # a code of docs/errors.md
    message: str
    path: str | None = None  # where in the query's result, dotted, when it is about one field


async def start_csv_export(
    ctx: Context,
    *,
    query: str,
    variables: dict[str, Any],
    operation_name: str | None,
    root_field: str,
) -> WriteResult[CsvExport]:
    """The queued export; TOO_MANY_EXPORTS while the caller has MAX_UNFINISHED_EXPORTS."""

    async def queue(db: AsyncSession) -> CsvExport:
        mine = _of_caller(ctx)
        assert mine is not None  # staff and API keys only reach here
        unfinished = await db.scalar(
            select(func.count())
            .select_from(CsvExport)
            .where(mine, col(CsvExport.status).not_in(FINISHED))
        )
        if (unfinished or 0) >= MAX_UNFINISHED_EXPORTS:
            raise Refused(
                Issue(
                    None,
                    UserErrorCode.TOO_MANY_EXPORTS,
                    f"you have {MAX_UNFINISHED_EXPORTS} exports queued or running: "
                    "ask again when one has finished",
                )
            )
        export = CsvExport(
            query=query,
            variables=variables,
            operation_name=operation_name,
            requested_by_user_id=ctx.principal.user_id,
            requested_by_api_key_id=ctx.principal.api_key_id,
        )
        db.add(export)
        await db.flush()
        assert export.id is not None
        await outbox.emit(db, event_types.CSV_EXPORT, {"export_id": export.id})
        await audit(
            ctx,
            db,
            action="files.csv_export",
            target_type="CsvExport",
            target_id=export.id,
            changes={"field": [None, root_field], "operation": [None, operation_name]},
        )
        return export

    return await refusable(ctx, queue)


def _of_caller(ctx: Context) -> ColumnElement[bool] | None:
    """The condition on exports the caller asked for; None for a caller who has none."""
    principal = ctx.principal
    if principal.api_key_id is not None:
        return col(CsvExport.requested_by_api_key_id) == principal.api_key_id
    if principal.user_id is not None:
        return col(CsvExport.requested_by_user_id) == principal.user_id
    return None


async def csv_export_of_caller(ctx: Context, pk: int) -> CsvExport | None:
    """The export, if the caller asked for it; None for anyone else's or an unknown id."""
    mine = _of_caller(ctx)
    if mine is None:
        return None
    return await ctx.session.scalar(select(CsvExport).where(col(CsvExport.id) == pk, mine))


async def csv_export_file(ctx: Context, export: CsvExport) -> StoredFile | None:
    """The export's file while it is kept."""
    if export.file_id is None:
        return None
    found = await ctx.session.scalar(select(StoredFile).where(col(StoredFile.id) == export.file_id))
    if found is None or (found.expires_at is not None and found.expires_at <= utcnow()):
        return None
    return found


async def load_export(database: Database, pk: int) -> CsvExport | None:
    async with database.session() as session:
        return await session.get(CsvExport, pk)


async def mark_running(database: Database, pk: int) -> None:
    """Running, from the start: a retried export writes its file over again."""
    async with database.transaction() as session:
        await session.execute(
            update(CsvExport)
            .where(col(CsvExport.id) == pk, col(CsvExport.status).not_in(FINISHED))
            .values(status=CsvExportStatus.RUNNING, started_at=utcnow(), row_count=0)
        )


async def record_rows(database: Database, pk: int, row_count: int) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(CsvExport)
            .where(col(CsvExport.id) == pk, col(CsvExport.status) == CsvExportStatus.RUNNING)
            .values(row_count=row_count)
        )


async def finish_with_file(
    database: Database,
    export: CsvExport,
    *,
    filename: str,
    content: AsyncIterable[bytes],
    row_count: int,
    max_bytes: int,
) -> None:
    """Store the CSV and mark the export done, in one transaction; FileTooLarge rolls back.
    An export another delivery of its event finished meanwhile is left as it is."""
    async with database.transaction() as session:
        current = await session.get(CsvExport, export.id, with_for_update=True)
        if current is None or current.status in FINISHED:
            return
        stored = await store_file(
            session,
            purpose=FilePurpose.CSV_EXPORT,
            filename=filename,
            content_type=CSV_CONTENT_TYPE,
            content=content,
            max_bytes=max_bytes,
            stored_by=StoredBy(
                user_id=export.requested_by_user_id, api_key_id=export.requested_by_api_key_id
            ),
            expires_at=datetime.now(UTC) + CSV_EXPORT_KEPT_FOR,
        )
        await session.execute(
            update(CsvExport)
            .where(col(CsvExport.id) == export.id)
            .values(
                status=CsvExportStatus.DONE,
                row_count=row_count,
                file_id=stored.id,
                finished_at=utcnow(),
            )
        )


async def finish_with_error(database: Database, pk: int, error: ExportError) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(CsvExport)
            .where(col(CsvExport.id) == pk, col(CsvExport.status).not_in(FINISHED))
            .values(
                status=CsvExportStatus.FAILED,
                error_code=error.code,
                error_message=error.message,
                error_path=None if error.path is None else error.path[:300],
                finished_at=utcnow(),
            )
        )
