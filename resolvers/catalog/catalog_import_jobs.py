"""Starting a background catalog import, and reading how far it got.

The file is stored (core/stored_files.py) and the import queued in one transaction with its
outbox event, so either both exist or neither; a worker applies it (jobs/catalog.py). While an
import of the same file (by SHA-256) is queued or running, starting it again answers that
import instead of queueing a second one; once it has finished, the same file may run again,
and changes nothing that it already set.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from core import event_types, outbox
from core.stored_files import StoredBy, store_file
from models.catalog.imports import CatalogImport, ImportStatus
from models.files import FilePurpose
from resolvers.context import Context
from resolvers.outcomes import audit

IMPORT = "CatalogImport"
UNFINISHED = (ImportStatus.QUEUED, ImportStatus.RUNNING)
# How long an uploaded catalog file is kept (`tradeql files purge-expired` deletes it after);
# the import's row, its counts and errors stay.
IMPORT_FILE_KEPT_FOR = timedelta(days=7)


async def start_catalog_import(
    ctx: Context, *, filename: str, content: bytes | AsyncIterable[bytes], sha256: str
) -> CatalogImport:
    """The queued import of this file, or the one of the same file still unfinished."""
    async with ctx.database.transaction() as db:
        running = await db.scalar(
            select(CatalogImport).where(
                col(CatalogImport.sha256) == sha256, col(CatalogImport.status).in_(UNFINISHED)
            )
        )
        if running is not None:
            return running
        stored = await store_file(
            db,
            purpose=FilePurpose.CATALOG_IMPORT,
            filename=filename,
            content_type=None,
            content=content,
            max_bytes=ctx.settings.max_stored_file_bytes,
            stored_by=StoredBy(user_id=ctx.principal.user_id, api_key_id=ctx.principal.api_key_id),
            expires_at=datetime.now(UTC) + IMPORT_FILE_KEPT_FOR,
        )
        job = CatalogImport(
            file_id=stored.id,
            filename=stored.filename,
            sha256=stored.sha256,
            requested_by_user_id=ctx.principal.user_id,
            requested_by_api_key_id=ctx.principal.api_key_id,
        )
        db.add(job)
        await db.flush()
        assert job.id is not None
        await outbox.emit(db, event_types.CATALOG_IMPORT, {"import_id": job.id})
        await audit(
            ctx,
            db,
            action="catalog.import",
            target_type=IMPORT,
            target_id=job.id,
            changes={"filename": [None, stored.filename], "sha256": [None, stored.sha256]},
        )
        return job


async def catalog_import(ctx: Context, pk: int) -> CatalogImport | None:
    return await ctx.session.scalar(select(CatalogImport).where(col(CatalogImport.id) == pk))
